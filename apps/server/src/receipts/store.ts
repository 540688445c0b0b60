import { limits, type UserRef } from '@hubbub/protocol';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../store/schema.js';

export interface Pointers {
  delivered: number;
  read: number;
}

/** Queries of the receipts feature, shared by SQLite and PostgreSQL. */
export class ReceiptStore {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Moves a member's pointers forward (never back), each capped at the room's committed seq
   * so nobody can claim to have read what was not yet sent; read implies delivered.
   * Resolves with the pointers as they now stand, and whether they moved.
   */
  async advance(
    roomId: string,
    userId: string,
    to: Partial<Pointers>,
  ): Promise<{ moved: boolean; pointers: Pointers }> {
    const [room, before] = await Promise.all([
      this.db.selectFrom('rooms').select('seq').where('id', '=', roomId).executeTakeFirst(),
      this.pointers(roomId, userId),
    ]);
    const last = Number(room?.seq ?? 0);
    const old = before ?? { delivered: 0, read: 0 };
    const read = Math.max(old.read, Math.min(to.read ?? 0, last));
    const delivered = Math.max(old.delivered, Math.min(to.delivered ?? 0, last), read);
    if (before !== undefined && read === old.read && delivered === old.delivered)
      return { moved: false, pointers: old };
    const now = Date.now();
    // Another device may advance at the same moment: the update keeps the larger value.
    await this.db
      .insertInto('room_receipts')
      .values({
        room_id: roomId,
        user_id: userId,
        delivered_seq: delivered,
        read_seq: read,
        updated_at: now,
      })
      .onConflict((oc) =>
        oc.columns(['room_id', 'user_id']).doUpdateSet({
          // Both engines spell "the larger of two" differently; CASE reads the same in each.
          delivered_seq: sql<number>`case when room_receipts.delivered_seq > ${delivered} then room_receipts.delivered_seq else ${delivered} end`,
          read_seq: sql<number>`case when room_receipts.read_seq > ${read} then room_receipts.read_seq else ${read} end`,
          updated_at: now,
        }),
      )
      .execute();
    return { moved: true, pointers: { delivered, read } };
  }

  async pointers(roomId: string, userId: string): Promise<Pointers | undefined> {
    const row = await this.db
      .selectFrom('room_receipts')
      .select(['delivered_seq', 'read_seq'])
      .where('room_id', '=', roomId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row === undefined
      ? undefined
      : { delivered: Number(row.delivered_seq), read: Number(row.read_seq) };
  }

  /** Every member of the room with their pointers (zero where they never reported). */
  async room(roomId: string): Promise<Array<{ user: UserRef } & Pointers>> {
    const rows = await this.db
      .selectFrom('room_members')
      .innerJoin('users', 'users.id', 'room_members.user_id')
      .leftJoin('room_receipts', (join) =>
        join
          .onRef('room_receipts.room_id', '=', 'room_members.room_id')
          .onRef('room_receipts.user_id', '=', 'room_members.user_id'),
      )
      .select([
        'users.id',
        'users.display_name',
        'room_receipts.delivered_seq',
        'room_receipts.read_seq',
      ])
      .where('room_members.room_id', '=', roomId)
      .orderBy('room_members.added_at')
      .execute();
    return rows.map((row) => ({
      user: { id: row.id, name: row.display_name },
      delivered: Number(row.delivered_seq ?? 0),
      read: Number(row.read_seq ?? 0),
    }));
  }

  /**
   * Each room `userId` is a member of: its latest seq, their pointers, and how many messages
   * by others (not deleted) came after their read pointer, counted up to a cap, and how many
   * of those mention them.
   */
  async unread(userId: string) {
    const rows = await this.db
      .selectFrom('room_members as member')
      .leftJoin('room_receipts as receipt', (join) =>
        join.onRef('receipt.room_id', '=', 'member.room_id').on('receipt.user_id', '=', userId),
      )
      .leftJoin('rooms', 'rooms.id', 'member.room_id')
      .select(['member.room_id', 'rooms.seq', 'receipt.delivered_seq', 'receipt.read_seq'])
      .select((eb) =>
        eb
          .selectFrom((inner) =>
            inner
              .selectFrom('messages')
              .select('messages.seq')
              .whereRef('messages.room_id', '=', 'member.room_id')
              .where((w) =>
                w('messages.seq', '>', w.fn.coalesce('receipt.read_seq', sql<number>`0`)),
              )
              .where('messages.user_id', '!=', userId)
              .where('messages.deleted_at', 'is', null)
              .limit(limits.unreadCountMax)
              .as('after'),
          )
          .select((count) => count.fn.countAll<number>().as('n'))
          .as('unread'),
      )
      .select((eb) =>
        eb
          .selectFrom('message_mentions as mention')
          .leftJoin('messages', (join) =>
            join
              .onRef('messages.room_id', '=', 'mention.room_id')
              .onRef('messages.seq', '=', 'mention.seq'),
          )
          .whereRef('mention.room_id', '=', 'member.room_id')
          .where('mention.user_id', '=', userId)
          .where((w) => w('mention.seq', '>', w.fn.coalesce('receipt.read_seq', sql<number>`0`)))
          // Not yet persisted counts; deleted does not.
          .where('messages.deleted_at', 'is', null)
          .select((count) => count.fn.countAll<number>().as('n'))
          .as('mentions'),
      )
      .where('member.user_id', '=', userId)
      .orderBy('member.room_id')
      .execute();
    return rows.map((row) => ({
      room: row.room_id,
      lastSeq: Number(row.seq ?? 0),
      delivered: Number(row.delivered_seq ?? 0),
      read: Number(row.read_seq ?? 0),
      unread: Number(row.unread ?? 0),
      mentions: Number(row.mentions ?? 0),
    }));
  }
}
