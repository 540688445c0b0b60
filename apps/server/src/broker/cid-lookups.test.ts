import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uuidv7 } from 'uuidv7';
import { afterEach, expect, test } from 'vitest';
import type { CidKey, MessageStore } from '../store/port.js';
import { openSqliteStore } from '../store/sqlite.js';
import { CidLookups } from './cid-lookups.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function storeWithRows(): Promise<MessageStore> {
  const dir = await mkdtemp(join(tmpdir(), 'hubbub-cids-'));
  const store = await openSqliteStore({ file: join(dir, 'db.sqlite'), synchronous: 'NORMAL' });
  await store.migrate();
  cleanups.push(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  await store.insertMessages(
    [1, 2, 3].map((seq) => ({
      room: 'r',
      seq,
      id: uuidv7(),
      user: { id: 'u', name: 'U' },
      content: `m${seq}`,
      ts: new Date().toISOString(),
      cid: `c${seq}`,
    })),
  );
  return store;
}

test('questions asked in one turn share one query, later ones the next, each gets its answer', async () => {
  const store = await storeWithRows();
  const queries: number[] = [];
  const lookups = new CidLookups(async (keys: readonly CidKey[]) => {
    queries.push(keys.length);
    return store.findByCids(keys);
  });
  const ask = (cid: string) => lookups.find({ room: 'r', userId: 'u', cid });
  const first = [ask('c1'), ask('nope'), ask('c3')];
  const answers = await Promise.all(first);
  expect(answers.map((m) => m?.content)).toEqual(['m1', undefined, 'm3']);
  expect(queries).toEqual([3]);
  // While a query runs, the next questions wait for it and then go together.
  const during = ask('c2');
  await new Promise((resolve) => setImmediate(resolve));
  const more = [ask('c1'), ask('x')];
  expect((await during)?.content).toBe('m2');
  expect((await Promise.all(more)).map((m) => m?.seq)).toEqual([1, undefined]);
  expect(queries).toEqual([3, 1, 2]);
});

test('a failed query fails its questions only; the next questions are asked anew', async () => {
  const store = await storeWithRows();
  let fail = true;
  const lookups = new CidLookups(async (keys: readonly CidKey[]) => {
    if (fail) {
      fail = false;
      throw new Error('database away');
    }
    return store.findByCids(keys);
  });
  const ask = (cid: string) => lookups.find({ room: 'r', userId: 'u', cid });
  await expect(Promise.all([ask('c1'), ask('c2')])).rejects.toThrow('database away');
  expect((await ask('c2'))?.content).toBe('m2');
});
