import {
  type ChatMessage,
  type EditFrame,
  ErrorCode,
  limits,
  type ReactFrame,
  type RoomId,
  type UpdatedFrame,
} from '@hubbub/protocol';
import type { Identity } from '../auth/authenticator.js';
import type { Broker } from '../broker/port.js';
import { type MessageHandler, Refused, type RoomGuard } from '../gateway/guard.js';
import type { MessageStore } from '../store/port.js';
import { onceStored } from './settled.js';

/**
 * What happens to a message after it was sent: its author edits it (within the edit
 * window, while they may still speak in the room), and people react to it. The store changes first, then the
 * recovery window, then the room hears `updated` with the message as it now is.
 */
export class MessageLifecycle implements MessageHandler {
  constructor(
    private readonly store: MessageStore,
    private readonly broker: Broker,
    private readonly guard: RoomGuard,
    private readonly announce: (room: RoomId, frame: UpdatedFrame) => void,
    /** How long after sending a message may be edited; 0: always. */
    private readonly editWindowMs: number,
    /** Told of each edited message once stored and announced (its mentions follow it). */
    private readonly onEdited: (message: ChatMessage) => void = () => {},
    /** The store is filled after the ack (an outbox): a message just sent may lag. */
    private readonly storeLags = false,
  ) {}

  async edit(identity: Identity, frame: EditFrame): Promise<void> {
    const now = Date.now();
    const message = await onceStored(
      frame.id,
      () => this.store.findMessage(frame.room, frame.id),
      this.storeLags,
    );
    if (message === undefined || message.deleted === true)
      throw new Refused(ErrorCode.notFound, 'no such message in this room');
    if (message.user.id !== identity.user.id)
      throw new Refused(ErrorCode.forbidden, 'only its author can edit a message');
    if (this.editWindowMs > 0 && now - Date.parse(message.ts) > this.editWindowMs)
      throw new Refused(ErrorCode.editWindowClosed, 'this message is too old to edit');
    const refusal = this.guard.checkEdit(identity, frame.room, now, frame.content);
    if (refusal !== undefined) throw new Refused(refusal.code, refusal.message);
    if (message.content === frame.content) return;
    const revised = await this.store.edit(frame.room, frame.id, frame.content, now);
    if (revised === undefined || revised.deleted === true)
      throw new Refused(ErrorCode.notFound, 'no such message in this room');
    this.broker.revise(revised);
    this.announce(frame.room, { type: 'updated', message: revised });
    this.onEdited(revised);
  }

  /**
   * Adds or takes back a reaction. Anyone who may read the room may react (muted people
   * too: a reaction is not speech); not to a deleted message.
   */
  async react(identity: Identity, frame: ReactFrame): Promise<void> {
    const result = await onceStored(
      frame.id,
      () => this.store.react(frame.room, frame.id, identity.user, frame.emoji, frame.on),
      this.storeLags,
    );
    if (result === undefined || (result !== 'full' && result.deleted === true))
      throw new Refused(ErrorCode.notFound, 'no such message in this room');
    if (result === 'full')
      throw new Refused(
        ErrorCode.invalidRequest,
        `a message takes at most ${limits.reactionsPerMessage} different reactions`,
      );
    this.broker.revise(result);
    this.announce(frame.room, { type: 'updated', message: result });
  }
}
