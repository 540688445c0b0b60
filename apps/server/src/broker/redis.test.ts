import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChatMessage } from '@hubbub/protocol';
import { useRedis } from '@hubbub/testing';
import { Redis } from 'ioredis';
import { uuidv7 } from 'uuidv7';
import { afterEach, describe, expect, test } from 'vitest';
import { RedisSignals } from '../signals/redis.js';
import type { MessageStore } from '../store/port.js';
import { openSqliteStore } from '../store/sqlite.js';
import { BrokerError } from './local.js';
import type { DraftMessage } from './port.js';
import { RedisBroker, type RedisBrokerOptions } from './redis.js';

/** What only a shared broker has to get right: several nodes, lost pub/sub, a Redis restart. */
const redis = useRedis();

let counter = 0;
const draft = (room: string, content: string): DraftMessage => ({
  room,
  id: uuidv7(),
  user: { id: 'u', name: 'U' },
  content,
  ts: new Date().toISOString(),
  cid: `c${++counter}`,
});

/**
 * Subscribes and waits until the feed is live: a message published through the same node
 * comes after the feed's starting point, so once it arrives, everything later will. (Across
 * nodes, "after subscribe" only means after the node read the room's position.)
 */
async function listen(broker: RedisBroker, room: string): Promise<ChatMessage[]> {
  const got: ChatMessage[] = [];
  broker.subscribe(room, (messages) => got.push(...messages));
  const marker = await broker.publish(draft(room, 'marker'));
  await expect.poll(() => got.some((m) => m.id === marker.id)).toBe(true);
  got.splice(0);
  return got;
}

/** Subscribes, keeping what is delivered and counting the times the feed says it lost some. */
function watch(broker: RedisBroker, room: string): { got: ChatMessage[]; lost: () => number } {
  const got: ChatMessage[] = [];
  let losses = 0;
  broker.subscribe(
    room,
    (messages) => got.push(...messages),
    () => {
      losses += 1;
    },
  );
  return { got, lost: () => losses };
}

describe.runIf(redis.enabled)('the Redis broker across nodes', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** `count` nodes' brokers over one Redis (and one store, as nodes share a database). */
  async function nodes(
    count: number,
    positionCheckMs?: number,
    options: Partial<RedisBrokerOptions> = {},
  ) {
    const dir = await mkdtemp(join(tmpdir(), 'hubbub-nodes-'));
    const store: MessageStore = await openSqliteStore({
      file: join(dir, 'db.sqlite'),
      synchronous: 'NORMAL',
    });
    await store.migrate();
    const prefix = `n${process.pid}-${++counter}`;
    const clients: Redis[] = [];
    const brokers = Array.from({ length: count }, () => {
      const client = new Redis(redis.server().url, { maxRetriesPerRequest: 1 });
      clients.push(client);
      client.on('error', () => {});
      const broker = new RedisBroker({
        redis: client,
        store,
        prefix,
        ...(positionCheckMs === undefined ? {} : { positionCheckMs }),
        ...options,
      });
      cleanups.push(async () => {
        await broker.close();
        client.disconnect();
      });
      return broker;
    });
    cleanups.push(async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    });
    return { brokers, clients, prefix, store };
  }

  test('publishes from every node reach every node once, in one gapless order', async () => {
    const { brokers } = await nodes(3);
    const seen = [];
    for (const broker of brokers) seen.push(await listen(broker, 'r'));
    const published = await Promise.all(
      Array.from({ length: 90 }, (_, i) => brokers[i % 3]?.publish(draft('r', `m${i}`))),
    );
    const first = Math.min(...published.map((m) => m?.seq ?? 0));
    for (const got of seen) {
      await expect.poll(() => got.filter((m) => m.seq >= first).length).toBe(90);
      const seqs = got.map((m) => m.seq);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => (seqs[0] ?? 0) + i));
    }
    const tail = (got: ChatMessage[]) => got.filter((m) => m.seq >= first).map((m) => m.id);
    expect(tail(seen[1] ?? [])).toEqual(tail(seen[0] ?? []));
    expect(tail(seen[2] ?? [])).toEqual(tail(seen[0] ?? []));
  });

  test('a position check racing a busy feed is no loss (the cluster-3 benchmark found this)', async () => {
    // The check reads the room's seq on one connection while the feed delivers from another:
    // a reading older than what the feed delivered meanwhile is not Redis losing the room.
    const { brokers } = await nodes(2, 1);
    const [sender, receiver] = brokers;
    if (sender === undefined || receiver === undefined) throw new Error('two nodes');
    const feed = watch(receiver, 'busy');
    await listen(receiver, 'busy');
    const before = feed.got.length;
    for (let wave = 0; wave < 20; wave++) {
      await Promise.all(
        Array.from({ length: 100 }, (_, i) => sender.publish(draft('busy', `w${wave}.${i}`))),
      );
    }
    await expect.poll(() => feed.got.length - before, { timeout: 10_000 }).toBe(2000);
    expect(feed.lost()).toBe(0);
  });

  test('a message pub/sub lost is found by the position check and delivered in order', async () => {
    const { brokers, prefix } = await nodes(2, 100);
    const [a, b] = brokers as [RedisBroker, RedisBroker];
    const got = await listen(b, 'r');
    await a.publish(draft('r', 'one'));
    await expect.poll(() => got.length).toBe(1);
    // As if pub/sub dropped it: the message is in the log, but never published.
    const raw = new Redis(redis.server().url);
    const seq = await raw.hincrby(`${prefix}:{r}:meta`, 'seq', 1);
    const lost = {
      seq,
      room: 'r',
      id: uuidv7(),
      user: { id: 'u', name: 'U' },
      content: 'lost',
      ts: new Date().toISOString(),
    };
    await raw.xadd(`${prefix}:{r}:log`, `${seq}-0`, 'm', JSON.stringify(lost));
    raw.disconnect();
    await expect.poll(() => got.map((m) => m.content)).toEqual(['one', 'lost']);
    await a.publish(draft('r', 'three'));
    await expect.poll(() => got.map((m) => m.content)).toEqual(['one', 'lost', 'three']);
    expect(got.map((m) => m.seq)).toEqual([2, 3, 4]);
  });

  test('Redis restarts (AOF): seqs continue, nothing acknowledged is lost, feeds resume', async () => {
    const { brokers } = await nodes(2, 200);
    const [a, b] = brokers as [RedisBroker, RedisBroker];
    const got = await listen(b, 'r');
    for (let i = 1; i <= 3; i++) await a.publish(draft('r', `${i}`));
    await expect.poll(() => got.length).toBe(3);
    await redis.server().restart();
    // Until the client is back, a publish may be refused, never half-done.
    let fourth: ChatMessage | undefined;
    for (let attempt = 0; attempt < 50 && fourth === undefined; attempt++) {
      fourth = await a.publish(draft('r', '4')).catch(() => undefined);
      if (fourth === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(fourth?.seq).toBe(5);
    await expect.poll(() => got.map((m) => m.seq), { timeout: 5000 }).toEqual([2, 3, 4, 5]);
    const replay = await b.replay('r', 0);
    expect(replay.kind === 'messages' && replay.messages.map((m) => m.content)).toEqual([
      'marker',
      '1',
      '2',
      '3',
      '4',
    ]);
  });

  test('a gap the log no longer holds is reported as lost, never skipped; the feed goes on', async () => {
    const { brokers, prefix } = await nodes(2, 60_000);
    const [a, b] = brokers as [RedisBroker, RedisBroker];
    const { got, lost } = watch(b, 'r');
    const marker = await a.publish(draft('r', 'marker'));
    await expect.poll(() => got.map((m) => m.id)).toEqual([marker.id]);
    // As if pub/sub dropped five messages and the log was trimmed past them.
    const raw = new Redis(redis.server().url);
    await raw.hincrby(`${prefix}:{r}:meta`, 'seq', 5);
    raw.disconnect();
    await a.publish(draft('r', 'after the gap'));
    await expect.poll(lost).toBe(1);
    expect(got.map((m) => m.content)).toEqual(['marker']);
    const later = await a.publish(draft('r', 'later'));
    await expect.poll(() => got.at(-1)?.id).toBe(later.id);
    expect(later.seq).toBe(marker.seq + 7);
  });

  test('Redis loses a room (no AOF): subscribers are told, seqs go on above the database in a new epoch', async () => {
    const { brokers, prefix, store } = await nodes(2, 100);
    const [a, b] = brokers as [RedisBroker, RedisBroker];
    const { got, lost } = watch(b, 'r');
    const sent = [await a.publish(draft('r', 'marker'))];
    await expect.poll(() => got.length).toBe(1);
    for (let i = 1; i <= 3; i++) sent.push(await a.publish(draft('r', `${i}`)));
    const before = await a.head('r');
    // What the outbox persisters had written before Redis lost everything about the room.
    await store.insertMessages(sent.map((m) => ({ ...m, cid: `stored-${m.seq}` })));
    const raw = new Redis(redis.server().url);
    await raw.del(`${prefix}:{r}:meta`, `${prefix}:{r}:log`);
    raw.disconnect();
    const next = await a.publish(draft('r', 'after the loss'));
    // Above the database's head, with room for whatever persisters still held in flight.
    expect(next.seq).toBeGreaterThan(before.seq + 1000);
    expect((await a.head('r')).epoch).not.toBe(before.epoch);
    await expect.poll(lost).toBe(1);
    const later = await a.publish(draft('r', 'later'));
    await expect.poll(() => got.at(-1)?.id).toBe(later.id);
    expect(later.seq).toBe(next.seq + 1);
    // A resume from before the loss is told to reset: the epoch changed.
    expect((await b.replay('r', 2, before.epoch)).kind).toBe('reset');
    expect(await b.replay('r', next.seq)).toMatchObject({ kind: 'messages', seq: later.seq });
  });

  test("a sender's rate and a room's slow mode hold across nodes; a refused draft takes no seq", async () => {
    const { brokers } = await nodes(2, undefined, { userRate: { perSecond: 0.05, burst: 3 } });
    const [a, b] = brokers as [RedisBroker, RedisBroker];
    const from = (user: string, content: string, slowModeMs?: number): DraftMessage => ({
      ...draft('r', content),
      user: { id: user, name: user },
      ...(slowModeMs === undefined ? {} : { slowModeMs }),
    });
    const outcome = (publishing: Promise<ChatMessage>) =>
      publishing.then(
        (message) => `seq ${message.seq}`,
        (error: unknown) => (error instanceof BrokerError ? error.code : 'error'),
      );
    // Three of the burst on two nodes, then the fourth is refused on either.
    expect(await outcome(a.publish(from('ann', '1')))).toBe('seq 1');
    expect(await outcome(b.publish(from('ann', '2')))).toBe('seq 2');
    expect(await outcome(a.publish(from('ann', '3')))).toBe('seq 3');
    expect(await outcome(b.publish(from('ann', '4')))).toBe('rate_limited');
    // Someone else is not held by Ann's budget, and Ann's refusal took no seq.
    expect(await outcome(b.publish(from('bo', 'x')))).toBe('seq 4');

    // Slow mode: a send on node A starts the wait that node B holds too.
    expect(await outcome(a.publish(from('cy', 'first', 60_000)))).toBe('seq 5');
    expect(await outcome(b.publish(from('cy', 'second', 60_000)))).toBe('slow_mode');
    // Exempt (a moderator: no wait given) or another person: through.
    expect(await outcome(b.publish(from('cy', 'as moderator')))).toBe('seq 6');
    expect(await outcome(b.publish(from('di', 'other', 60_000)))).toBe('seq 7');
  });

  test('a wedged subscriber (connected, delivering nothing) turns unhealthy, is reconnected, and heals', async () => {
    const warnings: unknown[] = [];
    const { brokers } = await nodes(2, 200, {
      watchdog: { intervalMs: 100, deadMs: 600 },
      logger: { warn: (...args: unknown[]) => warnings.push(args) },
    });
    const [a, b] = brokers as [RedisBroker, RedisBroker];
    const got = await listen(b, 'r');
    await expect.poll(() => b.healthy()).toBe(true);
    // As in a failover that kept the TCP connection: connected, and nothing comes through.
    b.subscriberConnection.stream.pause();
    const during = await a.publish(draft('r', 'while wedged'));
    await expect.poll(() => warnings.length, { timeout: 5000 }).toBe(1);
    await expect.poll(() => b.healthy(), { timeout: 5000 }).toBe(true);
    // One drop was enough: the new connection delivers.
    expect(warnings).toHaveLength(1);
    const after = await a.publish(draft('r', 'after the wedge'));
    await expect.poll(() => got.map((m) => m.id)).toEqual([during.id, after.id]);
  });

  test('an expiring room: its Redis keys expire when its history does', async () => {
    const { brokers, clients, prefix } = await nodes(1);
    const [broker, redisClient] = [brokers[0]!, clients[0]!];
    await broker.publish(draft('event:x', 'bye'));
    const keys = ['meta', 'log'].map((k) => `${prefix}:{event:x}:${k}`);
    for (const key of keys) expect(await redisClient.pttl(key), key).toBe(-1);
    await broker.expire('event:x', Date.now() + 60_000);
    for (const key of keys) {
      const ttl = await redisClient.pttl(key);
      expect(ttl, key).toBeGreaterThan(50_000);
      expect(ttl, key).toBeLessThanOrEqual(60_000);
    }
    await broker.expire('event:x', Date.now() - 1);
    for (const key of keys) expect(await redisClient.exists(key), key).toBe(0);
  });

  test('sharing the subscriber, a notice published after a message arrives after it', async () => {
    const { brokers, clients, prefix } = await nodes(2);
    const [a, b] = brokers as [RedisBroker, RedisBroker];
    const [toA, toB] = clients as [Redis, Redis];
    // As in a node: one command connection publishes messages and notices, in that order.
    const sending = new RedisSignals(toA, { prefix });
    const hearing = new RedisSignals(toB, { prefix, subscriber: b.subscriberConnection });
    cleanups.push(() => Promise.all([sending.close(), hearing.close()]).then(() => {}));
    const order: string[] = [];
    await listen(b, 'r');
    b.subscribe('r', (messages) => order.push(...messages.map((m) => `message ${m.content}`)));
    hearing.listenRoom('r', (encoded) => order.push(`notice ${Buffer.from(encoded).toString()}`));
    await hearing.ready();
    for (let i = 0; i < 30; i++) {
      await a.publish(draft('r', `${i}`));
      sending.notice('r', Buffer.from(`${i}`));
    }
    await expect.poll(() => order.length).toBe(60);
    expect(order).toEqual(
      Array.from({ length: 30 }, (_, i) => [`message ${i}`, `notice ${i}`]).flat(),
    );
  });

  test('history is gapless up to the head: what the database lacks comes from the log, a seq in neither is refused', async () => {
    const { brokers, clients, prefix, store } = await nodes(1);
    const [broker, raw] = [brokers[0]!, clients[0]!];
    // No persister runs: the database has only what the test writes into it.
    const sent: ChatMessage[] = [];
    for (let i = 1; i <= 10; i++) sent.push(await broker.publish(draft('r', `${i}`)));
    const stored = (seqs: number[]) =>
      store.insertMessages(
        sent.filter((m) => seqs.includes(m.seq)).map((m) => ({ ...m, cid: `c-${m.seq}` })),
      );
    await stored([1, 2, 3, 5, 9]);
    const page = async (range: { before?: number; after?: number; limit: number }) =>
      (await broker.history('r', range)).map((m) => m.seq);
    expect(await page({ limit: 4 })).toEqual([7, 8, 9, 10]);
    expect(await page({ after: 0, limit: 4 })).toEqual([1, 2, 3, 4]);
    expect(await page({ after: 3, limit: 3 })).toEqual([4, 5, 6]);
    expect(await page({ before: 6, limit: 10 })).toEqual([1, 2, 3, 4, 5]);
    expect(await page({ after: 2, before: 9, limit: 10 })).toEqual([3, 4, 5, 6, 7, 8]);
    expect(await page({ after: 10, limit: 5 })).toEqual([]);
    // The filled messages are the ones acknowledged, as they now are (an edit revises them).
    const edited = { ...sent[3]!, content: 'four, edited', editedAt: new Date().toISOString() };
    broker.revise(edited);
    await expect
      .poll(async () => (await broker.history('r', { after: 0, limit: 10 }))[3])
      .toEqual(edited);
    expect((await broker.history('r', { after: 0, limit: 10 })).map((m) => m.id)).toEqual(
      sent.map((m) => m.id),
    );

    // Seq 4 gone from the log too (trimmed before its entry reached the database): refused,
    // not skipped, by REST pages that reach it, and by joins and resumes.
    await raw.xdel(`${prefix}:{r}:log`, '4-0');
    const refused = { name: 'BrokerError', code: 'unavailable' };
    await expect(broker.history('r', { after: 0, limit: 10 })).rejects.toMatchObject(refused);
    await expect(broker.history('r', { before: 6, limit: 3 })).rejects.toMatchObject(refused);
    await expect(broker.recent('r', 10)).rejects.toMatchObject(refused);
    await expect(broker.replay('r', 2)).rejects.toMatchObject(refused);
    // Pages that do not reach it are served; once the database has it, all are.
    expect(await page({ after: 4, limit: 10 })).toEqual([5, 6, 7, 8, 9, 10]);
    expect(await page({ after: 0, limit: 3 })).toEqual([1, 2, 3]);
    await stored([4]);
    expect(await page({ after: 0, limit: 10 })).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect((await broker.recent('r', 10)).messages.map((m) => m.seq)).toHaveLength(10);
  });

  test('history across a re-seed: below the new base only what the database has, above it every seq', async () => {
    const { brokers, clients, prefix, store } = await nodes(1);
    const [broker, raw] = [brokers[0]!, clients[0]!];
    const old: ChatMessage[] = [];
    for (let i = 1; i <= 4; i++) old.push(await broker.publish(draft('r', `old ${i}`)));
    // Seq 3 was lost with Redis's data before it reached the database.
    await store.insertMessages(
      old.filter((m) => m.seq !== 3).map((m) => ({ ...m, cid: `c-${m.seq}` })),
    );
    await raw.del(`${prefix}:{r}:meta`, `${prefix}:{r}:log`);
    const next = [
      await broker.publish(draft('r', 'new 1')),
      await broker.publish(draft('r', 'new 2')),
    ];
    const base = next[0]!.seq - 1;
    expect(base).toBeGreaterThan(1000);
    expect((await broker.history('r', { after: 0, limit: 10 })).map((m) => m.seq)).toEqual([
      1,
      2,
      4,
      base + 1,
      base + 2,
    ]);
    expect((await broker.history('r', { limit: 3 })).map((m) => m.seq)).toEqual([
      4,
      base + 1,
      base + 2,
    ]);
    expect((await broker.history('r', { before: base + 1, limit: 2 })).map((m) => m.seq)).toEqual([
      2, 4,
    ]);
  });
});
