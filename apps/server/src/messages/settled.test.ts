import { uuidv7 } from 'uuidv7';
import { expect, test } from 'vitest';
import { idTime, onceStored } from './settled.js';

test('a UUIDv7 id tells when it was made; other ids do not', () => {
  const before = Date.now();
  const time = idTime(uuidv7());
  expect(time).toBeGreaterThanOrEqual(before);
  expect(time).toBeLessThanOrEqual(Date.now());
  expect(idTime('not-an-id')).toBeUndefined();
  expect(idTime('6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBeUndefined(); // v1
});

test('with a lagging store a new message is looked for until stored; anything else once', async () => {
  let reads = 0;
  const appearsOnThirdRead = async () => (++reads >= 3 ? 'row' : undefined);
  expect(await onceStored(uuidv7(), appearsOnThirdRead, true)).toBe('row');
  expect(reads).toBe(3);

  reads = 0;
  const never = async () => {
    reads += 1;
    return undefined;
  };
  const old = '01800000-0000-7000-8000-000000000000'; // made in 2022
  const future = 'ffffffff-ffff-7fff-bfff-ffffffffffff'; // made in the year 10889
  expect(await onceStored(old, never, true)).toBeUndefined();
  expect(await onceStored(future, never, true)).toBeUndefined();
  expect(await onceStored('not-an-id', never, true)).toBeUndefined();
  // A store written before the ack (embedded) never lags: one read.
  expect(await onceStored(uuidv7(), never, false)).toBeUndefined();
  expect(reads).toBe(4);
});

test('made-up fresh ids cannot make the server poll without bound', async () => {
  let reads = 0;
  const never = async () => {
    reads += 1;
    return undefined;
  };
  let clock = Date.now();
  const waits = Array.from({ length: 200 }, () => onceStored(uuidv7(), never, true, () => clock));
  await new Promise((resolve) => setTimeout(resolve, 50));
  // At most 64 wait; the rest were answered after their one read.
  expect(reads).toBeLessThan(200 + 64 * 4);
  clock += 60_000;
  expect(await Promise.all(waits)).toEqual(Array(200).fill(undefined));
});
