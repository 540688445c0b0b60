import type { ChatMessage, Epoch, RoomId, Seq, UserRef } from '@hubbub/protocol';

/** A message on its way to the store, with what only the server knows beside the wire fields. */
export interface StoredMessage extends ChatMessage {
  /** The sender's client id, kept so a resend after a restart still finds its original ack. */
  cid: string;
}

/** A sender's client id in a room: what makes a resend recognizable. */
export interface CidKey {
  room: RoomId;
  userId: string;
  cid: string;
}

/** Where a room's history stands: its epoch and the last seq ever assigned in it. */
export interface RoomHead {
  epoch: Epoch;
  seq: Seq;
}

export interface HistoryRange {
  /** Exclusive upper bound on seq. */
  before?: Seq;
  /** Exclusive lower bound on seq. */
  after?: Seq;
  /** At most this many rows (callers cap it). */
  limit: number;
}

/**
 * Durable history: the one port both storage engines implement (SQLite embedded,
 * PostgreSQL at scale). Every method is safe to call concurrently.
 */
export interface MessageStore {
  /** Applies pending migrations. Idempotent; the server calls it once at start. */
  migrate(): Promise<void>;

  /** Resolves if the database answers a trivial query; rejects otherwise (readiness). */
  ping(): Promise<void>;

  /**
   * The room's head, creating the room with a fresh random epoch if it has never been seen.
   * `seq` is the highest seq ever committed in the room (0 for a new room), and never goes
   * down, even if old messages are later deleted.
   */
  openRoom(room: RoomId): Promise<RoomHead>;

  /**
   * Commits all `messages` in one transaction, or none. Idempotent on (room, seq): a row
   * already present is left as it is, so replays after a crash are harmless. Advances each
   * room's head to the highest seq written. When it resolves, the rows are durable to the
   * engine's configured level (SQLite: `synchronous`; PostgreSQL: commit).
   */
  insertMessages(messages: readonly StoredMessage[]): Promise<void>;

  /**
   * The committed messages among `keys` (each: what `userId` sent to `room` with client id
   * `cid`), in no particular order; keys with no message are left out. One query for all.
   */
  findByCids(keys: readonly CidKey[]): Promise<StoredMessage[]>;

  /**
   * A page of a room's messages in ascending seq order. With `after`, the page starts right
   * after it; otherwise it is the newest `limit` messages below `before` (or the head).
   */
  roomMessages(room: RoomId, range: HistoryRange): Promise<ChatMessage[]>;

  /** A user's messages across all rooms, newest `limit` below `before` (a message id), oldest first. */
  userMessages(userId: string, range: { before?: string; limit: number }): Promise<ChatMessage[]>;

  /** One message of a room by its id (deleted ones included, as tombstones). */
  findMessage(room: RoomId, id: string): Promise<ChatMessage | undefined>;

  /**
   * Deletes a message's content, keeping its seq so the log stays gapless: afterwards it
   * reads as a tombstone (`deleted: true`, empty content). Returns the tombstone, or
   * undefined if there is no such message. Idempotent.
   */
  redact(room: RoomId, id: string): Promise<ChatMessage | undefined>;

  /**
   * Replaces a message's content (an edit by its author, at `at` ms) and marks it edited.
   * Returns the message as it now is, or undefined if there is no such message. A deleted
   * message stays deleted: the edit changes nothing and the tombstone is returned.
   */
  edit(room: RoomId, id: string, content: string, at: number): Promise<ChatMessage | undefined>;

  /**
   * Adds (`on`) or removes one person's reaction to a message, idempotently, and returns
   * the message with its reactions as they now are. Undefined if there is no such message;
   * a tombstone (which takes no reactions) as it is; 'full' when the message already has
   * `limits.reactionsPerMessage` other emoji.
   */
  react(
    room: RoomId,
    id: string,
    user: UserRef,
    emoji: string,
    on: boolean,
  ): Promise<ChatMessage | 'full' | undefined>;

  /** Closes the connection pool or file. Waits for nothing: flush the persister first. */
  close(): Promise<void>;
}
