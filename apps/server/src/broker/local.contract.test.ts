import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { GroupCommitPersister } from '../store/persister.js';
import type { MessageStore } from '../store/port.js';
import { openSqliteStore } from '../store/sqlite.js';
import { brokerContract } from './contract.js';
import { LocalBroker } from './local.js';

brokerContract('local (embedded, over SQLite)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'hubbub-broker-'));
  const file = join(dir, 'hubbub.sqlite');
  const opened: Array<{
    store: MessageStore;
    persister: GroupCommitPersister;
    broker: LocalBroker;
  }> = [];
  const open = async () => {
    const store = await openSqliteStore({ file, synchronous: 'NORMAL' });
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
      await rm(dir, { recursive: true, force: true });
    },
  };
});
