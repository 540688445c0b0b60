import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { usePostgres } from '@hubbub/testing';
import pino from 'pino';
import { describe } from 'vitest';
import { GroupCommitPersister } from '../store/persister.js';
import type { MessageStore } from '../store/port.js';
import { openPostgresStore } from '../store/postgres.js';
import { openSqliteStore } from '../store/sqlite.js';
import { type BrokerHarness, brokerContract } from './contract.js';
import { LocalBroker } from './local.js';

/** A LocalBroker over a real store and persister; `reopen` is a process restart. */
async function localHarness(
  openStore: () => Promise<MessageStore>,
  dispose: () => Promise<void>,
): Promise<BrokerHarness> {
  const opened: Array<{
    store: MessageStore;
    persister: GroupCommitPersister;
    broker: LocalBroker;
  }> = [];
  const open = async () => {
    const store = await openStore();
    await store.migrate();
    const persister = new GroupCommitPersister(store, { logger: pino({ level: 'silent' }) });
    const broker = new LocalBroker({ store, writer: persister });
    opened.push({ store, persister, broker });
    return broker;
  };
  const release = async () => {
    for (const { store, persister, broker } of opened.splice(0)) {
      await broker.close();
      await persister.close();
      await store.close();
    }
  };
  return {
    broker: await open(),
    reopen: async () => {
      await release();
      return open();
    },
    cleanup: async () => {
      await release();
      await dispose();
    },
  };
}

brokerContract('local, over SQLite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'hubbub-broker-'));
  const file = join(dir, 'hubbub.sqlite');
  return localHarness(
    () => openSqliteStore({ file, synchronous: 'NORMAL' }),
    () => rm(dir, { recursive: true, force: true }),
  );
});

const postgres = usePostgres();
describe.runIf(postgres.enabled)('on PostgreSQL', () => {
  brokerContract('local, over PostgreSQL', async () => {
    const url = await postgres.server().createDatabase();
    return localHarness(
      () => openPostgresStore({ url }),
      async () => {},
    );
  });
});
