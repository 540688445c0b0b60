import {
  type ChatMessage,
  ErrorCode,
  isEmoteOnly,
  type RoomId,
  type RoomModes,
} from '@hubbub/protocol';
import type { Identity } from '../auth/authenticator.js';
import type { Clearance, Refusal, RoomGuard, SendContent } from '../gateway/guard.js';
import { anyModeOn, fingerprint, RecentMessages } from './modes.js';
import { type Role, roleRank, type SanctionKind } from './schema.js';
import type { ChannelRow, ChannelStore, Sanction } from './store.js';

interface UserState {
  role: Role | undefined;
  sanctions: Sanction[];
  lastSentAt: number;
}

/** Someone's footing in a room, for sending: refused, or allowed with their role there. */
type Standing = { refusal: Refusal } | { role: Role | undefined; user: UserState | undefined };

interface RoomState {
  /** null: an open room (`global`, event rooms): anyone may join, guests included. */
  channel: ChannelRow | null;
  /**
   * Whether the room exists: a channel or DM, a standing open room (`global`, OPEN_ROOMS,
   * event rooms), or an open room someone opened (it has a head in the store). A state of
   * a room that does not exist is never cached: guesses at names must not fill memory.
   */
  known: boolean;
  modes: RoomModes;
  /**
   * Channels: the people looked up so far, members or not. Open rooms: everyone with a
   * role or a sanction there, all loaded with the room (they are few, the crowd is many),
   * so a crowd's joins cost no lookups; anyone else is a plain viewer.
   */
  users: Map<string, UserState>;
  /** Open rooms, while slow mode is on: when each plain viewer last sent. */
  lastSent: Map<string, number>;
  /** Unique chat: what the room said lately. */
  recent: RecentMessages;
  /** Sends cleared here lately (`user\ncid` → when), to know a resend from a new send. */
  cleared: Map<string, number>;
}

function active(sanctions: Sanction[], kind: SanctionKind, now: number): Sanction | undefined {
  return sanctions.find((s) => s.kind === kind && (s.until === null || s.until > now));
}

function until(sanction: Sanction): string {
  return sanction.until === null
    ? 'until lifted'
    : `until ${new Date(sanction.until).toISOString()}`;
}

/** Who someone is, as far as rank goes: their id and, for an account, their login. */
type Person = Pick<Identity, 'user'> & { login?: string | undefined };

const refusal = (code: ErrorCode, message: string): { refusal: Refusal } => ({
  refusal: { code, message },
});

/** Where open rooms come from, besides channels and DMs. */
export interface RoomOpening {
  /**
   * Rooms that exist without anyone opening them: `global`, OPEN_ROOMS, and event rooms
   * (whose guard checks the event).
   */
  standing(room: RoomId): boolean;
  /** New open rooms an account may open in an hour by joining unused names (0: none). */
  perAccountPerHour: number;
}

const hourMs = 3600_000;

/** Plain viewers' slow-mode clocks kept per open room before old ones are dropped. */
const lastSentKept = 10_000;
/** Cleared sends remembered per room to know resends by: this many, this long at most. */
const clearedKept = 10_000;
const clearedForMs = 10 * 60_000;

/** Notes `key` as cleared at `now`, forgetting the oldest past the bounds. */
function remember(cleared: Map<string, number>, key: string, now: number): void {
  cleared.delete(key);
  cleared.set(key, now);
  for (const [oldest, at] of cleared) {
    if (cleared.size <= clearedKept && now - at < clearedForMs) break;
    cleared.delete(oldest);
  }
}

/**
 * The rules of rooms, cached per node so the send path stays in memory: who is a member
 * and in what role, who is muted or banned, and the crowd modes. Every change goes through
 * this class, which writes the store first, then its cache, then tells the other nodes
 * (`changed`), which reload what they cached (`refresh`). The logins in `admins` own every
 * open room: they moderate events and `global`, and appoint moderators there.
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
    private readonly admins: ReadonlySet<string> = new Set(),
    private readonly opening: RoomOpening = {
      standing: (room) => room === 'global',
      perAccountPerHour: 10,
    },
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

  /** Whether an open room (one without a channel row) exists. */
  private async exists(roomId: RoomId): Promise<boolean> {
    return this.opening.standing(roomId) || (await this.store.roomExists(roomId));
  }

  /** A room's settings: its channel row, modes and, for an open room, its roster. */
  private async settings(roomId: RoomId) {
    const [channel, modes, exists] = await Promise.all([
      this.store.findChannel(roomId),
      this.store.modes(roomId),
      this.exists(roomId),
    ]);
    const roster = channel === undefined && exists ? await this.store.roster(roomId) : new Map();
    const users = new Map<string, UserState>();
    for (const [id, entry] of roster) users.set(id, { ...entry, lastSentAt: 0 });
    return { channel: channel ?? null, known: channel !== undefined || exists, modes, users };
  }

  private room(roomId: RoomId): Promise<RoomState> {
    let state = this.rooms.get(roomId);
    if (state === undefined) {
      const loading = this.current(roomId, '', () => this.settings(roomId)).then((settings) => {
        const loaded: RoomState = {
          ...settings,
          lastSent: new Map(),
          recent: new RecentMessages(),
          cleared: new Map(),
        };
        if (loaded.known) this.loaded.set(roomId, loaded);
        else if (this.rooms.get(roomId) === loading) this.rooms.delete(roomId);
        return loaded;
      });
      loading.catch(() => this.rooms.delete(roomId));
      this.rooms.set(roomId, loading);
      state = loading;
    }
    return state;
  }

  /** A channel's view of a user, looked up on first sight. Open rooms keep a roster instead. */
  private async user(room: RoomState, roomId: RoomId, userId: string): Promise<UserState> {
    let user = room.users.get(userId);
    if (user === undefined) {
      if (room.channel === null) {
        user = { role: undefined, sanctions: [], lastSentAt: room.lastSent.get(userId) ?? 0 };
      } else {
        const [role, sanctions] = await this.current(roomId, userId, () =>
          Promise.all([this.store.role(roomId, userId), this.store.sanctions(roomId, userId)]),
        );
        user = room.users.get(userId) ?? { role, sanctions, lastSentAt: 0 };
      }
      room.users.set(userId, user);
    }
    return user;
  }

  private isAdmin(identity: Person): boolean {
    return identity.login !== undefined && this.admins.has(identity.login.toLowerCase());
  }

  /** The person's role in the room: their own, or owner of an open room as an admin. */
  private roleIn(state: RoomState, identity: Person): Role | undefined {
    const role = state.users.get(identity.user.id)?.role;
    if (state.channel === null && this.isAdmin(identity)) return 'owner';
    return role;
  }

  /** The room's channel row, or null for an open room. */
  async channel(roomId: RoomId): Promise<ChannelRow | null> {
    return (await this.room(roomId)).channel;
  }

  /** A user's own role in the room (admins' ownership of open rooms aside: see `rankOf`). */
  async roleOf(roomId: RoomId, userId: string): Promise<Role | undefined> {
    const room = await this.room(roomId);
    if (room.channel === null) return room.users.get(userId)?.role;
    return (await this.user(room, roomId, userId)).role;
  }

  /** The person's authority in the room, admins' ownership of open rooms included. */
  async rankOf(identity: Identity, roomId: RoomId): Promise<Role | undefined> {
    const room = await this.room(roomId);
    if (room.channel !== null) await this.user(room, roomId, identity.user.id);
    return this.roleIn(room, identity);
  }

  /** Someone else's authority in the room, by id: an admin's ownership of open rooms too. */
  async rankOfUser(roomId: RoomId, userId: string): Promise<Role | undefined> {
    const room = await this.room(roomId);
    if (room.channel !== null) return (await this.user(room, roomId, userId)).role;
    const role = room.users.get(userId)?.role;
    if (role === 'owner' || this.admins.size === 0) return role;
    const login = await this.store.login(userId);
    return this.roleIn(room, { user: { id: userId, name: '' }, login });
  }

  /** The room's crowd modes. */
  async modes(roomId: RoomId): Promise<RoomModes> {
    return (await this.room(roomId)).modes;
  }

  /** The crowd modes of a room joined on this node (its rules are loaded), if any is on. */
  modesOf(roomId: RoomId): RoomModes | undefined {
    const modes = this.loaded.get(roomId)?.modes;
    return modes !== undefined && anyModeOn(modes) ? modes : undefined;
  }

  /** Whether the person moderates the room (moderator, owner, or an admin in an open room). */
  moderates(identity: Person, roomId: RoomId): boolean {
    const state = this.loaded.get(roomId);
    const role = state === undefined ? undefined : this.roleIn(state, identity);
    return role !== undefined && roleRank[role] >= roleRank.moderator;
  }

  /** Read access: history and resume. No side effects. */
  async canRead(identity: Identity, roomId: RoomId): Promise<Refusal | undefined> {
    const room = await this.room(roomId);
    const now = Date.now();
    if (!room.known) return { code: ErrorCode.notFound, message: 'no such room' };
    if (room.channel === null) {
      // Open rooms' rules are all in memory: the roster holds everyone banned.
      const ban = active(room.users.get(identity.user.id)?.sanctions ?? [], 'ban', now);
      return ban === undefined
        ? undefined
        : { code: ErrorCode.banned, message: `banned from this room ${until(ban)}` };
    }
    const user = await this.user(room, roomId, identity.user.id);
    const ban = active(user.sanctions, 'ban', now);
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
    return [
      'global',
      ...readable.filter((room): room is RoomId => room !== null && room !== 'global'),
    ];
  }

  async admit(identity: Identity, roomId: RoomId): Promise<Refusal | undefined> {
    if (!(await this.room(roomId)).known) {
      const refused = await this.open(identity, roomId);
      if (refused !== undefined) return refused;
    }
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

  /**
   * Opens an open room under a name nobody uses, for an account within its hourly
   * allowance. Guests cannot: their tokens cost nothing, and every room is a row kept until
   * collected, and a name taken. Names with a `:` belong to features (events, DMs).
   */
  private async open(identity: Identity, roomId: RoomId): Promise<Refusal | undefined> {
    const limit = this.opening.perAccountPerHour;
    if (roomId.includes(':') || limit === 0)
      return { code: ErrorCode.notFound, message: 'no such room' };
    if (identity.kind !== 'user')
      return {
        code: ErrorCode.notFound,
        message: 'no such room: guests join rooms that exist; sign in to open one',
      };
    const opened = await this.store.openRoom(roomId, identity.user.id, limit, Date.now() - hourMs);
    if (!opened)
      return {
        code: ErrorCode.rateLimited,
        message: `you may open ${limit} new rooms an hour: join one that exists, or wait`,
      };
    // A read of the room under way reads again and finds it open; none is cached otherwise
    // (nor on other nodes): a room that did not exist never is.
    this.bump(roomId);
    return undefined;
  }

  checkSend(
    identity: Identity,
    roomId: RoomId,
    now: number,
    message: SendContent,
  ): Refusal | Clearance {
    const { cid } = message;
    const state = this.loaded.get(roomId);
    // Sends follow a join, and the join loaded this; a miss means the rules changed under us.
    if (state === undefined) return { code: ErrorCode.notInRoom, message: 'join the room again' };
    const standing = this.standing(identity, state, now);
    if ('refusal' in standing) return standing.refusal;
    const { role, user } = standing;
    const modes = state.modes;
    const exempt = role !== undefined && roleRank[role] >= roleRank.moderator;
    const id = identity.user.id;
    const delayMs = exempt ? 0 : modes.delaySeconds * 1000;
    // A resend of a send cleared here lately (its ack was lost) counts no second time: it
    // goes on, and the bus answers it with the original's ack.
    const sendKey = `${id}\n${cid}`;
    if (state.cleared.has(sendKey)) return { slowModeMs: 0, delayMs };
    const slowMs = modes.slowModeSeconds * 1000;
    const uniqueMs = modes.uniqueChatSeconds * 1000;
    const print = uniqueMs > 0 ? fingerprint(message.content) : undefined;
    const previous = user?.lastSentAt ?? state.lastSent.get(id) ?? 0;
    if (!exempt) {
      if (modes.membersOnly && identity.kind === 'guest')
        return {
          code: ErrorCode.membersOnly,
          message: 'members-only mode: sign in to chat here',
        };
      if (modes.emoteOnly && (!isEmoteOnly(message.content) || message.attachments !== undefined))
        return { code: ErrorCode.emoteOnly, message: 'emote-only mode: emoji only' };
      if (slowMs > 0 && now - previous < slowMs) {
        const wait = Math.ceil((slowMs - (now - previous)) / 1000);
        return { code: ErrorCode.slowMode, message: `slow mode: wait ${wait} s between messages` };
      }
      const said = print === undefined ? undefined : state.recent.seen(print, now, uniqueMs);
      // The same person's message from another node (the bus carries no cid) may be their
      // own resend there: the bus, which knows cids, answers that one.
      if (said !== undefined && (said.user !== id || said.cid !== undefined))
        return {
          code: ErrorCode.duplicateMessage,
          message: `unique chat: that was said in the last ${modes.uniqueChatSeconds} s`,
        };
    }
    if (user !== undefined) user.lastSentAt = now;
    else if (slowMs > 0) this.sentInOpenRoom(state, id, now, slowMs);
    if (print !== undefined) state.recent.record(print, { at: now, user: id, cid }, uniqueMs);
    remember(state.cleared, sendKey, now);
    const undo = () => {
      state.cleared.delete(sendKey);
      if (print !== undefined) state.recent.forget(print, now);
      if (user !== undefined) {
        if (user.lastSentAt === now) user.lastSentAt = previous;
      } else if (state.lastSent.get(id) === now) state.lastSent.set(id, previous);
    };
    return { slowModeMs: exempt ? 0 : slowMs, delayMs, undo };
  }

  /** A plain viewer's send in an open room in slow mode; clocks long run out are dropped. */
  private sentInOpenRoom(state: RoomState, userId: string, now: number, slowMs: number): void {
    state.lastSent.delete(userId);
    state.lastSent.set(userId, now);
    if (state.lastSent.size <= lastSentKept) return;
    for (const [oldest, at] of state.lastSent) {
      if (now - at < slowMs) break;
      state.lastSent.delete(oldest);
    }
  }

  /** A message the room got, from any node: unique chat remembers it. */
  observe(message: Pick<ChatMessage, 'room' | 'content' | 'user'>, now = Date.now()): void {
    const state = this.loaded.get(message.room);
    const windowMs = (state?.modes.uniqueChatSeconds ?? 0) * 1000;
    if (state === undefined || windowMs === 0) return;
    state.recent.record(fingerprint(message.content), { at: now, user: message.user.id }, windowMs);
  }

  checkEdit(identity: Identity, roomId: RoomId, now: number, content: string): Refusal | undefined {
    const state = this.loaded.get(roomId);
    if (state === undefined) return { code: ErrorCode.notInRoom, message: 'join the room again' };
    const standing = this.standing(identity, state, now);
    if ('refusal' in standing) return standing.refusal;
    const exempt = standing.role !== undefined && roleRank[standing.role] >= roleRank.moderator;
    if (exempt) return undefined;
    if (state.modes.membersOnly && identity.kind === 'guest')
      return { code: ErrorCode.membersOnly, message: 'members-only mode: sign in to chat here' };
    if (state.modes.emoteOnly && !isEmoteOnly(content))
      return { code: ErrorCode.emoteOnly, message: 'emote-only mode: emoji only' };
    return undefined;
  }

  maySpeak(identity: Identity, roomId: RoomId, now: number): boolean {
    const state = this.loaded.get(roomId);
    if (state === undefined || 'refusal' in this.standing(identity, state, now)) return false;
    return !(
      state.modes.membersOnly &&
      identity.kind === 'guest' &&
      !this.moderates(identity, roomId)
    );
  }

  /** Whether the person may send to the room at all, crowd modes aside, from the join's cache. */
  private standing(identity: Identity, state: RoomState, now: number): Standing {
    const user = state.users.get(identity.user.id);
    if (state.channel !== null && user === undefined)
      return refusal(ErrorCode.notInRoom, 'join the room again');
    const sanctions = user?.sanctions ?? [];
    const ban = active(sanctions, 'ban', now);
    if (ban !== undefined) return refusal(ErrorCode.banned, `banned from this room ${until(ban)}`);
    const mute = active(sanctions, 'mute', now);
    if (mute !== undefined) return refusal(ErrorCode.muted, `muted in this room ${until(mute)}`);
    if (state.channel?.visibility === 'private' && user?.role === undefined)
      return refusal(ErrorCode.forbidden, 'not a member of this room');
    return { role: this.roleIn(state, identity), user };
  }

  // ---- changes: store first, then the cache ----

  async setMember(roomId: RoomId, userId: string, role: Role): Promise<void> {
    await this.store.setMember(roomId, userId, role);
    const room = await this.room(roomId);
    // An open room's roster takes in its new moderator; a channel's cache may wait.
    const user =
      room.channel === null ? await this.user(room, roomId, userId) : room.users.get(userId);
    if (user !== undefined) user.role = role;
    this.bump(roomId, userId);
    this.changed(roomId, userId);
  }

  /**
   * A channel member's new role (`undefined`: removed) that keeps the channel an owner while
   * others remain (ChannelStore.changeMemberKeepingOwner); 'last_owner' when it would not.
   */
  async changeMemberKeepingOwner(
    roomId: RoomId,
    userId: string,
    role: Role | undefined,
  ): Promise<'done' | 'last_owner'> {
    const outcome = await this.store.changeMemberKeepingOwner(roomId, userId, role);
    if (outcome === 'done') await this.roleWritten(roomId, userId, role);
    return outcome;
  }

  async removeMember(roomId: RoomId, userId: string): Promise<boolean> {
    const removed = await this.store.removeMember(roomId, userId);
    await this.roleWritten(roomId, userId, undefined);
    return removed;
  }

  /** A channel member's role was written: this node's cache follows, and the others hear. */
  private async roleWritten(roomId: RoomId, userId: string, role: Role | undefined) {
    const user = (await this.room(roomId)).users.get(userId);
    if (user !== undefined) user.role = role;
    this.bump(roomId, userId);
    this.changed(roomId, userId);
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

  /**
   * Switches some of a room's modes; answers all of them as stored by this switch. The
   * cache is read again after it: another node's switch may have been stored just after
   * ours, and its notice, arriving while ours was on its way, would be dropped here as
   * overtaken.
   */
  async setModes(roomId: RoomId, change: Partial<RoomModes>): Promise<RoomModes> {
    const modes = await this.store.setModes(roomId, change);
    const room = await this.room(roomId);
    room.modes = modes;
    if (modes.uniqueChatSeconds === 0) room.recent.clear();
    if (modes.slowModeSeconds === 0) room.lastSent.clear();
    this.bump(roomId);
    this.changed(roomId);
    await this.refresh(roomId);
    return modes;
  }

  /** Drops what this node cached of a room that closed (an event's room): no one is in it. */
  release(roomId: RoomId): void {
    this.rooms.delete(roomId);
    this.loaded.delete(roomId);
    this.bump(roomId);
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
    // A load under way reads the room's settings, an open room's roster included, again.
    if (userId !== undefined && !this.loaded.has(roomId) && this.rooms.has(roomId))
      this.bump(roomId);
    const state = this.loaded.get(roomId);
    if (state === undefined) return;
    if (userId === undefined) {
      const [channel, modes, exists] = await Promise.all([
        this.store.findChannel(roomId),
        this.store.modes(roomId),
        this.exists(roomId),
      ]);
      if (this.version(roomId) !== version) return;
      if (channel === undefined && !exists) {
        // An empty open room was collected: this node no longer knows it either.
        this.rooms.delete(roomId);
        this.loaded.delete(roomId);
        return;
      }
      state.channel = channel ?? null;
      state.modes = modes;
      if (modes.uniqueChatSeconds === 0) state.recent.clear();
      if (modes.slowModeSeconds === 0) state.lastSent.clear();
      return;
    }
    // An open room's roster must hold everyone with a role or sanction: load newcomers too.
    if (state.channel !== null && !state.users.has(userId)) return;
    const [role, sanctions] = await Promise.all([
      this.store.role(roomId, userId),
      this.store.sanctions(roomId, userId),
    ]);
    if (this.version(roomId, userId) !== version) return;
    const user = state.users.get(userId);
    if (user !== undefined) {
      user.role = role;
      user.sanctions = sanctions;
    } else if (role !== undefined || sanctions.length > 0) {
      state.users.set(userId, { role, sanctions, lastSentAt: state.lastSent.get(userId) ?? 0 });
    }
  }

  /** Reloads everything cached: this node may have missed changes (its bus link was down). */
  async refreshAll(): Promise<void> {
    for (const [roomId, state] of this.loaded) {
      await this.refresh(roomId);
      if (state.channel === null) {
        // An open room's roster may have gained people this node never heard of.
        // A person whose standing changed while the roster was read keeps the newer one.
        const before = new Map(this.versions);
        const roster = await this.store.roster(roomId);
        const changed = (userId: string) => {
          const key = `${roomId}\n${userId}`;
          return this.versions.get(key) !== before.get(key);
        };
        for (const [userId, entry] of roster) {
          if (changed(userId)) continue;
          const user = state.users.get(userId);
          if (user === undefined) state.users.set(userId, { ...entry, lastSentAt: 0 });
          else Object.assign(user, entry);
        }
        for (const [userId, user] of state.users)
          if (!roster.has(userId) && !changed(userId))
            Object.assign(user, { role: undefined, sanctions: [] });
        continue;
      }
      for (const userId of [...state.users.keys()]) await this.refresh(roomId, userId);
    }
  }
}
