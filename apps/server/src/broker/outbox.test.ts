import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useRedis } from '@hubbub/testing';
import { Redis } from 'ioredis';
import pino from 'pino';
import { uuidv7 } from 'uuidv7';
import { afterEach, describe, expect, test } from 'vitest';
import type { MessageStore } from '../store/port.js';
import { openSqliteStore } from '../store/sqlite.js';
import { OutboxPersister } from './outbox.js';
import { RedisBroker } from './redis.js';

/** The outbox into the database: everything once, acknowledged after commit, dead nodes' work claimed. */
const redis = useRedis();
let counter = 0;

describe.runIf(redis.enabled)('the outbox persister', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setup() {
    const dir = await mkdtemp(join(tmpdir(), 'hubbub-outbox-'));
    const store: MessageStore = await openSqliteStore({
      file: join(dir, 'db.sqlite'),
      synchronous: 'NORMAL',
    });
    await store.migrate();
    const prefix = `o${process.pid}-${++counter}`;
    const client = new Redis(redis.server().url);
    const broker = new RedisBroker({ redis: client, store, prefix });
    cleanups.push(async () => {
      await broker.close();
      client.disconnect();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    });
    const persister = (consumer: string, claimIdleMs?: number, leaseMs?: number) => {
      const connection = new Redis(redis.server().url);
      const outbox = new OutboxPersister({
        redis: connection,
        store,
        streams: broker.outboxKeys(),
        consumer,
        leasePrefix: broker.outboxLeasePrefix(),
        logger: pino({ level: 'silent' }),
        ...(claimIdleMs === undefined ? {} : { claimIdleMs }),
        ...(leaseMs === undefined ? {} : { leaseMs }),
      });
      cleanups.push(async () => {
        await outbox.close();
        connection.disconnect();
      });
      return outbox;
    };
    const publish = (room: string, content: string) =>
      broker.publish({
        room,
        id: uuidv7(),
        user: { id: 'u', name: 'U' },
        content,
        ts: new Date().toISOString(),
        cid: `cid-${content}`,
      });
    return { store, broker, persister, publish };
  }

  /** Reads up to `count` new outbox entries as `consumer`, as a node does, and keeps them pending. */
  async function readAs(
    broker: RedisBroker,
    consumer: string,
    count: number,
  ): Promise<Array<[string, unknown[]]>> {
    const connection = new Redis(redis.server().url);
    try {
      return (
        (await (
          connection.xreadgroup.bind(connection) as unknown as (
            ...args: Array<string | number>
          ) => Promise<Array<[string, unknown[]]>>
        )(
          'GROUP',
          'persisters',
          consumer,
          'COUNT',
          count,
          'STREAMS',
          ...broker.outboxKeys(),
          ...broker.outboxKeys().map(() => '>'),
        )) ?? []
      );
    } finally {
      connection.disconnect();
    }
  }

  test('two nodes drain every room into the database once, with cids, and the lag falls to 0', async () => {
    const { store, persister, publish } = await setup();
    const [a, b] = [persister('node-a'), persister('node-b')];
    await Promise.all([a.start(), b.start()]);
    const rooms = ['r1', 'r2', 'r3'];
    await Promise.all(Array.from({ length: 90 }, (_, i) => publish(rooms[i % 3] ?? 'r1', `m${i}`)));
    for (const room of rooms) {
      await expect
        .poll(async () => (await store.roomMessages(room, { limit: 100 })).map((m) => m.seq))
        .toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    }
    const [m1] = await store.findByCids([{ room: 'r2', userId: 'u', cid: 'cid-m1' }]);
    expect(m1?.content).toBe('m1');
    await expect.poll(() => a.lag()).toBe(0);
  });

  test('entries a dead node read and never acknowledged are claimed and written', async () => {
    const { store, broker, persister, publish } = await setup();
    const first = persister('first');
    await first.start();
    await first.close(); // the group exists; nobody is draining now
    for (let i = 0; i < 10; i++) await publish('r', `m${i}`);
    // A node reads everything, then dies before committing.
    const dead = new Redis(redis.server().url);
    const read = (await (
      dead.xreadgroup.bind(dead) as unknown as (...args: Array<string | number>) => Promise<unknown>
    )(
      'GROUP',
      'persisters',
      'dead-node',
      'COUNT',
      100,
      'STREAMS',
      ...broker.outboxKeys(),
      ...broker.outboxKeys().map(() => '>'),
    )) as Array<[string, unknown[]]>;
    expect(read.flatMap(([, entries]) => entries)).toHaveLength(10);
    dead.disconnect();
    const survivor = persister('survivor', 200);
    await survivor.start();
    await expect
      .poll(async () => (await store.roomMessages('r', { limit: 100 })).length, { timeout: 5000 })
      .toBe(10);
    await expect.poll(() => survivor.lag()).toBe(0);
  });

  test("a dead node's entries are claimed within seconds of its lease lapsing; a live node's are left to it", async () => {
    const { store, broker, persister, publish } = await setup();
    const first = persister('first');
    await first.start();
    await first.close(); // the group exists; nobody is draining now
    for (let i = 0; i < 10; i++) await publish('r', `m${i}`);
    // Two nodes each read five and hold them: one lives on (its lease is renewed), the
    // other dies (its lease runs out a moment later).
    const raw = new Redis(redis.server().url);
    cleanups.push(async () => raw.disconnect());
    const lease = (consumer: string) => `${broker.outboxLeasePrefix()}${consumer}`;
    await raw.set(lease('alive'), '1', 'PX', 60_000);
    await raw.set(lease('dead'), '1', 'PX', 300);
    expect((await readAs(broker, 'alive', 5)).flatMap(([, entries]) => entries)).toHaveLength(5);
    expect((await readAs(broker, 'dead', 100)).flatMap(([, entries]) => entries)).toHaveLength(5);
    // The backstop (claimIdleMs) is far away: only the lease can explain a prompt claim.
    const survivor = persister('survivor', 600_000, 1000);
    await survivor.start();
    const stored = async () =>
      (await store.roomMessages('r', { limit: 100 })).map((m) => m.content).sort();
    await expect.poll(stored, { timeout: 10_000 }).toEqual(['m5', 'm6', 'm7', 'm8', 'm9']);
    // Two more lease periods: the live node's entries are still its own.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await stored()).toHaveLength(5);
    const pendingOf = async (name: string) => {
      let total = 0;
      for (const stream of broker.outboxKeys()) {
        const [, , , consumers] = (await raw.xpending(stream, 'persisters')) as [
          number,
          unknown,
          unknown,
          Array<[string, string]> | null,
        ];
        for (const [consumer, count] of consumers ?? [])
          if (consumer === name) total += Number(count);
      }
      return total;
    };
    expect(await pendingOf('alive')).toBe(5);
    // Its lease lapses too (no renewal): its entries are claimed as well.
    await raw.del(lease('alive'));
    await expect.poll(async () => (await stored()).length, { timeout: 10_000 }).toBe(10);
    await expect.poll(() => survivor.lag()).toBe(0);
  });

  test('a running node holds its lease and gives it up when it closes', async () => {
    const { broker, persister } = await setup();
    const raw = new Redis(redis.server().url);
    cleanups.push(async () => raw.disconnect());
    const lease = `${broker.outboxLeasePrefix()}node`;
    const node = persister('node', undefined, 60_000);
    await node.start();
    expect(await raw.pttl(lease)).toBeGreaterThan(50_000);
    await node.close();
    expect(await raw.exists(lease)).toBe(0);
  });
});
