import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { uuidv7 } from 'uuidv7';
import { afterEach, expect, test } from 'vitest';
import { GroupCommitPersister } from '../store/persister.js';
import type { MessageStore } from '../store/port.js';
import { openSqliteStore } from '../store/sqlite.js';
import { LocalBroker } from './local.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A broker over a real SQLite file; the store counts its history reads. */
async function open(file: string): Promise<{ broker: LocalBroker; reads: () => number }> {
  const real = await openSqliteStore({ file, synchronous: 'NORMAL' });
  await real.migrate();
  let reads = 0;
  const store: MessageStore = Object.create(real) as MessageStore;
  store.roomMessages = (room, range) => {
    reads += 1;
    return real.roomMessages(room, range);
  };
  const persister = new GroupCommitPersister(store, { logger: pino({ level: 'silent' }) });
  const broker = new LocalBroker({ store, writer: persister });
  cleanups.push(async () => {
    await broker.close();
    await persister.close();
    await real.close();
  });
  return { broker, reads: () => reads };
}

test('after a restart, a crowd resuming one room costs one history read, and each gets what it missed', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'hubbub-local-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'hubbub.sqlite');
  const before = await open(file);
  const user = { id: 'u', name: 'U' };
  for (let i = 1; i <= 30; i++) {
    await before.broker.publish({
      room: 'r',
      id: uuidv7(),
      user,
      content: `m${i}`,
      ts: new Date().toISOString(),
      cid: `c${i}`,
    });
  }
  const { epoch } = await before.broker.head('r');
  await cleanups.pop()?.();

  const after = await open(file);
  const replays = await Promise.all(
    Array.from({ length: 50 }, (_, i) => after.broker.replay('r', i % 30, epoch)),
  );
  replays.forEach((replay, i) => {
    expect(replay.kind).toBe('messages');
    if (replay.kind !== 'messages') return;
    expect(replay.messages.map((m) => m.content)).toEqual(
      Array.from({ length: 30 - (i % 30) }, (_, k) => `m${(i % 30) + k + 1}`),
    );
  });
  expect(after.reads()).toBe(1);
});

test('an expired room is forgotten when its time comes, and loaded afresh from the store', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'hubbub-local-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const { broker, reads } = await open(join(dir, 'hubbub.sqlite'));
  const user = { id: 'u', name: 'U' };
  const sent = await broker.publish({
    room: 'event:e',
    id: uuidv7(),
    user,
    content: 'gg',
    ts: new Date().toISOString(),
    cid: 'c1',
  });
  await broker.replay('event:e', 0);
  const loaded = reads();
  await broker.expire('event:e', Date.now() + 150);
  await broker.replay('event:e', 0);
  expect(reads()).toBe(loaded);
  await new Promise((resolve) => setTimeout(resolve, 250));
  const replay = await broker.replay('event:e', 0);
  expect(reads()).toBe(loaded + 1);
  // The store still held it here (its owner had not deleted it): nothing was lost or renumbered.
  expect(replay).toMatchObject({ kind: 'messages', messages: [{ id: sent.id, seq: 1 }] });
});
