import { useRedis } from '@hubbub/testing';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, test } from 'vitest';
import { figures, figuresBoardContract } from './contract.js';
import { LocalFiguresBoard } from './local.js';
import { RedisFiguresBoard } from './redis.js';

// One process: its nodes share one board.
figuresBoardContract('in process', async (clock) => {
  const board = new LocalFiguresBoard(() => clock.now);
  return [board, board];
});

const redis = useRedis();

describe.runIf(redis.enabled)('on Redis', () => {
  const clients: Redis[] = [];
  afterAll(() => {
    for (const client of clients) client.disconnect();
  });
  const connect = () => {
    const client = new Redis(redis.server().url);
    clients.push(client);
    return client;
  };
  let suite = 0;
  figuresBoardContract('Redis', async (clock) => {
    const prefix = `t${process.pid}-${++suite}`;
    const node = () => new RedisFiguresBoard(connect(), prefix, () => clock.now);
    return [node(), node()];
  });

  test('an unreadable post (another version, junk) is skipped and removed', async () => {
    const client = connect();
    const board = new RedisFiguresBoard(client, 'junk');
    await client.hset('junk:analytics:figures', 'old', '{"node":"old"}', 'bad', 'not json');
    await board.post(figures('a', Date.now(), 1), new Set(['ann']));
    expect((await board.read()).nodes.map((f) => f.node)).toEqual(['a']);
    expect(await client.hkeys('junk:analytics:figures')).toEqual(['a']);
  });
});
