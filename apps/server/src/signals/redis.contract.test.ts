import { useRedis } from '@hubbub/testing';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, test } from 'vitest';
import { signalsContract } from './contract.js';
import { RedisSignals } from './redis.js';

const redis = useRedis();

describe.runIf(redis.enabled)('on Redis', () => {
  const clients: Redis[] = [];
  const buses: RedisSignals[] = [];
  let suite = 0;
  afterAll(async () => {
    await Promise.all(buses.map((bus) => bus.close()));
    for (const client of clients) client.disconnect();
  });

  // Two nodes: two connections, two subscribers, one prefix per test.
  signalsContract('Redis', async () => {
    const prefix = `t${process.pid}-${++suite}`;
    const nodes = [0, 1].map(() => {
      const client = new Redis(redis.server().url);
      clients.push(client);
      const bus = new RedisSignals(client, { prefix });
      buses.push(bus);
      return bus;
    });
    return [nodes[0] as RedisSignals, nodes[1] as RedisSignals];
  });

  test('a malformed publish on the node channel is ignored, not fatal', async () => {
    const client = new Redis(redis.server().url);
    clients.push(client);
    const errors: unknown[] = [];
    const bus = new RedisSignals(client, { prefix: 'garbage', onError: (e) => errors.push(e) });
    buses.push(bus);
    const heard: string[] = [];
    bus.listen((signal) => heard.push(signal.kind));
    await bus.ready();
    for (const junk of ['not json', '{"kind":"evict"}', '{"kind":"explode","user":"u"}', 'null'])
      await client.publish('garbage:signals', junk);
    bus.broadcast({ kind: 'end-sessions', user: 'u1' });
    await expect.poll(() => heard).toEqual(['end-sessions']);
    expect(errors).toHaveLength(4);
  });
});
