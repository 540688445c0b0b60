import { EventClassification } from '@hubbub/protocol';
import { harnesses } from '@hubbub/testing';
import { describe, expect, test } from 'vitest';
import { type EventSource, foldText, queryWords, type SourceEvent } from './source.js';

/** A source under test, at a moment its listing is known to be busy. */
export interface SourceHarness {
  source: EventSource;
  now: number;
  /** Words some events of the source match. */
  keyword: string;
  cleanup(): Promise<void>;
}

function wellFormed(event: SourceEvent): void {
  expect(event.sourceId.length).toBeGreaterThan(0);
  expect(event.name.trim().length).toBeGreaterThan(0);
  expect(EventClassification.options).toContain(event.classification);
  expect(Number.isFinite(event.startsAt)).toBe(true);
  expect(event.endsAt).toBeGreaterThan(event.startsAt);
  expect(['scheduled', 'cancelled', 'postponed']).toContain(event.status);
  if (event.latitude !== null) expect(Math.abs(event.latitude)).toBeLessThanOrEqual(90);
  if (event.longitude !== null) expect(Math.abs(event.longitude)).toBeLessThanOrEqual(180);
  expect((event.latitude === null) === (event.longitude === null)).toBe(true);
  if (event.country !== null) expect(event.country).toMatch(/^[A-Z]{2}$/);
}

/** The promises of the EventSource port (source.ts), checked against every source. */
export function eventSourceContract(name: string, open: () => Promise<SourceHarness>): void {
  describe(`EventSource contract: ${name}`, () => {
    const start = harnesses(open);

    test('current lists well-formed events, each once, at most max', async () => {
      const { source, now } = await start();
      const events = await source.current(now, 400);
      expect(events.length).toBeGreaterThan(10);
      expect(new Set(events.map((e) => e.sourceId)).size).toBe(events.length);
      for (const event of events) wellFormed(event);
      const few = await source.current(now, 5);
      expect(few.length).toBe(5);
      // The five most relevant are the head of the whole listing.
      expect(few.map((e) => e.sourceId)).toEqual(events.slice(0, 5).map((e) => e.sourceId));
    });

    test('search finds events holding every word, none that ended, at most max', async () => {
      const { source, now, keyword } = await start();
      const found = await source.search(keyword, now, 50);
      expect(found.length).toBeGreaterThan(0);
      expect(found.length).toBeLessThanOrEqual(50);
      for (const event of found) {
        wellFormed(event);
        expect(event.endsAt).toBeGreaterThan(now);
        const text = foldText([event.name, event.venue, event.city].join(' '));
        for (const word of queryWords(keyword)) expect(text).toContain(word);
      }
      expect(await source.search('zzqx nothing matches this', now, 50)).toEqual([]);
      expect(await source.search('  ', now, 50)).toEqual([]);
    });
  });
}
