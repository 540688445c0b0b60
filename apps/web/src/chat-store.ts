import type {
  Attachment,
  ChatMessage,
  ModeratedFrame,
  MyRooms,
  PresenceFrame,
  RoomAddedFrame,
  RoomId,
  UserRef,
} from '@hubbub/protocol';
import { type ClientState, HubbubClient, HubbubError, TypingRoster } from '@hubbub/sdk';
import { toast } from 'sonner';
import { describeModeration } from './moderation-text.js';
import { type Pointers, ReadState } from './read-state.js';
import { CrowdState } from './room/crowd.js';
import {
  addPending,
  dropPending,
  emptyTimeline,
  failPending,
  findBySeq,
  mergeMessages,
  settlePending,
  type Timeline,
} from './timeline.js';

export interface Connection {
  state: ClientState;
  /** The server's id for the current session; a new one after every reconnect. */
  session: string | undefined;
  /** When reconnecting: the moment the next attempt starts. */
  retryAt: number | undefined;
}

const nobody: readonly UserRef[] = [];

const explain: Record<string, string> = {
  rate_limited: 'You are sending too fast. Your message will be retried.',
  muted: 'You are muted in this room.',
  banned: 'You are banned from this room.',
  slow_mode: 'Slow mode is on in this room.',
  members_only: 'Members-only mode: sign in to chat here.',
  emote_only: 'Emote-only mode: emoji only.',
  duplicate_message: 'Unique chat: that was just said. Say something new.',
  message_removed: 'Your message was removed before anyone saw it.',
  forbidden: 'You are not allowed to do that here.',
  not_in_room: 'Join the room first.',
  invalid_frame: 'The server refused that message.',
  unavailable: 'The server is out of reach. Retrying…',
};

/** Why the page may not show a room: a refused join, or being put out of it. */
export interface Refusal {
  code: string;
  message: string;
}

/**
 * The page's view of the chat: one client, a timeline per room, the connection state.
 * React reads it through useSyncExternalStore; every change makes new objects.
 */
export class ChatStore {
  readonly client: HubbubClient;
  /** Rooms' crowd modes, our moderation of them, and what their chat delay holds. */
  readonly crowd: CrowdState;
  private timelines = new Map<RoomId, Timeline>();
  /** Rooms we are leaving by our own choice: the server's removal notice is no news. */
  private readonly leaving = new Set<RoomId>();
  /** Rooms joined to be kept up to date in the background (see joinAll): channels and DMs. */
  private readonly background = new Set<RoomId>();
  /** Receipts and unread counts of those rooms. */
  private readonly reads: ReadState;
  /** Rooms this page may not show now, and why (see `refusal`). */
  private refusals = new Map<RoomId, Refusal>();
  private connection: Connection = { state: 'connecting', session: undefined, retryAt: undefined };
  private readonly listeners = new Set<() => void>();

  /** Who is typing, per room, and the list last computed from it (a stable snapshot). */
  private readonly rosters = new Map<RoomId, { roster: TypingRoster; typing: UserRef[] }>();
  private typingTimer: ReturnType<typeof setTimeout> | undefined;

  /** Per room being caught up (see catchUp): the seqs that changed live meanwhile. */
  private readonly catchingUp = new Map<RoomId, Set<number>>();

  /** Live messages not yet in a timeline: merged together once the current task is done. */
  private inbox = new Map<RoomId, ChatMessage[]>();

  constructor(
    url: string,
    token: () => Promise<string>,
    readonly me: { id: string; name: string },
    hooks: {
      /** The login is gone for good (revoked, expired): sign in again. */
      onSessionEnded: () => void;
      /** Someone gave us a room (a DM, a private channel): the room list is stale. */
      onRoomAdded: (frame: RoomAddedFrame) => void;
      /** Someone `@mentioned` us: say so unless that room is on screen. */
      onMentioned: (message: ChatMessage) => void;
      /** A channel's members or their roles changed: lists and menus are stale. */
      onMembersChanged: (room: RoomId) => void;
    },
  ) {
    this.client = new HubbubClient({ url, token });
    this.reads = new ReadState(me.id);
    this.crowd = new CrowdState(this.client, me.id, () => this.changed());
    // A busy room delivers a batch frame of many messages; merging and rendering them one
    // by one would redo the timeline per message, so they are collected and merged at once.
    this.client.on('message', (message) => {
      const queued = this.inbox.get(message.room);
      if (queued !== undefined) queued.push(message);
      else {
        if (this.inbox.size === 0) queueMicrotask(() => this.flushInbox());
        this.inbox.set(message.room, [message]);
      }
    });
    this.client.on('state', (state) => {
      this.connection = {
        ...this.connection,
        state,
        retryAt: state === 'reconnecting' ? this.connection.retryAt : undefined,
      };
      this.changed();
    });
    this.client.on('reconnecting', ({ delayMs }) => {
      this.connection = {
        ...this.connection,
        state: 'reconnecting',
        retryAt: Date.now() + delayMs,
      };
      this.changed();
    });
    this.client.on('ready', (frame) => {
      this.connection = { ...this.connection, session: frame.session };
      this.reads.login = frame.login;
      this.changed();
    });
    // One toast per kind of trouble: a flapping connection updates it instead of stacking more.
    this.client.on('error', (error) => {
      if (error.code === 'auth_failed') hooks.onSessionEnded();
      else toast.error(explain[error.code] ?? error.message, { id: error.code });
    });
    this.client.on('throttled', (error) =>
      toast.warning(explain[error.code] ?? error.message, { id: error.code }),
    );
    this.client.on('removed', (frame) => {
      this.background.delete(frame.room);
      hooks.onMembersChanged(frame.room);
      if (this.leaving.delete(frame.room)) return;
      const where = frame.room.startsWith('event:') ? 'this room' : `#${frame.room}`;
      const reason = frame.reason ?? 'removed';
      const message =
        reason === 'closed' || reason === 'left'
          ? `${where.charAt(0).toUpperCase()}${where.slice(1)} has closed.`
          : `You were ${reason} from ${where}.`;
      this.refuse(frame.room, { code: reason === 'closed' ? 'room_closed' : reason, message });
      toast.warning(message);
    });
    this.client.on('moderated', (frame) => {
      if (frame.action === 'role') hooks.onMembersChanged(frame.room);
      this.moderated(frame);
    });
    this.client.on('roomAdded', (frame) => {
      hooks.onRoomAdded(frame);
      // Added to a private channel whose door this page showed: in we go.
      if (this.refusals.has(frame.room)) void this.join(frame.room);
    });
    this.client.on('mentioned', hooks.onMentioned);
    this.client.on('presence', () => this.changed());
    // An edit or a reaction replaces the message of the same seq; the original may still
    // be waiting in the inbox, and must not land over its newer version.
    this.client.on('updated', (message) => {
      this.catchingUp.get(message.room)?.add(message.seq);
      this.flushInbox();
      this.merge(message.room, [message]);
    });
    this.client.on('receipt', (notice) => {
      if (this.reads.advance(notice.room, notice)) this.changed();
    });
    this.client.on('typing', (notice) => {
      this.rosterOf(notice.room).roster.noticed(notice, Date.now());
      this.refreshTyping();
    });
  }

  private moderated(frame: ModeratedFrame): void {
    if (frame.action === 'delete') {
      if (frame.seq !== undefined) this.catchingUp.get(frame.room)?.add(frame.seq);
      this.flushInbox();
      const target = this.timeline(frame.room).messages.find((m) => m.seq === frame.seq);
      if (target !== undefined) this.merge(frame.room, [{ ...target, content: '', deleted: true }]);
      return;
    }
    const text = describeModeration(frame, this.me.id, (id) => this.nameIn(frame.room, id));
    if (text !== undefined) toast.info(text);
  }

  /** A user's display name as last seen in a room's timeline. */
  private nameIn(room: RoomId, userId: string): string {
    const messages = this.timeline(room).messages;
    for (let i = messages.length - 1; i >= 0; i--) {
      if (messages[i]!.user.id === userId) return messages[i]!.user.name;
    }
    return 'someone';
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  timeline(room: RoomId): Timeline {
    return this.timelines.get(room) ?? emptyTimeline;
  }

  get status(): Connection {
    return this.connection;
  }

  private flushInbox(): void {
    if (this.inbox.size === 0) return;
    const inbox = this.inbox;
    this.inbox = new Map();
    let stoppedTyping = false;
    for (const [room, messages] of inbox) {
      this.timelines.set(room, mergeMessages(this.timeline(room), messages));
      // Channels and DMs learn that these reached this device (ticks for the sender).
      if (this.background.has(room)) this.client.markDelivered(room, messages.at(-1)!.seq);
      // A message from someone who was typing ends their indicator at once.
      const roster = this.rosters.get(room)?.roster;
      if (roster === undefined) continue;
      for (const message of messages) if (roster.spoke(message.user.id)) stoppedTyping = true;
    }
    if (stoppedTyping) this.refreshTyping();
    else this.changed();
  }

  private rosterOf(room: RoomId) {
    let entry = this.rosters.get(room);
    if (entry === undefined) {
      entry = { roster: new TypingRoster(room), typing: [] };
      this.rosters.set(room, entry);
    }
    return entry;
  }

  /** Recomputes who is typing everywhere, and wakes up again when the next one expires. */
  private refreshTyping(): void {
    clearTimeout(this.typingTimer);
    const now = Date.now();
    let next: number | undefined;
    for (const entry of this.rosters.values()) {
      const typing = entry.roster.typing(now);
      if (typing.length !== entry.typing.length || typing.some((u, i) => u !== entry.typing[i]))
        entry.typing = typing;
      const expiry = entry.roster.nextExpiry();
      if (expiry !== undefined && (next === undefined || expiry < next)) next = expiry;
    }
    if (next !== undefined) this.typingTimer = setTimeout(() => this.refreshTyping(), next - now);
    this.changed();
  }

  /** Who else is typing in the room now (the same array until it changes). */
  typing(room: RoomId): readonly UserRef[] {
    return this.rosters.get(room)?.typing ?? nobody;
  }

  /** The server's unread counts, as of now (`GET /api/me/rooms`). */
  setUnreadBase(rooms: MyRooms['rooms']): void {
    this.reads.setBase(rooms);
    this.changed();
  }

  /** Members' pointers from a snapshot (`GET /api/rooms/:room/receipts`). */
  loadReceipts(room: RoomId, receipts: readonly Pointers[]): void {
    let moved = false;
    for (const pointers of receipts) moved = this.reads.advance(room, pointers) || moved;
    if (moved) this.changed();
  }

  /** Everyone's furthest delivered and read seq in the room (a stable snapshot). */
  receipts(room: RoomId): ReadonlyMap<string, Pointers> {
    return this.reads.pointers(room);
  }

  /** Others' messages after my read pointer; only channels and DMs keep one. */
  unread(room: RoomId): number {
    if (!this.background.has(room)) return 0;
    return this.reads.unread(room, this.timeline(room).messages);
  }

  /** Unread messages in the room that `@mention` me. */
  mentions(room: RoomId): number {
    if (!this.background.has(room)) return 0;
    return this.reads.mentions(room, this.timeline(room).messages);
  }

  /** My login, as others `@mention` me (known once connected; guests have none). */
  get login(): string | undefined {
    return this.reads.login;
  }

  /** The person has seen the room up to `seq`: it stops counting as unread, everywhere. */
  markRead(room: RoomId, seq: number): void {
    if (!this.background.has(room) || seq <= this.reads.myRead(room)) return;
    this.client.markRead(room, seq);
    if (this.reads.advance(room, { user: this.me, delivered: seq, read: seq })) this.changed();
  }

  /** The room's latest presence from the server, once joined. */
  presence(room: RoomId): PresenceFrame | undefined {
    return this.client.presence(room);
  }

  merge(room: RoomId, messages: readonly ChatMessage[]): void {
    this.timelines.set(room, mergeMessages(this.timeline(room), messages));
    this.changed();
  }

  /**
   * Brings the room's loaded messages up to date after a reconnect: a resume replays what is
   * new, but edits, reactions and deletions of older messages made while we were away were
   * told only to those connected. `load` reads the newest page (REST); a message that
   * changed live while it was on its way keeps its live version.
   */
  async catchUp(room: RoomId, load: () => Promise<readonly ChatMessage[]>): Promise<void> {
    if (this.timeline(room).messages.length === 0 || this.catchingUp.has(room)) return;
    const touched = new Set<number>();
    this.catchingUp.set(room, touched);
    try {
      const page = await load();
      this.flushInbox();
      const loaded = this.timeline(room).messages;
      const changed = page.filter((fresh) => {
        if (touched.has(fresh.seq)) return false;
        const known = findBySeq(loaded, fresh.seq);
        return known !== undefined && JSON.stringify(known) !== JSON.stringify(fresh);
      });
      if (changed.length > 0) this.merge(room, changed);
    } finally {
      this.catchingUp.delete(room);
    }
  }

  /**
   * Stays in every room of `rooms` (the channels one is in, one's DMs), quietly, so their
   * messages and presence arrive while another room is open. Rooms already joined are
   * left alone; a refusal here is not news (the room's own view explains it when opened).
   */
  joinAll(rooms: readonly RoomId[]): void {
    for (const room of rooms) {
      if (this.background.has(room)) continue;
      this.background.add(room);
      this.client.join(room).catch(() => this.background.delete(room));
    }
  }

  /**
   * Joins a room. A refusal is kept (`refusal`), for the room's view to explain in place of
   * the chat. Resolves whether it worked.
   */
  async join(room: RoomId): Promise<boolean> {
    try {
      await this.client.join(room);
      if (this.refusals.has(room)) this.refuse(room, undefined);
      return true;
    } catch (error) {
      this.refuse(
        room,
        error instanceof HubbubError
          ? { code: error.code, message: error.message }
          : { code: 'unavailable', message: 'Could not reach the server.' },
      );
      return false;
    }
  }

  /** Why the room cannot be shown now (its join was refused, or we were put out), if so. */
  refusal(room: RoomId): Refusal | undefined {
    return this.refusals.get(room);
  }

  private refuse(room: RoomId, refusal: Refusal | undefined): void {
    this.refusals = new Map(this.refusals);
    if (refusal === undefined) this.refusals.delete(room);
    else this.refusals.set(room, refusal);
    this.changed();
  }

  /**
   * Leaves a channel for good (`removeMembership` tells the server); this connection leaves
   * the room when the server says so.
   */
  async leaveChannel(room: RoomId, removeMembership: () => Promise<void>): Promise<void> {
    this.leaving.add(room);
    try {
      await removeMembership();
    } catch (error) {
      this.leaving.delete(room);
      toast.error(error instanceof HubbubError ? error.message : 'Could not leave.');
      throw error;
    }
  }

  /** Shows the message at once, sends it, and settles or marks it failed. */
  async send(
    room: RoomId,
    content: string,
    extras: { replyTo?: number | undefined; attachments?: Attachment[] | undefined } = {},
    cid: string = crypto.randomUUID(),
  ): Promise<void> {
    this.update(room, (t) =>
      addPending(dropPending(t, cid), { cid, content, user: this.me, ...extras }),
    );
    try {
      const ack = await this.client.send(room, content, extras);
      this.update(room, (t) => settlePending(t, cid, ack.id));
    } catch (error) {
      const code = error instanceof HubbubError ? error.code : 'internal';
      this.update(room, (t) => failPending(t, cid, explain[code] ?? 'Not sent.'));
      toast.error(explain[code] ?? (error instanceof Error ? error.message : 'Not sent.'));
    }
  }

  retry(
    room: RoomId,
    entry: {
      cid: string;
      content: string;
      replyTo?: number | undefined;
      attachments?: Attachment[] | undefined;
    },
  ): void {
    const { replyTo, attachments } = entry;
    void this.send(room, entry.content, { replyTo, attachments }, entry.cid);
  }

  discard(room: RoomId, cid: string): void {
    this.update(room, (t) => dropPending(t, cid));
  }

  close(): void {
    clearTimeout(this.typingTimer);
    this.client.close();
  }

  private update(room: RoomId, change: (timeline: Timeline) => Timeline): void {
    this.timelines.set(room, change(this.timeline(room)));
    this.changed();
  }

  private changed(): void {
    this.timelines = new Map(this.timelines);
    for (const listener of this.listeners) listener();
  }
}
