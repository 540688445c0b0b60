import type {
  CheersFrame,
  HeldFrame,
  MentionedFrame,
  RoomAddedFrame,
  RoomId,
  UserRef,
} from '@hubbub/protocol';

/**
 * The chat delay's signals: a message held; a moderator on another node asking its holder
 * to drop it; one let go unpublished (`removed` by a moderator, or not published after all).
 */
export type DelaySignal =
  | { kind: 'held'; frame: HeldFrame }
  | { kind: 'unhold'; room: RoomId; id: string; actor: UserRef }
  | {
      kind: 'unheld';
      room: RoomId;
      id: string;
      user: string;
      cid: string;
      actor: UserRef;
      removed: boolean;
    };

/**
 * What one node tells every node, itself included: things about people and rules rather
 * than a room's members, so every node hears them whether or not it has anyone there.
 */
export type NodeSignal =
  /**
   * Take the user's sockets out of the room (kicked, banned, removed). `origin`, the node
   * that changed the rules, has them cached already; the others reload them first.
   */
  | {
      kind: 'evict';
      origin: string;
      user: string;
      room: RoomId;
      reason: 'kicked' | 'banned' | 'removed';
    }
  /** A frame for every socket of the user (a room they were given, a mention). */
  | { kind: 'notify'; user: string; frame: RoomAddedFrame | MentionedFrame }
  /** Close the user's sockets (all, or one login session's): logout, revocation. */
  | { kind: 'end-sessions'; user: string; session?: string }
  /**
   * A room's rules changed in the database (for one user, or the room itself): nodes other
   * than `origin` reload what they cached.
   */
  | { kind: 'rules'; origin: string; room: RoomId; user?: string }
  /** A room has closed (an event room whose history expired): take everyone out of it. */
  | { kind: 'close-room'; room: RoomId }
  /** One node's taps of a room's live reactions in one tick (see CheerTally). */
  | { kind: 'cheers'; room: RoomId; counts: CheersFrame['counts'] }
  /** The chat delay's: a message held, a moderator asking to drop one, one dropped. */
  | DelaySignal
  /**
   * From this node's own bus, never sent: its link was down and signals may have been
   * missed; reload whatever was cached from them.
   */
  | { kind: 'resync' };

/** Receives a room's notices: the encoded frame, and the user whose sockets skip it. */
export type NoticeListener = (encoded: Uint8Array, except: string | undefined) => void;

/**
 * The ephemeral side of the bus: notices to a room's members (presence, typing, receipts,
 * moderation) and signals to every node (evictions, revocations, rule changes). Nothing
 * here has a seq or is stored; messages go through the Broker.
 *
 * Guarantees: at most once; in the order sent, per sender, across rooms and signals alike;
 * every node subscribed gets it, the sender included. Not ordered with the room's
 * messages. While the bus is down, what is sent is lost (a client's resume and its next
 * join re-read the state that matters: presence, history, rules).
 */
export interface Signals {
  /** Sends an encoded frame to `room`'s listeners on every node, skipping `except`'s sockets. */
  notice(room: RoomId, encoded: Uint8Array, except?: string): void;
  /** Listens to `room`'s notices (a node does while it has members there). Returns the stop. */
  listenRoom(room: RoomId, listener: NoticeListener): () => void;
  /** Sends a signal to every node. */
  broadcast(signal: NodeSignal): void;
  /** Listens to every node's signals. Returns the stop. */
  listen(listener: (signal: NodeSignal) => void): () => void;
  /** Resolves once the subscriptions asked for so far are live (for tests and readiness). */
  ready(): Promise<void>;
  close(): Promise<void>;
}
