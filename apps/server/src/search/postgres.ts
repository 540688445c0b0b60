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
 * Search on PostgreSQL: `messages.search` is a stored tsvector of the content ('simple'
 * configuration: no stemming or stop words, like FTS5's unicode61, so both engines find
 * the same words) with a GIN index. Each word goes in as a quoted lexeme, so nothing typed
 * is tsquery syntax; the last one also matches as a prefix.
 */
export class PostgresSearch implements MessageSearch {
  constructor(private readonly db: Kysely<Database>) {}

  async search(query: SearchQuery): Promise<SearchHit[]> {
    const terms = searchTerms(query.text);
    if (terms.length === 0 || query.rooms.length === 0) return [];
    const tsquery = terms
      .map((term, i) => `'${term.replaceAll("'", "''")}'${i === terms.length - 1 ? ':*' : ''}`)
      .join(' & ');
    const options = `StartSel=${MARK_START}, StopSel=${MARK_END}, HighlightAll=true`;
    const rows = await sql<Record<string, unknown>>`
      select m.*, ts_headline('simple', m.content, q, ${options}) as marked
      from messages m, to_tsquery('simple', ${tsquery}) q
      where m.search @@ q
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
