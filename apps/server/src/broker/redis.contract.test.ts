import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useRedis } from '@hubbub/testing';
import { Redis } from 'ioredis';
import { describe } from 'vitest';
import type { MessageStore } from '../store/port.js';
import { openSqliteStore } from '../store/sqlite.js';
import { type BrokerHarness, brokerContract } from './contract.js';
import { RedisBroker } from './redis.js';

const redis = useRedis();
let suite = 0;

/** A RedisBroker over a real Redis; `reopen` is a node restart over the same Redis. */
async function redisHarness(): Promise<BrokerHarness> {
  const dir = await mkdtemp(join(tmpdir(), 'hubbub-redis-broker-'));
  const store: MessageStore = await openSqliteStore({
    file: join(dir, 'hubbub.sqlite'),
    synchronous: 'NORMAL',
  });
  await store.migrate();
  const prefix = `t${process.pid}-${++suite}`;
  const opened: Array<{ client: Redis; broker: RedisBroker }> = [];
  const open = () => {
    const client = new Redis(redis.server().url);
    const broker = new RedisBroker({ redis: client, store, prefix });
    opened.push({ client, broker });
    return broker;
  };
  const release = async () => {
    for (const { client, broker } of opened.splice(0)) {
      await broker.close();
      client.disconnect();
    }
  };
  return {
    broker: open(),
    reopen: async () => {
      await release();
      return open();
    },
    cleanup: async () => {
      await release();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

describe.runIf(redis.enabled)('on Redis', () => {
  brokerContract('Redis', redisHarness);
});
