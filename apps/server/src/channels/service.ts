import { ErrorCode, type RoomId } from '@hubbub/protocol';
import type { AccountStore } from '../auth/accounts.js';
import type { Identity } from '../auth/authenticator.js';
import { Refused } from '../gateway/guard.js';
import type { RoomAccess } from './access.js';
import type { RoomEffects } from './moderation.js';
import { type Role, roleRank, type Visibility } from './schema.js';
import { ChannelExists, type ChannelStore } from './store.js';

/** The channels a fresh install has, public and ownerless. */
export const defaultChannels = ['general', 'support', 'tech'] as const;

function refuse(code: ErrorCode, message: string): never {
  throw new Refused(code, message);
}

/**
 * Channels and DMs: creating them, membership and roles. Only accounts take part; guests
 * stay in open rooms.
 */
export class ChannelService {
  constructor(
    private readonly store: ChannelStore,
    private readonly access: RoomAccess,
    private readonly accounts: AccountStore,
    private readonly effects: Pick<RoomEffects, 'announce' | 'evict' | 'roomAdded'>,
    /** Names kept for open rooms (`global`, OPEN_ROOMS): no channel may take them. */
    private readonly reserved: (name: RoomId) => boolean = (name) => name === 'global',
  ) {}

  /** Creates the default channels that do not exist yet (and whose names hold no open room). */
  async ensureDefaults(): Promise<void> {
    for (const name of defaultChannels) {
      if (this.reserved(name) || (await this.store.findChannel(name)) !== undefined) continue;
      await this.store
        .createRoom(
          { roomId: name, kind: 'channel', visibility: 'public', topic: '', createdBy: null },
          [],
        )
        .catch((error: unknown) => {
          if (!(error instanceof ChannelExists)) throw error;
        });
    }
  }

  /** A new account starts in the default channels, as a new Slack member starts in #general. */
  async welcome(userId: string): Promise<void> {
    for (const name of defaultChannels) {
      if ((await this.access.channel(name)) !== null)
        await this.access.setMember(name, userId, 'member');
    }
  }

  private requireAccount(identity: Identity): void {
    if (identity.kind !== 'user') refuse(ErrorCode.forbidden, 'guests cannot do that; sign in');
  }

  async create(identity: Identity, input: { name: RoomId; visibility: Visibility; topic: string }) {
    this.requireAccount(identity);
    if (this.reserved(input.name)) refuse(ErrorCode.nameTaken, 'an open room has that name');
    try {
      const row = await this.store.createRoom(
        {
          roomId: input.name,
          kind: 'channel',
          visibility: input.visibility,
          topic: input.topic,
          createdBy: identity.user.id,
        },
        [{ userId: identity.user.id, role: 'owner' }],
      );
      this.access.forget(input.name);
      return row;
    } catch (error) {
      if (error instanceof ChannelExists) refuse(ErrorCode.nameTaken, 'a room by that name exists');
      throw error;
    }
  }

  async list(identity: Identity) {
    if (identity.kind !== 'user') return [];
    return this.store.visibleChannels(identity.user.id);
  }

  async members(identity: Identity, room: RoomId) {
    await this.requireChannel(identity, room);
    return this.store.members(room);
  }

  /** Adds a user (moderators and owners); adding someone as moderator or owner takes an owner. */
  async addMember(identity: Identity, room: RoomId, userId: string, role: Role): Promise<void> {
    const mine = await this.requireChannel(identity, room);
    if (roleRank[mine] < roleRank.moderator)
      refuse(ErrorCode.forbidden, 'only moderators and owners add members');
    if (role !== 'member' && mine !== 'owner')
      refuse(ErrorCode.forbidden, 'only an owner hands out roles');
    if ((await this.accounts.findById(userId)) === undefined)
      refuse(ErrorCode.notFound, 'no such user');
    const current = await this.access.roleOf(room, userId);
    if (current !== undefined && roleRank[current] > roleRank[role] && mine !== 'owner')
      refuse(ErrorCode.forbidden, 'cannot demote');
    if (current === role) return;
    await this.changeMember(room, userId, role, current);
    if (current === undefined) {
      await this.record(identity, room, 'member_added', userId, { role });
      this.effects.roomAdded(userId, {
        type: 'room_added',
        room,
        kind: 'channel',
        by: identity.user,
      });
    } else await this.roleChanged(identity, room, userId, role, current);
  }

  /**
   * Gives a member another role (owners). The room hears of it (`moderated` with `role`),
   * so the member's menus change at once; an owner may step down only if another remains.
   */
  async setRole(identity: Identity, room: RoomId, userId: string, role: Role): Promise<void> {
    const mine = await this.requireChannel(identity, room);
    if (mine !== 'owner') refuse(ErrorCode.forbidden, 'only an owner changes roles');
    const current = await this.access.roleOf(room, userId);
    if (current === undefined) refuse(ErrorCode.notFound, 'not a member');
    if (current === role) return;
    await this.changeMember(room, userId, role, current);
    await this.roleChanged(identity, room, userId, role, current);
  }

  /** Removes a member: yourself (leaving), or someone below you. They stop receiving at once. */
  async removeMember(identity: Identity, room: RoomId, userId: string): Promise<void> {
    const mine = await this.requireChannel(identity, room);
    const leaving = userId === identity.user.id;
    const theirs = leaving ? mine : await this.access.roleOf(room, userId);
    if (theirs === undefined) refuse(ErrorCode.notFound, 'not a member');
    if (!leaving && (roleRank[mine] < roleRank.moderator || roleRank[theirs] >= roleRank[mine]))
      refuse(ErrorCode.forbidden, 'only someone of higher rank may remove a member');
    // The last person out may go; an owner leaving others behind hands the channel on first.
    await this.changeMember(room, userId, undefined, theirs);
    await this.record(identity, room, leaving ? 'member_left' : 'member_removed', userId);
    this.effects.evict(userId, room, 'removed');
  }

  /**
   * Writes a member's new role (`undefined`: out); an owner's change goes through the check
   * that the channel keeps an owner, atomically with the write.
   */
  private async changeMember(
    room: RoomId,
    userId: string,
    role: Role | undefined,
    current: Role | undefined,
  ): Promise<void> {
    if (current !== 'owner') {
      if (role === undefined) await this.access.removeMember(room, userId);
      else await this.access.setMember(room, userId, role);
      return;
    }
    if ((await this.access.changeMemberKeepingOwner(room, userId, role)) === 'last_owner')
      refuse(
        ErrorCode.lastOwner,
        'the channel needs another owner first: make someone else an owner, then step down',
      );
  }

  private async roleChanged(
    identity: Identity,
    room: RoomId,
    userId: string,
    role: Role,
    was: Role,
  ): Promise<void> {
    await this.record(identity, room, 'role', userId, { role, was });
    this.effects.announce(room, {
      type: 'moderated',
      room,
      action: 'role',
      actor: identity.user,
      target: userId,
      role,
    });
  }

  /** Membership changes go in the room's audit log beside moderation. */
  private record(
    identity: Identity,
    room: RoomId,
    action: 'member_added' | 'member_removed' | 'member_left' | 'role',
    userId: string,
    details?: Record<string, unknown>,
  ): Promise<void> {
    return this.store.audit({
      roomId: room,
      actorId: identity.user.id,
      action,
      targetUserId: userId,
      ...(details === undefined ? {} : { details }),
    });
  }

  /**
   * Appoints (`on`) or dismisses a moderator of an open room (an event's room, `global`),
   * whose owners are the admins. Channels name theirs through their members instead.
   */
  async setModerator(identity: Identity, room: RoomId, userId: string, on: boolean) {
    this.requireAccount(identity);
    if ((await this.access.channel(room)) !== null)
      refuse(ErrorCode.forbidden, "a channel's owner gives roles through its members");
    if ((await this.access.rankOf(identity, room)) !== 'owner')
      refuse(ErrorCode.forbidden, 'only an admin (ADMINS) appoints moderators here');
    if ((await this.accounts.findById(userId)) === undefined)
      refuse(ErrorCode.notFound, 'no such user');
    if (on) await this.access.setMember(room, userId, 'moderator');
    else await this.access.removeMember(room, userId);
  }

  /** The one DM room between the caller and `userId`, opened on first use. */
  async openDm(identity: Identity, userId: string): Promise<RoomId> {
    this.requireAccount(identity);
    if (userId === identity.user.id) refuse(ErrorCode.invalidRequest, 'a DM needs someone else');
    if ((await this.accounts.findById(userId)) === undefined)
      refuse(ErrorCode.notFound, 'no such user');
    const room = await this.store.openDm(identity.user.id, userId);
    this.access.forget(room);
    // Both people's room lists (every tab of each) learn of it at once.
    for (const member of [userId, identity.user.id])
      this.effects.roomAdded(member, { type: 'room_added', room, kind: 'dm', by: identity.user });
    return room;
  }

  /** The caller's role in a channel they can see; refuses for open rooms and strangers to private ones. */
  private async requireChannel(identity: Identity, room: RoomId): Promise<Role> {
    this.requireAccount(identity);
    const channel = await this.access.channel(room);
    if (channel === null) refuse(ErrorCode.notFound, 'no such channel');
    const role = await this.access.roleOf(room, identity.user.id);
    if (role === undefined) {
      refuse(
        channel.visibility === 'public' ? ErrorCode.forbidden : ErrorCode.notFound,
        channel.visibility === 'public' ? 'join the channel first' : 'no such channel',
      );
    }
    return role;
  }
}
