import { useRedis } from '@hubbub/testing';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, test } from 'vitest';
import { presenceContract } from './contract.js';
import { RedisPresence } from './redis.js';

const redis = useRedis();

describe.runIf(redis.enabled)('on Redis', () => {
  const clients: Redis[] = [];
  const stores: RedisPresence[] = [];
  let suite = 0;
  const open = (leaseMs?: number) => {
    const client = new Redis(redis.server().url);
    clients.push(client);
    // A prefix per store: each test starts from an empty Redis as far as it can tell.
    const store = new RedisPresence(client, {
      prefix: `t${process.pid}-${++suite}`,
      ...(leaseMs === undefined ? {} : { leaseMs }),
    });
    stores.push(store);
    return store;
  };
  afterAll(() => {
    for (const store of stores) store.close();
    for (const client of clients) client.disconnect();
  });

  presenceContract('Redis', async () => open());

  test('a node that stops renewing loses its people after one lease; a live node keeps its own', async () => {
    const client = new Redis(redis.server().url);
    clients.push(client);
    const prefix = `lease-${process.pid}`;
    const dying = new RedisPresence(client, { prefix, leaseMs: 300 });
    const living = new RedisPresence(client, { prefix, leaseMs: 300 });
    stores.push(dying, living);
    await dying.enter('r', { id: 'ghost', name: 'Ghost' }, 'c1');
    await living.enter('r', { id: 'alive', name: 'Alive' }, 'c2');
    expect((await living.headcount('r', 10)).count).toBe(2);
    dying.close(); // a kill -9: no exit, no more renewals
    await expect
      .poll(() => living.headcount('r', 10), { timeout: 3000, interval: 100 })
      .toEqual({ users: [{ id: 'alive', name: 'Alive' }], count: 1 });
  });
});
