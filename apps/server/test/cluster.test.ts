import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JoinedFrame, MessageFrame } from '@hubbub/protocol';
import {
  get,
  RawClient,
  register,
  type ServerProcess,
  spawnServer,
  usePostgres,
  useRedis,
} from '@hubbub/testing';
import { afterEach, describe, expect, test } from 'vitest';

/** Two Hubbub processes on one Redis and one PostgreSQL behave as one server. */
const postgres = usePostgres();
const redis = useRedis();

describe.runIf(postgres.enabled && redis.enabled)('two nodes on Redis and PostgreSQL', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  async function cluster(count: number): Promise<ServerProcess[]> {
    const shared = {
      DATABASE_URL: await postgres.server().createDatabase(),
      REDIS_URL: redis.server().database(),
      TOKEN_SECRET: 'a-cluster-wide-secret-of-at-least-32-chars',
      RATE_LIMIT_PER_SECOND: '1000',
      RATE_LIMIT_BURST: '1000',
    };
    const nodes: ServerProcess[] = [];
    for (let i = 0; i < count; i++) {
      const dir = await mkdtemp(join(tmpdir(), 'hubbub-node-'));
      dirs.push(dir);
      // One after the other: the first runs the migrations.
      nodes.push(await spawnServer({ ...shared, DATA_DIR: dir }));
    }
    return nodes;
  }

  test('messages cross nodes in order, reach PostgreSQL, and resume on the other node', async () => {
    const [a, b] = await cluster(2);
    if (a === undefined || b === undefined) throw new Error('two nodes');
    await using _a = a;
    await using _b = b;
    for (const node of [a, b]) expect((await fetch(`${node.httpUrl}/ready`)).status).toBe(200);
    const alice = await register({ httpUrl: a.httpUrl }, 'alice');
    const bob = await register({ httpUrl: b.httpUrl }, 'bob');
    await using sender = await RawClient.ready(a.wsUrl, alice.token);
    const reader = await RawClient.ready(b.wsUrl, bob.token);
    for (const client of [sender, reader]) {
      client.send({ type: 'join', room: 'general' });
      await client.next((f) => f.type === 'joined');
    }
    for (let i = 1; i <= 20; i++) {
      sender.send({ type: 'send', room: 'general', cid: `${i}`, content: `line ${i}` });
      await sender.next((f) => f.type === 'ack' && f.cid === `${i}`);
    }
    await expect.poll(() => reader.messagesIn('general').length).toBe(20);
    expect(reader.messagesIn('general').map((m) => m.seq)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    // Both see both people, whichever node each is on.
    await expect
      .poll(() => reader.received.filter((f) => f.type === 'presence').at(-1))
      .toMatchObject({ count: 2 });

    // The outbox reaches PostgreSQL: history over REST on either node.
    await expect
      .poll(async () => {
        const page = await get<{ messages: MessageFrame[] }>(
          { httpUrl: b.httpUrl },
          '/api/rooms/general/messages?limit=50',
          bob.token,
        );
        return page.body.messages.map((m) => m.content);
      })
      .toEqual(Array.from({ length: 20 }, (_, i) => `line ${i + 1}`));

    // Bob drops off node B; Alice writes on; Bob comes back on node A and resumes.
    const joined = reader.received.find((f) => f.type === 'joined') as JoinedFrame;
    await reader.close();
    for (let i = 21; i <= 25; i++) {
      sender.send({ type: 'send', room: 'general', cid: `${i}`, content: `line ${i}` });
      await sender.next((f) => f.type === 'ack' && f.cid === `${i}`);
    }
    await using back = await RawClient.ready(a.wsUrl, bob.token);
    back.send({ type: 'resume', room: 'general', since: 20, epoch: joined.epoch });
    const resumed = (await back.next((f) => f.type === 'joined')) as JoinedFrame;
    expect(resumed.messages.map((m) => m.seq)).toEqual([21, 22, 23, 24, 25]);
  }, 60_000);
});
