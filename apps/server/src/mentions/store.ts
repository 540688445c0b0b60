import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

/** Queries of the mentions feature, shared by SQLite and PostgreSQL. */
export class MentionStore {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Makes message `seq` of `roomId` mention exactly the members of that room with these
   * logins (its author aside): rows for people no longer named go (an edit took them out).
   * Resolves with the ids added now: one recorded before (a resend of the same cid, an
   * edit that kept the name) is not added again, so nobody is told twice.
   */
  async replace(roomId: string, seq: number, authorId: string, logins: readonly string[]) {
    const named =
      logins.length === 0
        ? []
        : await this.db
            .selectFrom('room_members')
            .innerJoin('users', 'users.id', 'room_members.user_id')
            .select('users.id')
            .where('room_members.room_id', '=', roomId)
            .where('users.username', 'in', logins)
            .where('users.id', '!=', authorId)
            .execute();
    const ids = named.map((row) => row.id);
    let stale = this.db
      .deleteFrom('message_mentions')
      .where('room_id', '=', roomId)
      .where('seq', '=', seq);
    if (ids.length > 0) stale = stale.where('user_id', 'not in', ids);
    await stale.execute();
    if (ids.length === 0) return [];
    const inserted = await this.db
      .insertInto('message_mentions')
      .values(ids.map((id) => ({ user_id: id, room_id: roomId, seq })))
      .onConflict((oc) => oc.columns(['user_id', 'room_id', 'seq']).doNothing())
      .returning('user_id')
      .execute();
    return inserted.map((row) => row.user_id);
  }
}
