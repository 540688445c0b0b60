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
 * Search on PostgreSQL: a GIN index on `to_tsvector('simple', content)` ('simple': no
 * stemming, stop words or accent folding, like the FTS5 table, so both engines find the
 * same words). An expression index, not a column: history reads carry no tsvector and the
 * migration rewrites no table. Each word goes in as a quoted lexeme, so nothing typed is
 * tsquery syntax; the last one also matches as a prefix.
 */
export class PostgresSearch implements MessageSearch {
  constructor(private readonly db: Kysely<Database>) {}

  async search(query: SearchQuery): Promise<SearchHit[]> {
    const terms = searchTerms(query.text);
    if (terms.length === 0 || query.rooms.length === 0) return [];
    const tsquery = terms
      .map((term, i) => {
        const quoted = `'${term.replaceAll("'", "''")}'`;
        return i === terms.length - 1 && term.length >= minPrefix ? `${quoted}:*` : quoted;
      })
      .join(' & ');
    const rows = await sql<Parameters<typeof toMessage>[0]>`
      select m.* from messages m
      where to_tsvector('simple', m.content) @@ to_tsquery('simple', ${tsquery})
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
