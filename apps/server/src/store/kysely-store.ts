import { randomBytes } from 'node:crypto';
import type { Attachment, ChatMessage, RoomId, UserRef } from '@hubbub/protocol';
import type { Kysely, Selectable } from 'kysely';
import { migrateToLatest, pingDatabase } from './migrations.js';
import type { HistoryRange, MessageStore, RoomHead, StoredMessage } from './port.js';
import { setReaction, withReactions } from './reactions.js';
import type { Database, MessagesTable } from './schema.js';

/** Rows per INSERT statement: well under SQLite's and PostgreSQL's bound-parameter limits. */
const ROWS_PER_STATEMENT = 500;

function newEpoch(): string {
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
    private readonly onClose: () => Promise<void> = () => db.destroy(),
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
    const heads = new Map<RoomId, number>();
    for (const m of messages) heads.set(m.room, Math.max(heads.get(m.room) ?? 0, m.seq));
    await this.db.transaction().execute(async (tx) => {
      for (let i = 0; i < messages.length; i += ROWS_PER_STATEMENT) {
        const rows = messages.slice(i, i + ROWS_PER_STATEMENT).map((m) => ({
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
        }));
        await tx
          .insertInto('messages')
          .values(rows)
          .onConflict((oc) => oc.columns(['room_id', 'seq']).doNothing())
          .execute();
      }
      const now = Date.now();
      // Every room's head in one statement per chunk (one per room was a round trip each on
      // PostgreSQL: the ingest benchmark's first suspect), in room order, so that two nodes'
      // commits lock the rows in the same order and do not deadlock each other.
      const rooms = [...heads].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      for (let i = 0; i < rooms.length; i += ROWS_PER_STATEMENT) {
        const rows = rooms
          .slice(i, i + ROWS_PER_STATEMENT)
          .map(([room, seq]) => ({ id: room, epoch: newEpoch(), seq, created_at: now }));
        // The head only moves forward; a replayed older batch must not pull it back.
        await tx
          .insertInto('rooms')
          .values(rows)
          .onConflict((oc) =>
            oc.column('id').doUpdateSet((eb) => ({
              seq: eb
                .case()
                .when('rooms.seq', '<', eb.ref('excluded.seq'))
                .then(eb.ref('excluded.seq'))
                .else(eb.ref('rooms.seq'))
                .end(),
            })),
          )
          .execute();
      }
    });
  }

  async findByCid(room: RoomId, userId: string, cid: string): Promise<StoredMessage | undefined> {
    const row = await this.db
      .selectFrom('messages')
      .selectAll()
      .where('room_id', '=', room)
      .where('user_id', '=', userId)
      .where('cid', '=', cid)
      .executeTakeFirst();
    return row === undefined ? undefined : toStored(row);
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
      return rows.map(toMessage);
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
    return this.onClose();
  }
}
