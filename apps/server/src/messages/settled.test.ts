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

test('a new message is looked for until it is stored; an old or foreign one only once', async () => {
  let reads = 0;
  const appearsOnThirdRead = async () => (++reads >= 3 ? 'row' : undefined);
  expect(await onceStored(uuidv7(), appearsOnThirdRead)).toBe('row');
  expect(reads).toBe(3);

  reads = 0;
  const never = async () => {
    reads += 1;
    return undefined;
  };
  const old = '01800000-0000-7000-8000-000000000000'; // made in 2022
  expect(await onceStored(old, never)).toBeUndefined();
  expect(await onceStored('not-an-id', never)).toBeUndefined();
  expect(reads).toBe(2);
});
