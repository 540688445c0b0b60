import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { usePostgres } from '@hubbub/testing';
import { describe } from 'vitest';
import { KyselyMessageStore } from '../store/kysely-store.js';
import { openPostgresDatabase } from '../store/postgres.js';
import { openSqliteDatabase } from '../store/sqlite.js';
import { messageSearchContract } from './contract.js';
import { postgresSearch, sqliteSearch } from './engines.js';

messageSearchContract('SQLite FTS5', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'hubbub-search-'));
  const db = openSqliteDatabase({ file: join(dir, 'hubbub.sqlite'), synchronous: 'NORMAL' });
  const store = new KyselyMessageStore(db);
  await store.migrate();
  return {
    store,
    search: sqliteSearch(db),
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
    return { store, search: postgresSearch(db), cleanup: () => store.close() };
  });
});
