import type { PresenceFrame } from '@hubbub/protocol';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { MemoryPresence } from '../presence/memory.js';
import { RoomPresence } from './presence.js';
import type { Member } from './room.js';

const member = (i: number): Member => ({
  id: `conn${i}`,
  user: { id: `user${i}`, name: `person ${i}` },
  deliver: () => {},
  mustResume: () => {},
});

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Lets the store's promises and the timers that are due run. */
async function advance(ms: number): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
}

test('a small room is told at most once a second; a large one waits a millisecond per person', async () => {
  const sent: Array<{ room: string; count: number; at: number }> = [];
  const presence = new RoomPresence(
    new MemoryPresence(),
    (room, frame: PresenceFrame) => sent.push({ room, count: frame.count, at: Date.now() }),
    (error) => {
      throw error;
    },
  );
  const start = Date.now();
  // Small: ten people arrive over 1.5 s: told at once, then once a second.
  for (let i = 0; i < 10; i++) {
    await presence.entered('small', member(i));
    await advance(150);
  }
  await advance(2000);
  const small = sent.filter((s) => s.room === 'small');
  expect(small.map((s) => s.at - start)).toEqual([0, 1000, 2000]);
  expect(small.at(-1)?.count).toBe(10);

  // Large: 5,000 people at once, then one more every 100 ms for 12 s.
  sent.length = 0;
  const t0 = Date.now();
  await Promise.all(Array.from({ length: 5000 }, (_, i) => presence.entered('large', member(i))));
  for (let i = 0; i < 120; i++) {
    await presence.entered('large', member(5000 + i));
    await advance(100);
  }
  const large = sent.filter((s) => s.room === 'large').map((s) => s.at - t0);
  // The first update at once; after it, 5 s (5,000 people) between updates, not 1 s.
  expect(large[0]).toBe(0);
  // 12 s at 5 s apart: the first, then two more (not twelve), the last with everyone so far.
  expect(large).toHaveLength(3);
  expect(sent.filter((s) => s.room === 'large').at(-1)?.count).toBeGreaterThan(5000);
  for (let i = 1; i < large.length; i++)
    expect((large[i] ?? 0) - (large[i - 1] ?? 0)).toBeGreaterThanOrEqual(5000);
  presence.stop();
});
