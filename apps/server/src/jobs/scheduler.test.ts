import { useRedis } from '@hubbub/testing';
import { Redis } from 'ioredis';
import { expect, test } from 'vitest';
import { RedisJobClaims } from './claims.js';
import { Scheduler } from './scheduler.js';

const redis = useRedis();
const quiet = { info: () => {}, error: () => {} };

test.runIf(redis.enabled)(
  'three nodes schedule one job every second: each occurrence runs once, on one of them',
  async () => {
    const prefix = `sched-${process.pid}`;
    const clients = [0, 1, 2].map(() => new Redis(redis.server().url));
    const runs: Array<{ node: number; second: number }> = [];
    const schedulers = clients.map((client, node) => {
      const scheduler = new Scheduler(new RedisJobClaims(client, prefix), quiet);
      scheduler.add({
        name: 'tick',
        pattern: '* * * * * *',
        run: async () => {
          runs.push({ node, second: Math.round(Date.now() / 1000) });
        },
      });
      return scheduler;
    });
    try {
      await expect.poll(() => runs.length, { timeout: 10_000, interval: 100 }).toBeGreaterThan(3);
    } finally {
      await Promise.all(schedulers.map((scheduler) => scheduler.stop()));
      for (const client of clients) client.disconnect();
    }
    const seconds = runs.map((run) => run.second);
    expect(new Set(seconds).size).toBe(seconds.length);
  },
  20_000,
);
