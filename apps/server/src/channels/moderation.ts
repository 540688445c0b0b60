import {
  ErrorCode,
  type ModeratedFrame,
  type ModerationFrame,
  type RoomAddedFrame,
  type RoomId,
} from '@hubbub/protocol';
import type { Identity } from '../auth/authenticator.js';
import type { Broker } from '../broker/port.js';
import { type ModerationHandler, Refused } from '../gateway/guard.js';
import { onceStored } from '../messages/settled.js';
import type { MessageStore } from '../store/port.js';
import type { RoomAccess } from './access.js';
import type { ChatDelay } from './delay.js';
import { type Role, roleRank } from './schema.js';
import type { ChannelStore } from './store.js';

/** How moderation reaches people: a notice to the room, and removal of a user's sockets from it. */
export interface RoomEffects {
  announce(room: RoomId, frame: ModeratedFrame): void;
  evict(userId: string, room: RoomId, reason: 'kicked' | 'banned' | 'removed'): void;
  /** Tells every socket of `userId` it was given a room (a DM, a private channel). */
  roomAdded(userId: string, frame: RoomAddedFrame): void;
  /** A deleted message's files: stop serving them. */
  revokeMedia(ids: readonly string[]): Promise<void>;
}

/**
 * Delete, mute, kick, ban and the crowd modes, for WebSocket frames and REST alike. Authors may
 * delete their own messages; everything else needs a moderator or the owner, and nobody
 * can act on someone of equal or higher rank. Every action is recorded in the audit log.
 */
export class ModerationService implements ModerationHandler {
  constructor(
    private readonly access: RoomAccess,
    private readonly channels: ChannelStore,
    private readonly messages: MessageStore,
    private readonly broker: Broker,
    private readonly effects: RoomEffects,
    /** The store is filled after the ack (an outbox): a message just sent may lag. */
    private readonly storeLags = false,
    /** Where messages of rooms with a chat delay wait; a delete may catch one there. */
    private readonly delay?: ChatDelay,
  ) {}

  async apply(identity: Identity, frame: ModerationFrame): Promise<void> {
    const actor = identity.user;
    const room = frame.room;
    if (frame.type === 'delete') return this.deleteMessage(identity, room, frame.id);
    await this.requireRank(identity, room, 'moderator');
    const notice = (extra: Partial<ModeratedFrame>): ModeratedFrame => ({
      type: 'moderated',
      room,
      action: frame.type,
      actor,
      ...extra,
    });
    switch (frame.type) {
      case 'slow_mode':
      case 'modes': {
        const change =
          frame.type === 'slow_mode'
            ? { slowModeSeconds: frame.seconds }
            : (({ type: _t, room: _r, ...modes }) => modes)(frame);
        const modes = await this.access.setModes(room, change);
        await this.channels.audit({
          roomId: room,
          actorId: actor.id,
          action: frame.type,
          details: change,
        });
        this.effects.announce(
          room,
          notice(
            frame.type === 'slow_mode'
              ? { seconds: frame.seconds, modes }
              : { action: 'modes', modes },
          ),
        );
        return;
      }
      case 'mute':
      case 'ban': {
        await this.requireOutranks(identity, room, frame.user);
        const until = frame.seconds === undefined ? null : Date.now() + frame.seconds * 1000;
        await this.access.sanction(room, frame.user, { kind: frame.type, until }, actor.id);
        if (frame.type === 'ban') {
          await this.access.removeMember(room, frame.user);
          this.effects.evict(frame.user, room, 'banned');
        }
        await this.channels.audit({
          roomId: room,
          actorId: actor.id,
          action: frame.type,
          targetUserId: frame.user,
          details: { seconds: frame.seconds ?? null },
        });
        this.effects.announce(
          room,
          notice({
            target: frame.user,
            ...(frame.seconds === undefined ? {} : { seconds: frame.seconds }),
          }),
        );
        return;
      }
      case 'unmute':
      case 'unban':
        await this.access.lift(room, frame.user, frame.type === 'unmute' ? 'mute' : 'ban');
        await this.channels.audit({
          roomId: room,
          actorId: actor.id,
          action: frame.type,
          targetUserId: frame.user,
        });
        this.effects.announce(room, notice({ target: frame.user }));
        return;
      case 'kick':
        await this.requireOutranks(identity, room, frame.user);
        await this.access.removeMember(room, frame.user);
        this.effects.evict(frame.user, room, 'kicked');
        await this.channels.audit({
          roomId: room,
          actorId: actor.id,
          action: 'kick',
          targetUserId: frame.user,
        });
        this.effects.announce(room, notice({ target: frame.user }));
        return;
      default: {
        const unreachable: never = frame;
        void unreachable;
      }
    }
  }

  private async deleteMessage(identity: Identity, room: RoomId, id: string): Promise<void> {
    const actor = identity.user;
    // A message the chat delay still holds goes before anyone but moderators saw it.
    const heldBy = this.delay?.heldBy(room, id);
    if (heldBy !== undefined) {
      if (heldBy !== actor.id) await this.requireRank(identity, room, 'moderator');
      if (await this.delay!.remove(room, id, actor)) {
        await this.channels.audit({
          roomId: room,
          actorId: actor.id,
          action: 'delete',
          targetUserId: heldBy,
          messageId: id,
          details: { held: true },
        });
        return;
      }
    }
    const message = await onceStored(id, () => this.messages.findMessage(room, id), this.storeLags);
    if (message === undefined)
      throw new Refused(ErrorCode.notFound, 'no such message in this room');
    if (message.user.id !== actor.id) await this.requireRank(identity, room, 'moderator');
    const tombstone = await this.messages.redact(room, id);
    if (tombstone === undefined)
      throw new Refused(ErrorCode.notFound, 'no such message in this room');
    this.broker.revise(tombstone);
    await this.effects.revokeMedia((message.attachments ?? []).map((a) => a.id));
    await this.channels.audit({
      roomId: room,
      actorId: actor.id,
      action: 'delete',
      targetUserId: message.user.id,
      messageId: id,
    });
    this.effects.announce(room, {
      type: 'moderated',
      room,
      action: 'delete',
      actor,
      messageId: id,
      seq: message.seq,
      target: message.user.id,
    });
  }

  /** The room's moderation history, newest first. */
  auditLog(room: RoomId, limit = 200) {
    return this.channels.auditLog(room, limit);
  }

  /**
   * The caller's rank in the room, at least `needed`. Channels have their owner and
   * moderators; open rooms (events, `global`) the moderators appointed there and the
   * admins; DMs have none.
   */
  async requireRank(identity: Identity, room: RoomId, needed: Role): Promise<Role> {
    const channel = await this.access.channel(room);
    if (channel !== null && channel.kind !== 'channel') {
      throw new Refused(ErrorCode.forbidden, 'this room has no moderators');
    }
    const role = await this.access.rankOf(identity, room);
    if (role === undefined || roleRank[role] < roleRank[needed]) {
      throw new Refused(ErrorCode.forbidden, `only a ${needed} or above may do that`);
    }
    return role;
  }

  private async requireOutranks(identity: Identity, room: RoomId, target: string): Promise<void> {
    if (target === identity.user.id) throw new Refused(ErrorCode.forbidden, 'not on yourself');
    const [mine, theirs] = await Promise.all([
      this.access.rankOf(identity, room),
      this.access.rankOfUser(room, target),
    ]);
    if (theirs !== undefined && roleRank[theirs] >= roleRank[mine ?? 'member']) {
      throw new Refused(ErrorCode.forbidden, 'not on someone of equal or higher rank');
    }
  }
}
