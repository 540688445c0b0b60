import { describe, expect, test } from 'vitest';
import type { JobClaims } from './port.js';

/** The promises of the JobClaims port (jobs/port.ts); `open` gives two nodes' claims. */
export function jobClaimsContract(name: string, open: () => Promise<[JobClaims, JobClaims]>): void {
  describe(`JobClaims contract: ${name}`, () => {
    test('one claimant per occurrence, however many nodes ask at once', async () => {
      const [a, b] = await open();
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).claim('gc', 't1', 60_000)),
      );
      expect(answers.filter(Boolean)).toHaveLength(1);
      // Another occurrence, or another job, is claimed afresh.
      expect(await b.claim('gc', 't2', 60_000)).toBe(true);
      expect(await a.claim('ingest', 't1', 60_000)).toBe(true);
      expect(await a.claim('gc', 't2', 60_000)).toBe(false);
    });

    test('a claim is held for its time, then the occurrence may be claimed again', async () => {
      const [a, b] = await open();
      expect(await a.claim('gc', 'soon', 100)).toBe(true);
      expect(await b.claim('gc', 'soon', 100)).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(await b.claim('gc', 'soon', 100)).toBe(true);
    });
  });
}
