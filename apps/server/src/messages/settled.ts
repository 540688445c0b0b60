/**
 * How long after its creation a message may still be on its way into the database: with
 * many nodes an acknowledged message is durable in Redis first, and the outbox persisters
 * write it a moment later (up to 30 s when a dead node's entries must be claimed).
 */
const IN_FLIGHT_MS = 40_000;
/** Clocks of nodes differ a little: an id this far in the future still counts as new. */
const SKEW_MS = 2_000;
/**
 * Lookups waiting at once in this process. Beyond it a lookup is answered at once: a
 * client sending made-up fresh ids must not turn the server into a database poller.
 */
const MAX_WAITING = 64;

let waiting = 0;

/** The creation time (ms) of a UUIDv7 message id, or undefined if it is not one. */
export function idTime(id: string): number | undefined {
  const hex = id.replaceAll('-', '').slice(0, 12);
  if (!/^[0-9a-f]{12}$/i.test(hex) || id[14] !== '7') return undefined;
  return Number.parseInt(hex, 16);
}

/**
 * Runs `read` (a store lookup of message `id`, or a change to it) until it finds the
 * message. With `lagging` (a store filled from an outbox, behind the acks), a message made
 * in the last seconds may still be on its way to the database: it is looked for again
 * after short pauses, so an edit or a reaction right after the ack waits a few
 * milliseconds instead of failing with not_found. Otherwise, or for an older, future or
 * foreign id, or when too many lookups already wait, `read` runs once.
 */
export async function onceStored<T>(
  id: string,
  read: () => Promise<T | undefined>,
  lagging: boolean,
  now: () => number = Date.now,
): Promise<T | undefined> {
  const found = await read();
  const created = idTime(id);
  if (found !== undefined || !lagging || created === undefined) return found;
  const fresh = () => {
    const age = now() - created;
    return age >= -SKEW_MS && age <= IN_FLIGHT_MS;
  };
  if (!fresh() || waiting >= MAX_WAITING) return undefined;
  waiting += 1;
  try {
    for (let pause = 10; fresh(); pause = Math.min(pause * 2, 500)) {
      await new Promise((resolve) => setTimeout(resolve, pause));
      const again = await read();
      if (again !== undefined) return again;
    }
    return undefined;
  } finally {
    waiting -= 1;
  }
}
