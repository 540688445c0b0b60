import { type ChatMessage, type MentionedFrame, mentionedLogins } from '@hubbub/protocol';
import type { RoomAccess } from '../channels/access.js';
import type { MentionStore } from './store.js';

/**
 * `@login` mentions in channels and DMs: once a message is durable, the members it names
 * (not its author) are recorded against it, which the unread query counts, and every socket
 * of theirs is told. Open rooms (global, event crowds) notify nobody: there a mention is
 * only highlighted by clients, as on Twitch. Runs after sequencing, so a send never waits
 * on a lookup and one connection's messages keep their order.
 */
export class MentionService {
  constructor(
    private readonly store: MentionStore,
    private readonly access: RoomAccess,
    private readonly notify: (userId: string, frame: MentionedFrame) => void,
  ) {}

  /** A new message (or a resend of one): records and tells whom it names. */
  async sent(message: ChatMessage): Promise<void> {
    const logins = mentionedLogins(message.content);
    if (logins.length > 0) await this.track(message, logins);
  }

  /**
   * An edited message: names taken out stop counting, names put in are told, as if the
   * message had been sent so.
   */
  edited(message: ChatMessage): Promise<void> {
    return this.track(message, mentionedLogins(message.content));
  }

  private async track(message: ChatMessage, logins: readonly string[]): Promise<void> {
    if ((await this.access.channel(message.room)) === null) return;
    const added = await this.store.replace(message.room, message.seq, message.user.id, logins);
    for (const userId of added) this.notify(userId, { type: 'mentioned', message });
  }
}
