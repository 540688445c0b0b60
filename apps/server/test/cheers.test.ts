import { type CheerEmoji, type CheersFrame, cheerEmojis, limits } from '@hubbub/protocol';
import { eventRoomOf, guestIn, type RawClient, startServer } from '@hubbub/testing';
import { expect, test } from 'vitest';

/** Live reactions over real sockets: taps added up per tick, never more, never fewer. */

/** The cheers frames a client got for a room, and their counts added up per emoji. */
function tally(client: RawClient, room: string) {
  const frames = client.received.filter(
    (f): f is CheersFrame => f.type === 'cheers' && f.room === room,
  );
  const sums = new Map<string, number>();
  for (const frame of frames)
    for (const [emoji, n] of Object.entries(frame.counts))
      sums.set(emoji, (sums.get(emoji) ?? 0) + n);
  const total = [...sums.values()].reduce((a, b) => a + b, 0);
  return { frames, sums, total };
}

test('the taps of 1,000 viewers add up exactly in the cheers frames, a few frames a second', async () => {
  await using server = await startServer({ env: { ADMISSION_PER_SECOND: '100000' } });
  const room = await eventRoomOf(server);
  await using watcher = await guestIn(server, 'Watcher', room);
  const crowd: RawClient[] = [];
  try {
    for (let i = 0; i < 1000; i += 100)
      crowd.push(
        ...(await Promise.all(
          Array.from({ length: 100 }, (_, j) => guestIn(server, `Fan ${i + j}`, room)),
        )),
      );
    const sent = new Map<string, number>();
    // Every fan taps 1-20 times (within their burst), in frames of up to 5 taps.
    const started = Date.now();
    crowd.forEach((fan, i) => {
      let left = 1 + (i % 20);
      let k = i;
      while (left > 0) {
        const emoji = cheerEmojis[k++ % cheerEmojis.length] as CheerEmoji;
        const count = Math.min(left, 1 + (k % 5));
        fan.send({ type: 'cheer', room, emoji, count });
        sent.set(emoji, (sent.get(emoji) ?? 0) + count);
        left -= count;
      }
    });
    const total = [...sent.values()].reduce((a, b) => a + b, 0);
    expect(total).toBe(10_500);
    await expect
      .poll(() => tally(watcher, room).total, { timeout: 20_000, interval: 100 })
      .toBe(total);
    const elapsed = Date.now() - started;
    // Nothing more comes after: not one tap counted twice.
    await new Promise((resolve) => setTimeout(resolve, 3 * limits.cheerTickMs));
    const { sums, frames } = tally(watcher, room);
    expect(Object.fromEntries(sums)).toEqual(Object.fromEntries(sent));
    // One frame per tick, not per tap: 10,500 taps in a handful of frames.
    expect(frames.length).toBeLessThanOrEqual(Math.ceil(elapsed / limits.cheerTickMs) + 2);
  } finally {
    await Promise.all(crowd.map((fan) => fan.close()));
  }
}, 60_000);

test('tapping faster than the rate is not an error; the extra taps are not counted', async () => {
  await using server = await startServer();
  const room = await eventRoomOf(server);
  await using alice = await guestIn(server, 'Alice', room);
  for (let i = 0; i < 10; i++) alice.send({ type: 'cheer', room, emoji: '🔥', count: 20 });
  await alice.next((f) => f.type === 'cheers');
  await new Promise((resolve) => setTimeout(resolve, 3 * limits.cheerTickMs));
  // The burst (twice the rate) and what refilled meanwhile: far below the 200 sent.
  const counted = tally(alice, room).sums.get('🔥') ?? 0;
  expect(counted).toBeGreaterThanOrEqual(limits.cheersPerSecond * 2);
  expect(counted).toBeLessThan(60);
  expect(alice.received.some((f) => f.type === 'error')).toBe(false);
  // A cheer outside the room, or of an emoji off the list, is refused with a typed error.
  alice.send({ type: 'cheer', room: 'global', emoji: '🔥' });
  expect(await alice.next((f) => f.type === 'error')).toMatchObject({ code: 'not_in_room' });
  alice.send({ type: 'cheer', room, emoji: 'poo' } as Record<string, unknown>);
  expect(await alice.next((f) => f.type === 'error')).toMatchObject({ code: 'invalid_frame' });
});
