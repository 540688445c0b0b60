import type { Generated } from 'kysely';
import type { AuthTables } from '../auth/schema.js';
import type { ChannelTables } from '../channels/schema.js';
import type { EventTables } from '../events/schema.js';
import type { MediaTables } from '../media/schema.js';
import type { MentionTables } from '../mentions/schema.js';
import type { ReceiptTables } from '../receipts/schema.js';

/**
 * Table types for Kysely, shared by both engines. Times are integer milliseconds since the
 * Unix epoch in both, so rows compare and sort the same way everywhere.
 */
export interface Database
  extends AuthTables,
    ChannelTables,
    ReceiptTables,
    MentionTables,
    MediaTables,
    EventTables {
  rooms: RoomsTable;
  messages: MessagesTable;
  message_reactions: MessageReactionsTable;
}

/** One person's reaction to one message with one emoji. */
export interface MessageReactionsTable {
  room_id: string;
  seq: number;
  emoji: string;
  user_id: string;
  user_name: string;
  created_at: number;
}

export interface RoomsTable {
  id: string;
  /** Random per history: changes only if the room's history is ever lost. */
  epoch: string;
  /** Highest seq ever committed; never goes down, even when old messages are deleted. */
  seq: Generated<number>;
  created_at: number;
}

export interface MessagesTable {
  room_id: string;
  seq: number;
  /** UUIDv7: unique, and sorts by creation time. */
  id: string;
  user_id: string;
  user_name: string;
  content: string;
  /** The sender's client id, for idempotent resends. */
  cid: string;
  created_at: number;
  /** Set when the message was deleted; its content is then empty. */
  deleted_at: Generated<number | null>;
  /** Set when its author last edited it. */
  edited_at: Generated<number | null>;
  /** The seq of the message of the same room this one answers. */
  reply_to: Generated<number | null>;
  /** Its attachments, a JSON array (see Attachment in the protocol). */
  attachments: Generated<string | null>;
}
