import { type Kysely, sql } from 'kysely';
import { toMessage } from '../store/kysely-store.js';
import type { Database } from '../store/schema.js';
import {
  type MessageSearch,
  markTerms,
  minPrefix,
  type SearchHit,
  type SearchQuery,
  searchTerms,
} from './port.js';

/**
 * Search on SQLite's FTS5: `messages_fts` indexes `messages.content` (external content,
 * kept current by triggers, see migrations.ts). Each word goes in as a quoted FTS5 string,
 * so nothing typed is query syntax. better-sqlite3 runs on the event loop, so the query
 * stays lean: the index finds rowids, only the page of rows is read, and matches are
 * marked in JS for that page alone.
 */
export class SqliteSearch implements MessageSearch {
  constructor(private readonly db: Kysely<Database>) {}

  async search(query: SearchQuery): Promise<SearchHit[]> {
    const terms = searchTerms(query.text);
    if (terms.length === 0 || query.rooms.length === 0) return [];
    const match = terms
      .map((term, i) => {
        const quoted = `"${term.replaceAll('"', '""')}"`;
        return i === terms.length - 1 && term.length >= minPrefix ? `${quoted}*` : quoted;
      })
      .join(' ');
    const rows = await sql<Parameters<typeof toMessage>[0]>`
      select m.* from messages m
      where m.rowid in (select rowid from messages_fts where messages_fts match ${match})
        and m.room_id in (${sql.join(query.rooms)})
        and m.deleted_at is null
        ${query.before === undefined ? sql`` : sql`and m.id < ${query.before}`}
      order by m.id desc
      limit ${query.limit}`.execute(this.db);
    return rows.rows.map((row) => {
      const message = toMessage(row);
      return { message, parts: markTerms(message.content, terms) };
    });
  }
}
