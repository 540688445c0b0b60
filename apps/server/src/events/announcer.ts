import { systemUser } from '@hubbub/protocol';
import { uuidv7 } from 'uuidv7';
import type { Broker } from '../broker/port.js';
import type { EventStore } from './store.js';
import { eventRoom } from './store.js';

/** A start or end noticed later than this (a node was down, an event ingested late) goes unsaid. */
const staleAfterMs = 15 * 60_000;

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
  ) {}

  async announce(now = Date.now()): Promise<{ started: number; ended: number }> {
    let started = 0;
    let ended = 0;
    for (const row of await this.store.dueAnnouncements(now, 200)) {
      const room = eventRoom(row.id);
      if (row.announced_start_at === null && row.starts_at <= now) {
        if (now - row.starts_at < staleAfterMs && row.ends_at > now) {
          await this.say(room, `event-start:${row.id}`, `🔴 ${row.name} is live now`, now);
          started += 1;
        }
        await this.store.markAnnounced(row.id, 'start', now);
      }
      if (row.announced_end_at === null && row.ends_at <= now) {
        if (now - row.ends_at < staleAfterMs) {
          const closes = new Date(row.ends_at + this.closesAfterMs).toISOString();
          await this.say(
            room,
            `event-end:${row.id}`,
            `🏁 ${row.name} has ended. This room and its history close at ${closes}.`,
            now,
          );
          ended += 1;
        }
        // The bus's copy of the history (Redis keys) expires with the store's.
        await this.broker.expire(room, row.ends_at + this.closesAfterMs);
        await this.store.markAnnounced(row.id, 'end', now);
      }
    }
    return { started, ended };
  }

  private async say(room: string, cid: string, content: string, now: number): Promise<void> {
    await this.broker.publish({
      room,
      id: uuidv7(),
      user: { ...systemUser },
      content,
      ts: new Date(now).toISOString(),
      cid,
    });
  }
}
