import { createHash } from 'node:crypto';
import { harnesses } from '@hubbub/testing';
import { describe, expect, test } from 'vitest';
import type { MediaStorage } from './storage.js';

/** A storage under test, a second instance over the same place (a restart), and cleanup. */
export interface StorageHarness {
  storage: MediaStorage;
  reopen(): MediaStorage;
  cleanup(): Promise<void>;
}

/** The promises of the MediaStorage port, checked against every implementation. */
export function mediaStorageContract(name: string, open: () => Promise<StorageHarness>): void {
  describe(`MediaStorage contract: ${name}`, () => {
    const start = harnesses(open);

    test('keys are the sha256 of the bytes; the same bytes are one blob', async () => {
      const { storage } = await start();
      const bytes = Buffer.from('a picture, say');
      const key = await storage.put(bytes);
      expect(key).toBe(createHash('sha256').update(bytes).digest('hex'));
      const [again, concurrent] = await Promise.all([storage.put(bytes), storage.put(bytes)]);
      expect([again, concurrent]).toEqual([key, key]);
      expect((await storage.get(key))?.equals(bytes)).toBe(true);
    });

    test('what was put is there after a restart, byte for byte', async () => {
      const harness = await start();
      const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251));
      const key = await harness.storage.put(bytes);
      expect((await harness.reopen().get(key))?.equals(bytes)).toBe(true);
    });

    test('an unknown or malformed key is nothing, never another file', async () => {
      const { storage } = await start();
      await storage.put(Buffer.from('x'));
      for (const key of ['0'.repeat(64), '../../etc/passwd', '', 'ab/cd', `${'a'.repeat(63)}/`]) {
        expect(await storage.get(key)).toBeUndefined();
      }
    });

    test('delete removes bytes written before the cutoff, keeps bytes stored again since', async () => {
      const { storage } = await start();
      const bytes = Buffer.from('revoked, then collected');
      const key = await storage.put(bytes);
      await storage.delete(key, Date.now() + 1000);
      expect(await storage.get(key)).toBeUndefined();
      const before = Date.now() - 1000;
      await storage.put(bytes);
      await storage.delete(key, before);
      expect((await storage.get(key))?.equals(bytes)).toBe(true);
      // Unknown and malformed keys: nothing happens, nothing throws.
      for (const other of ['0'.repeat(64), '../../etc/passwd', ''])
        await storage.delete(other, Date.now() + 1000);
      expect((await storage.get(key))?.equals(bytes)).toBe(true);
    });
  });
}
