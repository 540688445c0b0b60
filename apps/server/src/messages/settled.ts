/**
 * How long after its creation a message may still be on its way into the database: with
 * many nodes an acknowledged message is durable in Redis first, and the outbox persisters
 * write it a moment later (longer while PostgreSQL is away).
 */
const IN_FLIGHT_MS = 15_000;

/** The creation time (ms) of a UUIDv7 message id, or undefined if it is not one. */
export function idTime(id: string): number | undefined {
  const hex = id.replaceAll('-', '').slice(0, 12);
  if (!/^[0-9a-f]{12}$/i.test(hex) || id[14] !== '7') return undefined;
  return Number.parseInt(hex, 16);
}

/**
 * Runs `read` (a store lookup of message `id`, or a change to it) until it finds the
 * message: at once for a message old enough to be stored for sure, and with short pauses
 * while a message just sent may still be on its way to the database. An edit or a reaction
 * right after the ack then waits a few milliseconds instead of failing with not_found.
 */
export async function onceStored<T>(
  id: string,
  read: () => Promise<T | undefined>,
  now: () => number = Date.now,
): Promise<T | undefined> {
  const created = idTime(id);
  for (let pause = 10; ; pause = Math.min(pause * 2, 500)) {
    const found = await read();
    if (found !== undefined) return found;
    if (created === undefined || now() - created > IN_FLIGHT_MS) return undefined;
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}
