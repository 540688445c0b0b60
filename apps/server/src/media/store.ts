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
}
