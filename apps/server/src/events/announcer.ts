import { systemUser } from '@hubbub/protocol';
import type { Logger } from 'pino';
import { uuidv7 } from 'uuidv7';
import type { Broker } from '../broker/port.js';
import { type EventRow, type EventStore, eventRoom } from './store.js';

/** A start or end noticed later than this (a node was down, an event ingested late) goes unsaid. */
const staleAfterMs = 15 * 60_000;

/**
 * How long after a room closes its Redis keys expire by themselves: time for the history
 * sweep (every 5 minutes) to take everyone out of the room first, so no node is still
 * reading a room whose keys vanish (it would take that for a lost history and re-seed it).
 */
export const busExpiryGraceMs = 10 * 60_000;

/**
 * Tells each event room, in a message from the server (`systemUser`), that its event has
 * started and, later, that it has ended and when the room closes. Each is said once: the
 * cid names the event and the moment, so even two nodes racing publish one message (the
 * broker is idempotent per cid), and the row remembers it was said.
 */
export class EventAnnouncer {
  constructor(
    private readonly store: EventStore,
    private readonly broker: Pick<Broker, 'publish' | 'expire'>,
    private readonly closesAfterMs: number,
    private readonly logger: Pick<Logger, 'warn'>,
  ) {}

  async announce(now = Date.now()): Promise<{ started: number; ended: number }> {
    const said = { started: 0, ended: 0 };
    for (const row of await this.store.dueAnnouncements(now, 200)) {
      // One event's failure (the bus refused) must not hold up the others; its row is not
      // marked, so it is tried again at the next turn.
      await this.announceOne(row, now, said).catch((error: unknown) =>
        this.logger.warn({ err: error, event: row.id }, 'event room announcement failed'),
      );
    }
    return said;
  }

  private async announceOne(
    row: EventRow,
    now: number,
    said: { started: number; ended: number },
  ): Promise<void> {
    const room = eventRoom(row.id);
    if (row.announced_start_at === null && row.starts_at <= now) {
      if (now - row.starts_at < staleAfterMs && row.ends_at > now) {
        await this.say(room, `event-start:${row.id}`, `🔴 ${row.name} is live now`, now);
        said.started += 1;
      }
      await this.store.markAnnounced(row.id, 'start', now);
    }
    if (row.announced_end_at === null && row.ends_at <= now) {
      const closesAt = row.ends_at + this.closesAfterMs;
      if (now - row.ends_at < staleAfterMs) {
        const closes = new Date(closesAt).toISOString();
        await this.say(
          room,
          `event-end:${row.id}`,
          `🏁 ${row.name} has ended. This room and its history close at ${closes}.`,
          now,
        );
        said.ended += 1;
      }
      // The bus's copy of the history (Redis keys) expires with the store's, in case
      // the sweep that deletes both does not come (every node down by then).
      await this.broker.expire(room, closesAt + busExpiryGraceMs);
      await this.store.markAnnounced(row.id, 'end', now);
    }
  }

  private async say(room: string, cid: string, content: string, now: number): Promise<void> {
    await this.broker.publish({
      room,
      id: uuidv7(),
      user: { ...systemUser },
      content,
      ts: new Date(now).toISOString(),
      cid,
      unmetered: true,
    });
  }
}
