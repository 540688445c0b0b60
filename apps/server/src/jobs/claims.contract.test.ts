import { useRedis } from '@hubbub/testing';
import { Redis } from 'ioredis';
import { afterAll, describe } from 'vitest';
import { LocalJobClaims, RedisJobClaims } from './claims.js';
import { jobClaimsContract } from './contract.js';

// One process: its two "nodes" share one claims object, as its nodes share one process.
jobClaimsContract('in process', async () => {
  const claims = new LocalJobClaims();
  return [claims, claims];
});

const redis = useRedis();

describe.runIf(redis.enabled)('on Redis', () => {
  const clients: Redis[] = [];
  afterAll(() => {
    for (const client of clients) client.disconnect();
  });
  let suite = 0;
  jobClaimsContract('Redis', async () => {
    const prefix = `t${process.pid}-${++suite}`;
    const node = () => {
      const client = new Redis(redis.server().url);
      clients.push(client);
      return new RedisJobClaims(client, prefix);
    };
    return [node(), node()];
  });
});
