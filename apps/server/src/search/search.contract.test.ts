import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { usePostgres } from '@hubbub/testing';
import { describe } from 'vitest';
import { KyselyMessageStore } from '../store/kysely-store.js';
import { openPostgresDatabase } from '../store/postgres.js';
import { openSqliteDatabase } from '../store/sqlite.js';
import { messageSearchContract } from './contract.js';
import { PostgresSearch } from './postgres.js';
import { SqliteSearch } from './sqlite.js';

messageSearchContract('SQLite FTS5', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'hubbub-search-'));
  const db = openSqliteDatabase({ file: join(dir, 'hubbub.sqlite'), synchronous: 'NORMAL' });
  const store = new KyselyMessageStore(db);
  await store.migrate();
  return {
    store,
    search: new SqliteSearch(db),
    cleanup: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

const postgres = usePostgres();
describe.runIf(postgres.enabled)('on PostgreSQL', () => {
  messageSearchContract('PostgreSQL tsvector', async () => {
    const db = openPostgresDatabase({ url: await postgres.server().createDatabase() });
    const store = new KyselyMessageStore(db);
    await store.migrate();
    return { store, search: new PostgresSearch(db), cleanup: () => store.close() };
  });
});
