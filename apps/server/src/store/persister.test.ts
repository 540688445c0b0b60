import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { uuidv7 } from 'uuidv7';
import { afterEach, describe, expect, test } from 'vitest';
import { GroupCommitPersister, laneOf } from './persister.js';
import type { MessageStore, StoredMessage } from './port.js';
import { openSqliteStore } from './sqlite.js';

const silent = pino({ level: 'silent' });
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/**
 * A real SQLite store that counts commits and can be told to fail the next few: the rows
 * still go to the real database, so what the persister promises is checked against disk.
 */
async function countingStore(): Promise<{
  store: MessageStore;
  commits: number[];
  failNext(n: number): void;
}> {
  const dir = await mkdtemp(join(tmpdir(), 'hubbub-persister-'));
  const real = await openSqliteStore({ file: join(dir, 'db.sqlite'), synchronous: 'NORMAL' });
  await real.migrate();
  cleanups.push(async () => {
    await real.close();
    await rm(dir, { recursive: true, force: true });
  });
  const commits: number[] = [];
  let failures = 0;
  const store: MessageStore = Object.create(real) as MessageStore;
  store.insertMessages = async (messages) => {
    if (failures > 0) {
      failures -= 1;
      throw new Error('disk on fire');
    }
    commits.push(messages.length);
    return real.insertMessages(messages);
  };
  return { store, commits, failNext: (n) => (failures = n) };
}

function message(seq: number, room = 'r'): StoredMessage {
  return {
    room,
    seq,
    id: uuidv7(),
    user: { id: 'u', name: 'U' },
    content: `${seq}`,
    ts: new Date().toISOString(),
    cid: `c${room}${seq}`,
  };
}

describe('GroupCommitPersister', () => {
  test('writes made together share a commit and resolve in the order they were made', async () => {
    const { store, commits } = await countingStore();
    const persister = new GroupCommitPersister(store, { logger: silent });
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        persister.write(message(i + 1)).then(() => order.push(i + 1)),
      ),
    );
    expect(order).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    expect(commits.reduce((a, b) => a + b, 0)).toBe(300);
    expect(commits.length).toBeLessThanOrEqual(2);
    expect((await store.roomMessages('r', { after: 0, limit: 500 })).length).toBe(300);
  });

  test('a commit never exceeds maxBatch rows', async () => {
    const { store, commits } = await countingStore();
    const persister = new GroupCommitPersister(store, { logger: silent, maxBatch: 50 });
    await Promise.all(Array.from({ length: 220 }, (_, i) => persister.write(message(i + 1))));
    expect(Math.max(...commits)).toBeLessThanOrEqual(50);
    expect(commits.reduce((a, b) => a + b, 0)).toBe(220);
  });

  test('each commit of a backlog resolves its writes when it is durable, not after the rest', async () => {
    const { store } = await countingStore();
    const insert = store.insertMessages.bind(store);
    let stuck = true;
    store.insertMessages = async (messages) => {
      if (stuck && messages.some((m) => m.seq === 3)) throw new Error('disk on fire');
      await insert(messages);
    };
    const persister = new GroupCommitPersister(store, { logger: silent, maxBatch: 2 });
    const done: number[] = [];
    const writes = [1, 2, 3, 4].map((seq) =>
      persister.write(message(seq)).then(() => done.push(seq)),
    );
    await expect.poll(() => done).toEqual([1, 2]);
    expect(persister.backlog).toBe(2);
    stuck = false;
    await Promise.all(writes);
    expect(done).toEqual([1, 2, 3, 4]);
  });

  test('an idle persister commits a lone write at once', async () => {
    const { store, commits } = await countingStore();
    const persister = new GroupCommitPersister(store, { logger: silent });
    await persister.write(message(1));
    expect(commits).toEqual([1]);
  });

  test('a failed commit is retried until it succeeds; nothing resolves before it is stored', async () => {
    const { store, failNext } = await countingStore();
    const persister = new GroupCommitPersister(store, { logger: silent });
    failNext(2);
    let resolved = false;
    const write = persister.write(message(1)).then(() => {
      resolved = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(resolved).toBe(false);
    expect(persister.backlog).toBe(1);
    await write;
    expect((await store.roomMessages('r', { limit: 5 })).map((m) => m.seq)).toEqual([1]);
    expect(persister.backlog).toBe(0);
  });

  test('close drains what was queued, then refuses with shutting_down', async () => {
    const { store } = await countingStore();
    const persister = new GroupCommitPersister(store, { logger: silent });
    const writes = Array.from({ length: 100 }, (_, i) => persister.write(message(i + 1)));
    await persister.close();
    expect((await store.roomMessages('r', { after: 0, limit: 200 })).length).toBe(100);
    await Promise.all(writes);
    await expect(persister.write(message(101))).rejects.toMatchObject({ code: 'shutting_down' });
  });

  test('with several commits in flight, a room is in one at a time and resolves in order', async () => {
    const { store, commits } = await countingStore();
    // Commits that take a while, so that they overlap.
    const insert = store.insertMessages.bind(store);
    let inFlight = 0;
    let mostInFlight = 0;
    const roomsInFlight = new Set<string>();
    const overlaps: string[] = [];
    store.insertMessages = async (messages) => {
      const rooms = new Set(messages.map((m) => m.room));
      for (const room of rooms) if (roomsInFlight.has(room)) overlaps.push(room);
      for (const room of rooms) roomsInFlight.add(room);
      mostInFlight = Math.max(mostInFlight, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      await insert(messages);
      inFlight -= 1;
      for (const room of rooms) roomsInFlight.delete(room);
    };
    const persister = new GroupCommitPersister(store, {
      logger: silent,
      concurrency: 3,
      maxBatch: 7,
    });
    const order = new Map<string, number[]>();
    const writes: Promise<void>[] = [];
    for (let seq = 1; seq <= 40; seq++) {
      for (const room of ['a', 'b', 'c', 'd']) {
        writes.push(
          persister.write(message(seq, room)).then(() => {
            order.set(room, [...(order.get(room) ?? []), seq]);
          }),
        );
      }
      // Some writes arrive while commits are in flight.
      if (seq % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 3));
    }
    await Promise.all(writes);
    const expected = Array.from({ length: 40 }, (_, i) => i + 1);
    for (const room of ['a', 'b', 'c', 'd']) {
      expect(order.get(room)).toEqual(expected);
      const stored = await store.roomMessages(room, { after: 0, limit: 100 });
      expect(stored.map((m) => m.seq)).toEqual(expected);
    }
    expect(overlaps).toEqual([]);
    expect(mostInFlight).toBeGreaterThan(1);
    expect(mostInFlight).toBeLessThanOrEqual(3);
    expect(Math.max(...commits)).toBeLessThanOrEqual(7);
    expect(persister.backlog).toBe(0);
  });

  test("a room whose commit keeps failing holds up only its own lane's rooms", async () => {
    const { store } = await countingStore();
    const insert = store.insertMessages.bind(store);
    let failing = true;
    store.insertMessages = async (messages) => {
      if (failing && messages.some((m) => m.room === 'stuck')) throw new Error('disk on fire');
      await insert(messages);
    };
    const persister = new GroupCommitPersister(store, { logger: silent, concurrency: 2 });
    let stuckDone = false;
    const stuck = persister.write(message(1, 'stuck')).then(() => {
      stuckDone = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    const free = ['a', 'b', 'c', 'd', 'e'].find((room) => laneOf(room, 2) !== laneOf('stuck', 2))!;
    await Promise.all([1, 2, 3].map((seq) => persister.write(message(seq, free))));
    expect(stuckDone).toBe(false);
    failing = false;
    await stuck;
    expect((await store.roomMessages('stuck', { limit: 5 })).map((m) => m.seq)).toEqual([1]);
  });

  test('a full backlog refuses with unavailable instead of growing without bound', async () => {
    const { store, failNext } = await countingStore();
    const persister = new GroupCommitPersister(store, { logger: silent, maxQueue: 3 });
    failNext(1);
    const accepted = [1, 2, 3].map((seq) => persister.write(message(seq)));
    await expect(persister.write(message(4))).rejects.toMatchObject({ code: 'unavailable' });
    await Promise.all(accepted);
  });
});
