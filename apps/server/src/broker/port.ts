import type { Attachment, ChatMessage, Epoch, RoomId, Seq, UserRef } from '@hubbub/protocol';
import type { HistoryRange } from '../store/port.js';

/** What a node hands the broker to publish: everything but the seq, which the broker assigns. */
export interface DraftMessage {
  room: RoomId;
  id: string;
  user: UserRef;
  content: string;
  ts: string;
  cid: string;
  /** The seq this message answers; kept only if it is earlier than the seq it gets. */
  replyTo?: Seq;
  /** Files sent with it, already checked to be the sender's own uploads. */
  attachments?: Attachment[];
  /**
   * The room's slow-mode wait for this sender (ms; absent: none). The node checked it
   * against its own clock; a shared broker also holds it across nodes.
   */
  slowModeMs?: number;
  /**
   * Posted by the server itself (an event going live): not counted against any sender's
   * rate, which a shared broker otherwise enforces per user id.
   */
  unmetered?: true;
}

/** A replay request's answer: the missed messages, or a reset when the window does not reach. */
export type Replay =
  | { kind: 'messages'; epoch: Epoch; seq: Seq; messages: ChatMessage[] }
  | { kind: 'reset'; epoch: Epoch; seq: Seq };

export type RoomListener = (messages: readonly ChatMessage[]) => void;

/**
 * The cross-node bus: sequencing, the recovery window and delivery. The in-process broker
 * serves one process (or several servers in one test process); the Redis broker serves many
 * nodes. Nothing outside the composition root knows which one it has.
 */
export interface Broker {
  /**
   * Assigns the room's next seq and makes the message durable, atomically per room: seqs are
   * gapless and strictly increasing, and no two messages share one. Resolves with the
   * sequenced message only once it is durable (committed to the store, or appended to the
   * shared log from which it is persisted), and only then is it delivered to subscribers.
   * Rejects if durability could not be reached; the seq is then never delivered.
   *
   * Idempotent per (room, user id, cid): publishing a draft whose cid that user already
   * published to the room (even before a restart) resolves with the original message and
   * publishes nothing new.
   *
   * A shared broker also enforces, across all nodes, what each node can only count for
   * itself: the sender's rate (its configured per-user budget) and the draft's slow-mode
   * wait. It refuses with a BrokerError (`rate_limited`, `slow_mode`), and a refused draft
   * takes no seq.
   */
  publish(draft: DraftMessage): Promise<ChatMessage>;

  /**
   * Delivers every message published to `room` after this call, on any node, to `listener`:
   * in seq order, each exactly once, possibly several at a time. Returns the unsubscribe.
   *
   * Where it cannot keep that promise (a shared broker whose log no longer holds a gap it
   * missed, or that lost the room's state and started a new epoch), it calls `lost` instead
   * of skipping, and then goes on from the room's new position: whoever relied on the
   * stream must resume from their own position.
   */
  subscribe(room: RoomId, listener: RoomListener, lost?: () => void): () => void;

  /** The room's epoch and latest durable seq. */
  head(room: RoomId): Promise<{ epoch: Epoch; seq: Seq }>;

  /**
   * The messages after `since`, in order, when the recovery window still holds all of them
   * and `epoch` (if given) is the room's epoch; otherwise a reset with the current head.
   */
  replay(room: RoomId, since: Seq, epoch?: Epoch): Promise<Replay>;

  /**
   * The latest `limit` messages, oldest first, for `joined`: every seq from the first one
   * up to the head, or a rejection (below), never a gap.
   */
  recent(room: RoomId, limit: number): Promise<{ epoch: Epoch; seq: Seq; messages: ChatMessage[] }>;

  /**
   * A page of the room's history for REST, cut as MessageStore.roomMessages cuts it, with
   * no hole below the room's head: a seq acknowledged but not yet in the store (a shared
   * broker's copy is on its way, or waits for a dead node's entries to be claimed) is read
   * from the broker's log. A seq that exists and that neither holds rejects with a
   * BrokerError `unavailable` (try again shortly), never a silent gap. `recent` and
   * `replay` keep the same promise.
   */
  history(room: RoomId, range: HistoryRange): Promise<ChatMessage[]>;

  /**
   * Replaces a message in the recovery window with its newer version, after the store
   * changed it (a tombstone, an edit), so joins and resumes never hand out a stale copy.
   */
  revise(message: ChatMessage): void;

  /**
   * The room's history expires at `at` (ms; at once if past): its recovery window and
   * sequence are dropped then (a shared broker's keys expire in Redis), and a later publish
   * starts a new history with a new epoch. For rooms nobody may use any more (an event
   * room after it closed): the store's copy is deleted by its owner.
   */
  expire(room: RoomId, at: number): Promise<void>;

  /** Finishes in-flight publishes (they resolve or reject) and stops delivery. */
  close(): Promise<void>;
}
