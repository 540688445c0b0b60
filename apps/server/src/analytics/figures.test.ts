import type { ChatMessage } from '@hubbub/protocol';
import { expect, test } from 'vitest';
import { combine } from './figures.js';
import { Telemetry } from './telemetry.js';

const at = (ms: number) =>
  ({ ts: new Date(ms).toISOString(), seq: 1, room: 'r' }) as unknown as ChatMessage;

test('a node keeps fifteen minutes; the combined window merges histograms, not averages', () => {
  const clock = { now: Date.UTC(2026, 10, 23, 12, 0, 0) };
  const busy = new Telemetry(() => clock.now);
  const quiet = new Telemetry(() => clock.now);
  // 20 minutes of one message a minute on the busy node, delivered 2 ms after arrival.
  for (let minute = 0; minute < 20; minute++) {
    busy.sent('lobby');
    busy.flushed([at(clock.now - 2)], 10);
    clock.now += 60_000;
  }
  // Back into the 20th minute (the busy node's last), half-way through.
  clock.now -= 30_000;
  // The quiet node: a single message that took 400 ms, in the current minute.
  quiet.sent('stage');
  quiet.flushed([at(clock.now - 400)], 1);
  const figures = [busy.figures('a'), quiet.figures('b')];
  expect(figures[0]?.minutes).toHaveLength(15);
  const analytics = combine(figures, { uniqueUsers: 0, peakConnections: 0 }, clock.now);
  expect(analytics.messages.total).toBe(21);
  expect(analytics.messages.perMinute).toHaveLength(15);
  expect(analytics.messages.perMinute.map((m) => m.messages)).toEqual([
    ...Array.from({ length: 14 }, () => 1),
    2,
  ]);
  expect(analytics.messages.deliveries).toBe(201);
  // 15 samples of ~2 ms in the window and one of ~400 ms: the median is 2, the maximum 400.
  expect(analytics.latency.count).toBe(16);
  expect(analytics.latency.p50).toBeCloseTo(2, 1);
  expect(analytics.latency.max).toBeCloseTo(400, 0);
  expect(analytics.latency.perMinute.at(-1)).toMatchObject({ count: 2 });
  expect(analytics.rooms.map((r) => r.room)).toEqual(['lobby', 'stage']);
});
