import { type Kysely, sql } from 'kysely';
import { toMessage } from '../store/kysely-store.js';
import type { Database } from '../store/schema.js';
import {
  MARK_END,
  MARK_START,
  type MessageSearch,
  markedParts,
  type SearchHit,
  type SearchQuery,
  searchTerms,
} from './port.js';

/**
 * Search on SQLite's FTS5: `messages_fts` indexes `messages.content` (external content,
 * kept current by triggers, see migrations.ts), tokenized by unicode61 with diacritics
 * folded. Each word goes in as a quoted FTS5 string, so nothing typed is query syntax.
 */
export class SqliteSearch implements MessageSearch {
  constructor(private readonly db: Kysely<Database>) {}

  async search(query: SearchQuery): Promise<SearchHit[]> {
    const terms = searchTerms(query.text);
    if (terms.length === 0 || query.rooms.length === 0) return [];
    const match = terms
      .map((term, i) => `"${term.replaceAll('"', '""')}"${i === terms.length - 1 ? '*' : ''}`)
      .join(' ');
    const rows = await sql<Record<string, unknown>>`
      select m.*, highlight(messages_fts, 0, ${MARK_START}, ${MARK_END}) as marked
      from messages_fts
      join messages m on m.rowid = messages_fts.rowid
      where messages_fts match ${match}
        and m.room_id in (${sql.join(query.rooms)})
        and m.deleted_at is null
        ${query.before === undefined ? sql`` : sql`and m.id < ${query.before}`}
      order by m.id desc
      limit ${query.limit}`.execute(this.db);
    return rows.rows.map((row) => ({
      message: toMessage(row as Parameters<typeof toMessage>[0]),
      parts: markedParts(String(row.marked)),
    }));
  }
}
