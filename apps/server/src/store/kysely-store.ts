import { randomBytes } from 'node:crypto';
import type { Attachment, ChatMessage, RoomId, UserRef } from '@hubbub/protocol';
import type { Kysely, Selectable } from 'kysely';
import { type BulkWriter, chunks, type HeadRow, type MessageRow, valuesWriter } from './bulk.js';
import { migrateToLatest, pingDatabase } from './migrations.js';
import type { CidKey, HistoryRange, MessageStore, RoomHead, StoredMessage } from './port.js';
import { setReaction, withReactions } from './reactions.js';
import type { Database, MessagesTable } from './schema.js';

/** A new history's epoch: random, so two histories of one room never share one. */
export function newEpoch(): string {
  return randomBytes(12).toString('base64url');
}

function toStored(row: Selectable<MessagesTable>): StoredMessage {
  return {
    room: row.room_id,
    seq: Number(row.seq),
    id: row.id,
    user: { id: row.user_id, name: row.user_name },
    content: row.deleted_at === null ? row.content : '',
    ts: new Date(Number(row.created_at)).toISOString(),
    ...(row.deleted_at === null ? {} : { deleted: true as const }),
    ...(row.reply_to === null ? {} : { replyTo: Number(row.reply_to) }),
    ...(row.attachments === null || row.deleted_at !== null
      ? {}
      : { attachments: JSON.parse(row.attachments) as Attachment[] }),
    ...(row.edited_at === null || row.deleted_at !== null
      ? {}
      : { editedAt: new Date(Number(row.edited_at)).toISOString() }),
    cid: row.cid,
  };
}

export function toMessage(row: Selectable<MessagesTable>): ChatMessage {
  const { cid: _cid, ...message } = toStored(row);
  return message;
}

/**
 * The MessageStore over Kysely: the same queries for SQLite and PostgreSQL. The engine files
 * only open the connection; everything the contract promises lives here.
 */
export class KyselyMessageStore implements MessageStore {
  constructor(
    private readonly db: Kysely<Database>,
    /** The engine's way of writing a commit's rows (PostgreSQL: unnestWriter). */
    private readonly bulk: BulkWriter = valuesWriter,
  ) {}

  migrate(): Promise<void> {
    return migrateToLatest(this.db as unknown as Kysely<unknown>);
  }

  ping(): Promise<void> {
    return pingDatabase(this.db as unknown as Kysely<unknown>);
  }

  async openRoom(room: RoomId): Promise<RoomHead> {
    await this.db
      .insertInto('rooms')
      .values({ id: room, epoch: newEpoch(), seq: 0, created_at: Date.now() })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    const row = await this.db
      .selectFrom('rooms')
      .select(['epoch', 'seq'])
      .where('id', '=', room)
      .executeTakeFirstOrThrow();
    return { epoch: row.epoch, seq: Number(row.seq) };
  }

  async insertMessages(messages: readonly StoredMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const now = Date.now();
    const heads = new Map<RoomId, HeadRow>();
    const rows = messages.map((m): MessageRow => {
      const head = heads.get(m.room);
      if (head === undefined)
        heads.set(m.room, { id: m.room, epoch: newEpoch(), seq: m.seq, created_at: now });
      else if (head.seq < m.seq) head.seq = m.seq;
      return {
        room_id: m.room,
        seq: m.seq,
        id: m.id,
        user_id: m.user.id,
        user_name: m.user.name,
        content: m.content,
        cid: m.cid,
        created_at: Date.parse(m.ts),
        reply_to: m.replyTo ?? null,
        attachments: m.attachments === undefined ? null : JSON.stringify(m.attachments),
      };
    });
    // Rooms in order, so that two nodes' commits lock the rows in the same order and do
    // not deadlock each other.
    const sorted = [...heads.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    await this.db.transaction().execute(async (tx) => {
      await this.bulk.insertMessages(tx, rows);
      await this.bulk.advanceHeads(tx, sorted);
    });
  }

  async findByCids(keys: readonly CidKey[]): Promise<StoredMessage[]> {
    const found: StoredMessage[] = [];
    for (const chunk of chunks(keys)) {
      const rows = await this.db
        .selectFrom('messages')
        .selectAll()
        .where((eb) =>
          eb(
            eb.refTuple('room_id', 'user_id', 'cid'),
            'in',
            chunk.map((key) => eb.tuple(key.room, key.userId, key.cid)),
          ),
        )
        .execute();
      for (const row of rows) found.push(toStored(row));
    }
    return found;
  }

  async roomMessages(room: RoomId, range: HistoryRange): Promise<ChatMessage[]> {
    let query = this.db.selectFrom('messages').selectAll().where('room_id', '=', room);
    if (range.before !== undefined) query = query.where('seq', '<', range.before);
    if (range.after !== undefined) {
      const rows = await query
        .where('seq', '>', range.after)
        .orderBy('seq', 'asc')
        .limit(range.limit)
        .execute();
      return withReactions(this.db, rows.map(toMessage));
    }
    const rows = await query.orderBy('seq', 'desc').limit(range.limit).execute();
    return withReactions(this.db, rows.reverse().map(toMessage));
  }

  async userMessages(
    userId: string,
    range: { before?: string; limit: number },
  ): Promise<ChatMessage[]> {
    let query = this.db.selectFrom('messages').selectAll().where('user_id', '=', userId);
    if (range.before !== undefined) query = query.where('id', '<', range.before);
    const rows = await query.orderBy('id', 'desc').limit(range.limit).execute();
    return withReactions(this.db, rows.reverse().map(toMessage));
  }

  async findMessage(room: RoomId, id: string): Promise<ChatMessage | undefined> {
    const row = await this.db
      .selectFrom('messages')
      .selectAll()
      .where('room_id', '=', room)
      .where('id', '=', id)
      .executeTakeFirst();
    return row === undefined ? undefined : (await withReactions(this.db, [toMessage(row)]))[0];
  }

  async redact(room: RoomId, id: string): Promise<ChatMessage | undefined> {
    await this.db
      .updateTable('messages')
      .set({ content: '', attachments: null, deleted_at: Date.now() })
      .where('room_id', '=', room)
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .execute();
    return this.findMessage(room, id);
  }

  async edit(
    room: RoomId,
    id: string,
    content: string,
    at: number,
  ): Promise<ChatMessage | undefined> {
    await this.db
      .updateTable('messages')
      .set({ content, edited_at: at })
      .where('room_id', '=', room)
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .execute();
    return this.findMessage(room, id);
  }

  async react(
    room: RoomId,
    id: string,
    user: UserRef,
    emoji: string,
    on: boolean,
  ): Promise<ChatMessage | 'full' | undefined> {
    const message = await this.findMessage(room, id);
    if (message === undefined || message.deleted === true) return message;
    if (!(await setReaction(this.db, message, user, emoji, on))) return 'full';
    return this.findMessage(room, id);
  }

  close(): Promise<void> {
    return this.db.destroy();
  }
}
