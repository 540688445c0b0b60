import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { unnestWriter } from './bulk.js';
import { KyselyMessageStore } from './kysely-store.js';
import type { MessageStore } from './port.js';
import type { Database } from './schema.js';

const INT8_OID = 20;

export interface PostgresStoreOptions {
  url: string;
  /** Pool size. */
  max?: number;
}

/** The production engine: a pg pool behind the same Kysely queries as SQLite. */
export function openPostgresDatabase(options: PostgresStoreOptions): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    // Seqs and millisecond times are bigint columns; they fit a JS number exactly, so read
    // them as numbers instead of pg's default strings. Only this pool is affected.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // A client losing its connection must not crash the process: idle ones are the pool's
  // 'error'; a checked-out one between two statements of a transaction emits on itself
  // (its next statement then fails, and the work is retried or refused as unavailable).
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/** The message store on its own PostgreSQL pool (tests and tools). */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<MessageStore> {
  return new KyselyMessageStore(openPostgresDatabase(options), unnestWriter);
}
