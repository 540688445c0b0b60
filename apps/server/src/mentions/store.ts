import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

/** Queries of the mentions feature, shared by SQLite and PostgreSQL. */
export class MentionStore {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Records that message `seq` of `roomId` mentions the members of that room with these
   * logins (its author aside). Resolves with the ids recorded now: a message recorded before
   * (a resend of the same cid) gives none, so nobody is told twice.
   */
  async record(roomId: string, seq: number, authorId: string, logins: readonly string[]) {
    const named = await this.db
      .selectFrom('room_members')
      .innerJoin('users', 'users.id', 'room_members.user_id')
      .select('users.id')
      .where('room_members.room_id', '=', roomId)
      .where('users.username', 'in', logins)
      .where('users.id', '!=', authorId)
      .execute();
    if (named.length === 0) return [];
    const inserted = await this.db
      .insertInto('message_mentions')
      .values(named.map(({ id }) => ({ user_id: id, room_id: roomId, seq })))
      .onConflict((oc) => oc.columns(['user_id', 'room_id', 'seq']).doNothing())
      .returning('user_id')
      .execute();
    return inserted.map((row) => row.user_id);
  }
}
