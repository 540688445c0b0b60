import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../store/schema.js';
import type { MediaTable } from './schema.js';

export type MediaRow = Selectable<MediaTable>;

/** Uploads' records, shared by SQLite and PostgreSQL. */
export class MediaStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: MediaRow): Promise<void> {
    await this.db.insertInto('media').values(row).execute();
  }

  /** Stops serving these files (their message was deleted). */
  async revoke(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db
      .updateTable('media')
      .set({ revoked_at: Date.now() })
      .where('id', 'in', ids)
      .where('revoked_at', 'is', null)
      .execute();
  }

  find(id: string): Promise<MediaRow | undefined> {
    return this.db.selectFrom('media').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Records revoked before `cutoff` (ms), oldest first, at most `limit`: garbage to collect. */
  revokedBefore(cutoff: number, limit: number): Promise<MediaRow[]> {
    return this.db
      .selectFrom('media')
      .selectAll()
      .where('revoked_at', '<', cutoff)
      .orderBy('revoked_at')
      .limit(limit)
      .execute();
  }

  /** Which of `keys` a record that is not revoked still points to (as its file or thumbnail). */
  async inUse(keys: readonly string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const rows = await this.db
      .selectFrom('media')
      .select(['blob', 'thumb'])
      .where('revoked_at', 'is', null)
      .where((eb) => eb.or([eb('blob', 'in', keys), eb('thumb', 'in', keys)]))
      .execute();
    return new Set(
      rows.flatMap((row) => [row.blob, row.thumb ?? '']).filter((k) => keys.includes(k)),
    );
  }

  async remove(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.deleteFrom('media').where('id', 'in', ids).execute();
  }
}
