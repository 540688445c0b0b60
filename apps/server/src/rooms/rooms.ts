import {
  type AckFrame,
  type ChatMessage,
  type Epoch,
  limits,
  type RoomId,
  type RoomModes,
  type SendFrame,
  type Seq,
  type ServerFrame,
  type UserRef,
} from '@hubbub/protocol';
import { uuidv7 } from 'uuidv7';
import type { Broker } from '../broker/port.js';
import type { Signals } from '../signals/port.js';
import type { RoomPresence } from './presence.js';
import { encodeFrame, type Member, messagesFrame, Room } from './room.js';

/** What the rooms count: joins, messages sent from here, and each flush of a room. */
export interface FanoutMeter {
  joined(): void;
  sent(room: RoomId): void;
  flushed(messages: readonly ChatMessage[], recipients: number): void;
}

export interface RoomsOptions {
  broker: Broker;
  /** Notices (typing, presence, receipts, moderation) to members on every node. */
  signals: Signals;
  presence: RoomPresence;
  /** Messages a plain join carries. */
  historyOnJoin: number;
  meter: FanoutMeter;
  /** Told of each message once it is durable, before its sender's ack (resends too). */
  onSent?: (message: ChatMessage) => void;
  /** Told of every message the room gets from the bus while it has members here (any node's). */
  onReceived?: (messages: readonly ChatMessage[]) => void;
}

/** What the room's rules say to the joiner in `joined`: the crowd modes, and their role. */
export interface JoinStanding {
  modes?: RoomModes | undefined;
  moderator?: true | undefined;
}

export interface ResumePoint {
  since: Seq;
  epoch?: Epoch;
}

/**
 * This node's rooms: local membership, subscription to the broker while a room has local
 * members, and the join/resume handshake that hands a member over from history to live
 * delivery without a gap or a duplicate.
 */
export class Rooms {
  private readonly broker: Broker;
  private readonly signals: Signals;
  private readonly presence: RoomPresence;
  private readonly historyOnJoin: number;
  private readonly meter: FanoutMeter;
  private readonly onSent: (message: ChatMessage) => void;
  private readonly onReceived: (messages: readonly ChatMessage[]) => void;
  private readonly rooms = new Map<RoomId, { room: Room; unsubscribe: () => void }>();

  constructor(options: RoomsOptions) {
    this.broker = options.broker;
    this.signals = options.signals;
    this.presence = options.presence;
    this.historyOnJoin = options.historyOnJoin;
    this.meter = options.meter;
    this.onSent = options.onSent ?? (() => {});
    this.onReceived = options.onReceived ?? (() => {});
  }

  /** Rooms with local members right now. */
  get count(): number {
    return this.rooms.size;
  }

  /** The rooms with local members right now. */
  ids(): RoomId[] {
    return [...this.rooms.keys()];
  }

  /**
   * Joins `member` to `roomId` and answers with `joined` (latest history, or exactly the
   * messages after `resume.since`) or `reset`, then streams live messages. Returns false if
   * the member left or re-joined before the answer was ready (nothing was sent).
   */
  async join(
    member: Member,
    roomId: RoomId,
    resume?: ResumePoint,
    standing: JoinStanding = {},
  ): Promise<boolean> {
    const { modes, moderator } = standing;
    const extras = { ...(modes ? { modes } : {}), ...(moderator ? { moderator } : {}) };
    const room = this.open(roomId);
    // Waiting first, history second: whatever is published while history loads is held for
    // the member, and `activate` drops what the history already covered.
    const membership = room.addWaiting(member);
    let answer: ServerFrame;
    try {
      if (resume === undefined) {
        const recent = await this.broker.recent(roomId, this.historyOnJoin);
        answer = { type: 'joined', room: roomId, ...recent, ...extras };
      } else {
        const replay = await this.broker.replay(roomId, resume.since, resume.epoch);
        answer =
          replay.kind === 'reset'
            ? { type: 'reset', room: roomId, seq: replay.seq, epoch: replay.epoch }
            : {
                type: 'joined',
                room: roomId,
                seq: replay.seq,
                epoch: replay.epoch,
                messages: replay.messages,
                ...extras,
              };
      }
    } catch (error) {
      if (room.isCurrent(member, membership)) this.leave(member, roomId);
      throw error;
    }
    const caughtUp = room.activate(member, membership, answer.seq);
    if (caughtUp === undefined) return false;
    // Entered now, synchronously with the activation: a leave after this exits after it.
    const entered = this.presence.entered(roomId, member);
    this.meter.joined();
    member.deliver(encodeFrame(answer));
    if (caughtUp.length > 0) member.deliver(encodeFrame(messagesFrame(roomId, caughtUp)));
    await entered;
    const presence = await this.presence.snapshot(roomId);
    if (presence !== undefined && room.isCurrent(member, membership))
      member.deliver(encodeFrame(presence));
    return true;
  }

  /** Removes the member; the room stops listening to the broker when its last member goes. */
  leave(member: Member, roomId: RoomId): boolean {
    const entry = this.rooms.get(roomId);
    if (entry === undefined || !entry.room.remove(member)) return false;
    this.presence.exited(roomId, member);
    if (entry.room.size === 0) {
      entry.unsubscribe();
      this.rooms.delete(roomId);
    }
    return true;
  }

  /**
   * Whether the member is in the room, answered or not yet: a client may pipeline `send`
   * right behind `join`.
   */
  isMember(member: Member, roomId: RoomId): boolean {
    return this.rooms.get(roomId)?.room.has(member) ?? false;
  }

  /**
   * Publishes a message as `user` and resolves with the ack once it is durable. Identity,
   * id, seq and time come from here and the broker, never from the client's frame.
   * `slowModeMs` is the room's slow-mode wait for this sender, for the broker to hold
   * across nodes. `id` is given for a message the chat delay held (and showed under it).
   */
  async send(user: UserRef, frame: SendFrame, slowModeMs = 0, id = uuidv7()): Promise<AckFrame> {
    const { room, cid } = frame;
    const message: ChatMessage = await this.broker.publish({
      room,
      id,
      user,
      content: frame.content,
      ts: new Date().toISOString(),
      cid,
      ...(slowModeMs > 0 ? { slowModeMs } : {}),
      ...(frame.replyTo === undefined ? {} : { replyTo: frame.replyTo }),
      ...(frame.attachments === undefined ? {} : { attachments: frame.attachments }),
    });
    // A resend of a known cid is answered with the original: counted once, when it was new.
    if (message.id === id) this.meter.sent(room);
    this.onSent(message);
    return { type: 'ack', cid, room, id: message.id, seq: message.seq };
  }

  /**
   * Passes on that the member's person is typing, to everyone else in the room on every
   * node (not to their own other tabs: they know). Throttled per person per node; never
   * stored.
   */
  typing(member: Member, roomId: RoomId, now: number = Date.now()): void {
    const room = this.rooms.get(roomId)?.room;
    if (room === undefined || !room.has(member)) return;
    if (!room.mayPassTyping(member.user.id, now, limits.typingThrottleMs)) return;
    const notice = encodeFrame({ type: 'typing', room: roomId, user: member.user });
    this.signals.notice(roomId, notice, member.user.id);
  }

  /** Sends a notice (not a message: no seq, not stored) to the room's members on every node. */
  announce(roomId: RoomId, frame: ServerFrame): void {
    this.signals.notice(roomId, encodeFrame(frame));
  }

  /** Sends a frame to the room's members on this node for whom `only` holds. */
  announceTo(roomId: RoomId, frame: ServerFrame, only: (member: Member) => boolean): void {
    this.rooms.get(roomId)?.room.announce(encodeFrame(frame), (member) => !only(member));
  }

  /** Sends a notice to the room's members on this node only. */
  announceHere(roomId: RoomId, frame: ServerFrame): void {
    this.rooms.get(roomId)?.room.announce(encodeFrame(frame));
  }

  private open(roomId: RoomId): Room {
    const existing = this.rooms.get(roomId);
    if (existing !== undefined) return existing.room;
    const room = new Room(roomId, this.meter);
    const stopMessages = this.broker.subscribe(
      roomId,
      (messages) => {
        this.onReceived(messages);
        room.receive(messages);
      },
      room.lost,
    );
    const stopNotices = this.signals.listenRoom(roomId, (encoded, except) =>
      room.announce(encoded, except === undefined ? undefined : (m) => m.user.id === except),
    );
    const unsubscribe = () => {
      stopMessages();
      stopNotices();
    };
    this.rooms.set(roomId, { room, unsubscribe });
    return room;
  }
}
