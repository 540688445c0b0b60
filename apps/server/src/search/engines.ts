import { type Kysely, type RawBuilder, sql } from 'kysely';
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

/** What differs between the engines: how words become a query, and how it is matched. */
interface FullText {
  /** A query that matches every word, the last (if long enough) as a prefix. */
  query(words: readonly string[], lastIsPrefix: boolean): string;
  /** The condition on `messages m` for that query. */
  matches(query: string): RawBuilder<boolean>;
}

/**
 * SQLite's FTS5: `messages_fts` indexes `messages.content` (external content, kept current
 * by triggers, see migrations.ts). Each word is a quoted FTS5 string, so nothing typed is
 * query syntax. better-sqlite3 runs on the event loop, so the index yields rowids and only
 * the page of rows is read.
 */
const fts5: FullText = {
  query: (words, lastIsPrefix) =>
    words
      .map(
        (word, i) =>
          `"${word.replaceAll('"', '""')}"${lastIsPrefix && i === words.length - 1 ? '*' : ''}`,
      )
      .join(' '),
  matches: (query) =>
    sql<boolean>`m.rowid in (select rowid from messages_fts where messages_fts match ${query})`,
};

/**
 * PostgreSQL: a GIN index on `to_tsvector('simple', content)` ('simple': no stemming, stop
 * words or accent folding, like the FTS5 table, so both find the same words). An expression
 * index, not a column: history reads carry no tsvector and the migration rewrote no table.
 * Each word is a quoted lexeme, so nothing typed is tsquery syntax.
 */
const tsvector: FullText = {
  query: (words, lastIsPrefix) =>
    words
      .map(
        (word, i) =>
          `'${word.replaceAll("'", "''")}'${lastIsPrefix && i === words.length - 1 ? ':*' : ''}`,
      )
      .join(' & '),
  matches: (query) =>
    sql<boolean>`to_tsvector('simple', m.content) @@ to_tsquery('simple', ${query})`,
};

/** The MessageSearch of one engine: the same query around that engine's full-text match. */
class EngineSearch implements MessageSearch {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly engine: FullText,
  ) {}

  async search(query: SearchQuery): Promise<SearchHit[]> {
    const words = searchTerms(query.text);
    if (words.length === 0 || query.rooms.length === 0) return [];
    const lastIsPrefix = (words.at(-1)?.length ?? 0) >= minPrefix;
    const rows = await sql<Parameters<typeof toMessage>[0]>`
      select m.* from messages m
      where ${this.engine.matches(this.engine.query(words, lastIsPrefix))}
        and m.room_id in (${sql.join(query.rooms)})
        and m.deleted_at is null
        ${query.before === undefined ? sql`` : sql`and m.id < ${query.before}`}
      order by m.id desc
      limit ${query.limit}`.execute(this.db);
    // Matches are marked here, for the page only, the same way for both engines.
    return rows.rows.map((row) => {
      const message = toMessage(row);
      return { message, parts: markTerms(message.content, words) };
    });
  }
}

export const sqliteSearch = (db: Kysely<Database>): MessageSearch => new EngineSearch(db, fts5);
export const postgresSearch = (db: Kysely<Database>): MessageSearch =>
  new EngineSearch(db, tsvector);
