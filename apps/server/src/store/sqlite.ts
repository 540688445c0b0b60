import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, type SqliteDatabase, SqliteDialect } from 'kysely';
import { KyselyMessageStore } from './kysely-store.js';
import type { MessageStore } from './port.js';
import type { Database } from './schema.js';

export interface SqliteStoreOptions {
  file: string;
  /**
   * FULL: a committed transaction survives an OS crash or power loss (WAL is fsynced on
   * every commit). NORMAL: it survives a process crash, but the last commits may be lost on
   * power loss; commits are much cheaper.
   */
  synchronous: 'FULL' | 'NORMAL';
}

/**
 * The embedded engine. better-sqlite3 is synchronous, so every statement runs on the event
 * loop: the persister keeps each commit bounded (a few hundred rows) to keep stalls short.
 */
export function openSqliteDatabase(options: SqliteStoreOptions): Kysely<Database> {
  mkdirSync(dirname(options.file), { recursive: true });
  const sqlite = new SQLite(options.file);
  // WAL: readers never block the writer, and a commit is one append to the log.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma(`synchronous = ${options.synchronous}`);
  // Another process (a second node in a test, a backup) holding the lock briefly is waited for.
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  return new Kysely<Database>({
    dialect: new SqliteDialect({ database: cachingStatements(sqlite) }),
  });
}

/** Distinct statements kept prepared; beyond it the cache starts over. */
const CACHED_STATEMENTS = 200;
/**
 * Longer SQL is prepared each time: multi-row inserts have one text per row count, and
 * SQLite holds ~200 KiB per prepared 500-row insert (a reviewer measured ~115 MB for all).
 */
const CACHED_SQL_MAX = 1024;

/**
 * Kysely's SQLite driver prepares every query anew, and preparing costs more than running
 * most of ours (a profile of rooms-10k put it beside the queries themselves). The same SQL
 * text gets the same prepared statement here. Safe because the driver runs one query at a
 * time on its one connection, so a statement is never in use twice at once.
 */
function cachingStatements(sqlite: SQLite.Database): SqliteDatabase {
  const prepared = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      if (sql.length > CACHED_SQL_MAX) return sqlite.prepare(sql);
      let statement = prepared.get(sql);
      if (statement === undefined) {
        if (prepared.size >= CACHED_STATEMENTS) prepared.clear();
        statement = sqlite.prepare(sql);
        prepared.set(sql, statement);
      }
      return statement;
    },
  };
}

/** The message store on its own SQLite database (tests and tools). */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<MessageStore> {
  return new KyselyMessageStore(openSqliteDatabase(options));
}
