import type { ReceiptFrame, ReceiptNotice, RoomId } from '@hubbub/protocol';
import type { Identity } from '../auth/authenticator.js';
import type { RoomAccess } from '../channels/access.js';
import type { ReceiptHandler } from '../gateway/guard.js';
import type { ReceiptStore } from './store.js';

/**
 * Delivery and read receipts in channels and DMs: each member's furthest delivered and read
 * seq, the furthest of all their devices. A change is announced to the room, which tells
 * DM ticks and "seen by" to the others and the new read pointer to the member's own other
 * devices (their unread counts). Open rooms (global, event crowds) keep none.
 */
export class ReceiptService implements ReceiptHandler {
  constructor(
    private readonly store: ReceiptStore,
    private readonly access: RoomAccess,
    private readonly announce: (room: RoomId, frame: ReceiptNotice) => void,
  ) {}

  async record(identity: Identity, frame: ReceiptFrame): Promise<void> {
    if (identity.kind !== 'user' || (await this.access.channel(frame.room)) === null) return;
    const { moved, pointers } = await this.store.advance(frame.room, identity.user.id, {
      ...(frame.delivered === undefined ? {} : { delivered: frame.delivered }),
      ...(frame.read === undefined ? {} : { read: frame.read }),
    });
    if (moved)
      this.announce(frame.room, {
        type: 'receipt',
        room: frame.room,
        user: identity.user,
        ...pointers,
      });
  }
}
