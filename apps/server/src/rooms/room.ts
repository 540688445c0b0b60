import type { ChatMessage, RoomId, Seq, ServerFrame, UserRef } from '@hubbub/protocol';
import { encodeServerFrame } from '@hubbub/protocol';

/** Encodes a frame to the bytes every recipient is sent: done once per broadcast. */
export function encodeFrame(frame: ServerFrame): Uint8Array {
  return Buffer.from(encodeServerFrame(frame));
}

/** What the rooms core needs of a connection: a way to hand it bytes that are ready to go. */
export interface Member {
  readonly id: string;
  /** Who is on the other end: presence counts people, not connections. */
  readonly user: UserRef;
  /** Their login, for an account (rules that name people by login, such as admins). */
  readonly login?: string | undefined;
  /** Queues an already-encoded frame; the connection applies its own backpressure policy. */
  deliver(encoded: Uint8Array): void;
  /**
   * The server could not deliver all of a room's messages to this member (the bus lost
   * them): the connection must go, so that its client reconnects and resumes every room.
   */
  mustResume(): void;
}

export interface Membership {
  /** Messages with seq <= floor were already sent to this member (in `joined` or a replay). */
  floor: Seq;
  /** Non-null while the member's join is being answered: live messages wait here. */
  waiting: ChatMessage[] | null;
}

/** The frame that carries `messages` of one room: a single `message`, or a `batch`. */
export function messagesFrame(room: RoomId, messages: readonly ChatMessage[]): ServerFrame {
  if (messages.length === 1) return { type: 'message', ...messages[0]! };
  return { type: 'batch', room, messages: [...messages] };
}

/**
 * One room's local members and its outgoing queue. Messages delivered by the broker are
 * queued and flushed at the next event-loop turn: a quiet room sends at once, a busy one
 * sends one `batch` per member per flush, and either way the frame is encoded once for
 * everyone. A flush costs one socket write per member (5–20 µs each), so a busy room (its
 * last flush carried more than one message) also waits, after a flush, as long as that
 * flush took before flushing again: its batches grow with the load, flushing it takes at
 * most about half of the core, and its latency stays within two flushes. A room whose
 * flushes carry one message each (quiet, or small enough to keep up) never waits.
 */
export class Room {
  private readonly members = new Map<Member, Membership>();
  private queue: ChatMessage[] = [];
  private flushScheduled = false;
  /** The pending flush's timer, when it waits out the last one's cost. */
  private flushTimer: NodeJS.Timeout | undefined;
  /** When the last flush ended, how long it took (ms, performance.now()), what it carried. */
  private flushedAt = Number.NEGATIVE_INFINITY;
  private flushCost = 0;
  private flushedMessages = 0;
  /** When each person's last `typing` was passed on: the server-side throttle. */
  private readonly typedAt = new Map<string, number>();

  constructor(
    readonly id: RoomId,
    private readonly meter: { flushed(messages: readonly ChatMessage[], recipients: number): void },
  ) {}

  get size(): number {
    return this.members.size;
  }

  has(member: Member): boolean {
    return this.members.has(member);
  }

  /**
   * Adds (or re-adds) a member whose live messages are held back until `activate`. The
   * returned membership identifies this join, so a slower earlier join cannot activate it.
   */
  addWaiting(member: Member): Membership {
    const membership: Membership = { floor: 0, waiting: [] };
    this.members.set(member, membership);
    return membership;
  }

  /**
   * Starts live delivery to a member that was just sent everything up to `floor`. Returns the
   * messages that arrived meanwhile and are newer than `floor`, for the caller to send next;
   * `undefined` if this join was superseded or the member left meanwhile.
   */
  activate(member: Member, membership: Membership, floor: Seq): ChatMessage[] | undefined {
    if (!this.isCurrent(member, membership)) return undefined;
    const caughtUp = (membership.waiting ?? []).filter((m) => m.seq > floor);
    membership.waiting = null;
    membership.floor = caughtUp.at(-1)?.seq ?? floor;
    return caughtUp;
  }

  /** Whether `membership` is still the member's current join. */
  isCurrent(member: Member, membership: Membership): boolean {
    return this.members.get(member) === membership;
  }

  remove(member: Member): boolean {
    return this.members.delete(member);
  }

  /**
   * Delivers a notice to every answered member (but those `skip` names), after whatever
   * messages are queued, so a notice about a message never overtakes the message.
   */
  announce(encoded: Uint8Array, skip?: (member: Member) => boolean): void {
    this.flush();
    for (const [member, membership] of this.members) {
      if (membership.waiting === null && skip?.(member) !== true) member.deliver(encoded);
    }
  }

  /**
   * Whether `userId`'s typing may be passed on now: once per `throttleMs` per person, so
   * a client that sends `typing` on every keystroke costs the room nothing more.
   */
  mayPassTyping(userId: string, now: number, throttleMs: number): boolean {
    if (now - (this.typedAt.get(userId) ?? Number.NEGATIVE_INFINITY) < throttleMs) return false;
    this.typedAt.set(userId, now);
    return true;
  }

  /** A person's message ends their typing, and lets their next `typing` through at once. */
  private spoke(messages: readonly ChatMessage[]): void {
    if (this.typedAt.size === 0) return;
    for (const message of messages) this.typedAt.delete(message.user.id);
  }

  /** The broker lost messages of this room: every member here must resume. */
  readonly lost = (): void => {
    this.queue = [];
    for (const member of [...this.members.keys()]) member.mustResume();
  };

  /** The broker's listener: queue, and flush on the next turn. */
  readonly receive = (messages: readonly ChatMessage[]): void => {
    this.spoke(messages);
    this.queue.push(...messages);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    const busy = this.flushedMessages > 1;
    const wait = busy ? this.flushedAt + this.flushCost - performance.now() : 0;
    if (wait >= 1) this.flushTimer = setTimeout(this.flush, wait);
    else setImmediate(this.flush);
  };

  private readonly flush = (): void => {
    // Called early (a notice must follow what is queued): the timer has nothing left to do.
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.flushScheduled = false;
    const messages = this.queue;
    this.queue = [];
    const first = messages[0];
    if (first === undefined) return;
    const started = performance.now();
    let shared: Uint8Array | undefined;
    let recipients = 0;
    for (const [member, membership] of this.members) {
      if (membership.waiting !== null) {
        membership.waiting.push(...messages);
      } else if (membership.floor >= first.seq) {
        // Joined in the middle of this batch: send only what its `joined` did not carry.
        const newer = messages.filter((m) => m.seq > membership.floor);
        if (newer.length > 0) member.deliver(encodeFrame(messagesFrame(this.id, newer)));
      } else {
        shared ??= encodeFrame(messagesFrame(this.id, messages));
        member.deliver(shared);
        recipients += 1;
      }
    }
    this.flushedAt = performance.now();
    this.flushCost = this.flushedAt - started;
    this.flushedMessages = messages.length;
    this.meter.flushed(messages, recipients);
  };
}
