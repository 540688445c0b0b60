import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { usePostgres } from '@hubbub/testing';
import { describe } from 'vitest';
import { messageStoreContract, type StoreHarness } from './contract.js';
import type { MessageStore } from './port.js';
import { openPostgresStore } from './postgres.js';
import { openSqliteStore } from './sqlite.js';

/** Opens, reopens and finally closes stores over one database; the harness every engine shares. */
function harness(
  openStore: () => Promise<MessageStore>,
  dispose: () => Promise<void>,
): Promise<StoreHarness> {
  const opened: MessageStore[] = [];
  const open = async () => {
    const store = await openStore();
    opened.push(store);
    return store;
  };
  const closeAll = async () => {
    for (const store of opened.splice(0)) await store.close();
  };
  return open().then((store) => ({
    store,
    reopen: async () => {
      await closeAll();
      const again = await open();
      await again.migrate();
      return again;
    },
    cleanup: async () => {
      await closeAll();
      await dispose();
    },
  }));
}

messageStoreContract('SQLite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'hubbub-store-'));
  const file = join(dir, 'hubbub.sqlite');
  return harness(
    () => openSqliteStore({ file, synchronous: 'FULL' }),
    () => rm(dir, { recursive: true, force: true }),
  );
});

const postgres = usePostgres();
describe.runIf(postgres.enabled)('on PostgreSQL', () => {
  messageStoreContract('PostgreSQL', async () => {
    const url = await postgres.server().createDatabase();
    return harness(
      () => openPostgresStore({ url }),
      async () => {},
    );
  });
});
