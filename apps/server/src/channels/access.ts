import { ErrorCode, type RoomId } from '@hubbub/protocol';
import type { Identity } from '../auth/authenticator.js';
import type { Clearance, Refusal, RoomGuard } from '../gateway/guard.js';
import { type Role, roleRank, type SanctionKind } from './schema.js';
import type { ChannelRow, ChannelStore, Sanction } from './store.js';

interface UserState {
  role: Role | undefined;
  sanctions: Sanction[];
  lastSentAt: number;
}

/** Someone's footing in a room, for sending: no rules, refused, or a member in good standing. */
type Standing =
  | { kind: 'open' }
  | { kind: 'refused'; refusal: Refusal }
  | { kind: 'member'; user: UserState; channel: ChannelRow };

interface RoomState {
  /** null: an open room (no rules). */
  channel: ChannelRow | null;
  users: Map<string, UserState>;
}

function active(sanctions: Sanction[], kind: SanctionKind, now: number): Sanction | undefined {
  return sanctions.find((s) => s.kind === kind && (s.until === null || s.until > now));
}

function until(sanction: Sanction): string {
  return sanction.until === null
    ? 'until lifted'
    : `until ${new Date(sanction.until).toISOString()}`;
}

/**
 * The rules of rooms, cached per node so the send path stays in memory: who is a member
 * and in what role, who is muted or banned, and slow mode. Every change goes through this
 * class, which writes the store first, then its cache, then tells the other nodes
 * (`changed`), which reload what they cached (`refresh`).
 */
export class RoomAccess implements RoomGuard {
  private readonly rooms = new Map<RoomId, Promise<RoomState>>();
  /** The same states once loaded, for the synchronous send check. */
  private readonly loaded = new Map<RoomId, RoomState>();
  /**
   * Bumped by every change and every reload of a room's settings (key `room\n`) or of a
   * user's standing in it (`room\nuser`): a read that started before a bump is stale and
   * is not applied.
   */
  private readonly versions = new Map<string, number>();

  /**
   * @param changed told after each change is stored, to pass on to the other nodes: the
   *   room, and the user whose standing changed (none: the room's own settings).
   */
  constructor(
    private readonly store: ChannelStore,
    private readonly changed: (room: RoomId, user?: string) => void = () => {},
  ) {}

  private bump(roomId: RoomId, userId = ''): number {
    const key = `${roomId}\n${userId}`;
    const version = (this.versions.get(key) ?? 0) + 1;
    this.versions.set(key, version);
    return version;
  }

  private version(roomId: RoomId, userId = ''): number {
    return this.versions.get(`${roomId}\n${userId}`) ?? 0;
  }

  /** Reads until no change or reload came in while reading: the answer is current. */
  private async current<T>(roomId: RoomId, userId: string, read: () => Promise<T>): Promise<T> {
    for (;;) {
      const before = this.version(roomId, userId);
      const value = await read();
      if (this.version(roomId, userId) === before) return value;
    }
  }

  private room(roomId: RoomId): Promise<RoomState> {
    let state = this.rooms.get(roomId);
    if (state === undefined) {
      state = this.current(roomId, '', () => this.store.findChannel(roomId)).then((channel) => {
        const loaded: RoomState = { channel: channel ?? null, users: new Map() };
        this.loaded.set(roomId, loaded);
        return loaded;
      });
      state.catch(() => this.rooms.delete(roomId));
      this.rooms.set(roomId, state);
    }
    return state;
  }

  private async user(room: RoomState, roomId: RoomId, userId: string): Promise<UserState> {
    let user = room.users.get(userId);
    if (user === undefined) {
      const [role, sanctions] = await this.current(roomId, userId, () =>
        Promise.all([this.store.role(roomId, userId), this.store.sanctions(roomId, userId)]),
      );
      user = room.users.get(userId) ?? { role, sanctions, lastSentAt: 0 };
      room.users.set(userId, user);
    }
    return user;
  }

  /** The room's channel row, or null for an open room. */
  async channel(roomId: RoomId): Promise<ChannelRow | null> {
    return (await this.room(roomId)).channel;
  }

  async roleOf(roomId: RoomId, userId: string): Promise<Role | undefined> {
    return (await this.user(await this.room(roomId), roomId, userId)).role;
  }

  /** Read access: history and resume. No side effects. */
  async canRead(identity: Identity, roomId: RoomId): Promise<Refusal | undefined> {
    const room = await this.room(roomId);
    // Open rooms have no rules and no moderators, hence no sanctions: a crowd joining an
    // event room costs no per-user lookups and no per-user memory.
    if (room.channel === null) return undefined;
    const user = await this.user(room, roomId, identity.user.id);
    const ban = active(user.sanctions, 'ban', Date.now());
    if (ban !== undefined)
      return { code: ErrorCode.banned, message: `banned from this room ${until(ban)}` };
    if (identity.kind === 'guest')
      return { code: ErrorCode.forbidden, message: 'guests may only join open rooms' };
    if (room.channel.visibility === 'public') return undefined;
    if (user.role === undefined)
      return { code: ErrorCode.forbidden, message: 'this room is private' };
    return undefined;
  }

  /**
   * Where a search without a room looks: `global`, and every channel and DM the person is a
   * member of and may still read (a ban ends it).
   */
  async searchableRooms(identity: Identity): Promise<RoomId[]> {
    if (identity.kind === 'guest') return ['global'];
    const rooms = await this.store.memberRooms(identity.user.id);
    const readable = await Promise.all(
      rooms.map(async (room) => ((await this.canRead(identity, room)) === undefined ? room : null)),
    );
    return ['global', ...readable.filter((room): room is RoomId => room !== null)];
  }

  async admit(identity: Identity, roomId: RoomId): Promise<Refusal | undefined> {
    const refusal = await this.canRead(identity, roomId);
    if (refusal !== undefined) return refusal;
    const room = await this.room(roomId);
    if (room.channel === null) return undefined;
    const user = await this.user(room, roomId, identity.user.id);
    // Joining a public channel makes you a member of it, as in Slack.
    if (room.channel.visibility === 'public' && user.role === undefined) {
      await this.store.setMember(roomId, identity.user.id, 'member');
      user.role = 'member';
      this.bump(roomId, identity.user.id);
      this.changed(roomId, identity.user.id);
    }
    return undefined;
  }

  checkSend(identity: Identity, roomId: RoomId, now: number): Refusal | Clearance {
    const standing = this.standing(identity, roomId, now);
    if (standing.kind === 'open') return { slowModeMs: 0 };
    if (standing.kind === 'refused') return standing.refusal;
    const { user, channel } = standing;
    const slow = channel.slow_mode_seconds;
    const exempt = user.role !== undefined && roleRank[user.role] >= roleRank.moderator;
    if (slow > 0 && !exempt && now - user.lastSentAt < slow * 1000) {
      const wait = Math.ceil((slow * 1000 - (now - user.lastSentAt)) / 1000);
      return { code: ErrorCode.slowMode, message: `slow mode: wait ${wait} s between messages` };
    }
    const previous = user.lastSentAt;
    user.lastSentAt = now;
    const undo = () => {
      if (user.lastSentAt === now) user.lastSentAt = previous;
    };
    return { slowModeMs: exempt ? 0 : slow * 1000, undo };
  }

  maySpeak(identity: Identity, roomId: RoomId, now: number): boolean {
    return this.standing(identity, roomId, now).kind !== 'refused';
  }

  /** Whether the person may send to the room at all, slow mode aside, from the join's cache. */
  private standing(identity: Identity, roomId: RoomId, now: number): Standing {
    // Sends follow a join, and the join loaded this; a miss means the rules changed under us.
    const state = this.loaded.get(roomId);
    if (state?.channel === null) return { kind: 'open' };
    const user = state?.users.get(identity.user.id);
    const refused = (code: ErrorCode, message: string): Standing => ({
      kind: 'refused',
      refusal: { code, message },
    });
    if (state === undefined || user === undefined)
      return refused(ErrorCode.notInRoom, 'join the room again');
    const ban = active(user.sanctions, 'ban', now);
    if (ban !== undefined) return refused(ErrorCode.banned, `banned from this room ${until(ban)}`);
    const mute = active(user.sanctions, 'mute', now);
    if (mute !== undefined) return refused(ErrorCode.muted, `muted in this room ${until(mute)}`);
    if (state.channel.visibility === 'private' && user.role === undefined)
      return refused(ErrorCode.forbidden, 'not a member of this room');
    return { kind: 'member', user, channel: state.channel };
  }

  // ---- changes: store first, then the cache ----

  async setMember(roomId: RoomId, userId: string, role: Role): Promise<void> {
    await this.store.setMember(roomId, userId, role);
    const user = (await this.room(roomId)).users.get(userId);
    if (user !== undefined) user.role = role;
    this.bump(roomId, userId);
    this.changed(roomId, userId);
  }

  async removeMember(roomId: RoomId, userId: string): Promise<boolean> {
    const removed = await this.store.removeMember(roomId, userId);
    const user = (await this.room(roomId)).users.get(userId);
    if (user !== undefined) user.role = undefined;
    this.bump(roomId, userId);
    this.changed(roomId, userId);
    return removed;
  }

  async sanction(roomId: RoomId, userId: string, sanction: Sanction, by: string): Promise<void> {
    await this.store.setSanction(roomId, userId, sanction, by);
    const user = await this.user(await this.room(roomId), roomId, userId);
    user.sanctions = [...user.sanctions.filter((s) => s.kind !== sanction.kind), sanction];
    this.bump(roomId, userId);
    this.changed(roomId, userId);
  }

  async lift(roomId: RoomId, userId: string, kind: SanctionKind): Promise<void> {
    await this.store.liftSanction(roomId, userId, kind);
    const user = (await this.room(roomId)).users.get(userId);
    if (user !== undefined) user.sanctions = user.sanctions.filter((s) => s.kind !== kind);
    this.bump(roomId, userId);
    this.changed(roomId, userId);
  }

  async setSlowMode(roomId: RoomId, seconds: number): Promise<void> {
    await this.store.setSlowMode(roomId, seconds);
    const room = await this.room(roomId);
    if (room.channel !== null) room.channel = { ...room.channel, slow_mode_seconds: seconds };
    this.bump(roomId);
    this.changed(roomId);
  }

  /** Forgets a room's cached rules (a channel was just created under that name). */
  forget(roomId: RoomId): void {
    this.rooms.delete(roomId);
    this.loaded.delete(roomId);
    this.bump(roomId);
    this.changed(roomId);
  }

  /**
   * Reloads what this node cached of a room's rules after another node changed them: the
   * user's role and sanctions, or the room's settings. A load under way is told to read
   * again; a reload overtaken by a newer change or reload is dropped; what is not cached
   * stays unloaded; the slow-mode clock is kept.
   */
  async refresh(roomId: RoomId, userId?: string): Promise<void> {
    const version = this.bump(roomId, userId);
    const state = this.loaded.get(roomId);
    if (state === undefined) return;
    if (userId === undefined) {
      const channel = (await this.store.findChannel(roomId)) ?? null;
      if (this.version(roomId) === version) state.channel = channel;
      return;
    }
    if (!state.users.has(userId)) return;
    const [role, sanctions] = await Promise.all([
      this.store.role(roomId, userId),
      this.store.sanctions(roomId, userId),
    ]);
    const user = state.users.get(userId);
    if (user === undefined || this.version(roomId, userId) !== version) return;
    user.role = role;
    user.sanctions = sanctions;
  }

  /** Reloads everything cached: this node may have missed changes (its bus link was down). */
  async refreshAll(): Promise<void> {
    for (const [roomId, state] of this.loaded) {
      await this.refresh(roomId);
      for (const userId of [...state.users.keys()]) await this.refresh(roomId, userId);
    }
  }
}
