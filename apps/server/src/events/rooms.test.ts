import { describe, expect, test } from 'vitest';
import type { Identity } from '../auth/authenticator.js';
import type { RoomGuard } from '../gateway/guard.js';
import { EventRoomGuard, eventIdOf, roomWindow } from './rooms.js';
import type { EventRow } from './store.js';

const minute = 60_000;
const policy = { opensBeforeMs: 30 * minute, closesAfterMs: 60 * minute };
const hi = { cid: 'c1', content: 'hi' };
const guest = { kind: 'guest', user: { id: 'g1', name: 'Gus' } } as Identity;

/** Lets everyone in: what an open room's rules say. */
const open: RoomGuard = {
  admit: async () => undefined,
  checkSend: () => ({ slowModeMs: 0, delayMs: 0 }),
  maySpeak: () => true,
  checkEdit: () => undefined,
  modesOf: () => undefined,
  moderates: () => false,
};

function guardFor(startsIn: number, lasts: number) {
  const now = Date.now();
  const row = { id: 'e1', starts_at: now + startsIn, ends_at: now + startsIn + lasts } as EventRow;
  let reads = 0;
  const guard = new EventRoomGuard(
    open,
    async (id) => {
      reads += 1;
      return id === row.id ? row : undefined;
    },
    policy,
  );
  return { guard, row, reads: () => reads };
}

describe('event room opening hours', () => {
  test('the window runs from opensBefore the start to closesAfter the end', () => {
    expect(roomWindow({ starts_at: 100 * minute, ends_at: 200 * minute }, policy)).toEqual({
      opensAt: 70 * minute,
      closesAt: 260 * minute,
    });
    expect(eventIdOf('event:abc')).toBe('abc');
    expect(eventIdOf('global')).toBeUndefined();
  });

  test('29 minutes before the start is open, 31 is not', async () => {
    expect(await guardFor(29 * minute, 60 * minute).guard.admit(guest, 'event:e1')).toBeUndefined();
    const early = await guardFor(31 * minute, 60 * minute).guard.admit(guest, 'event:e1');
    expect(early?.code).toBe('room_not_open');
    expect(early?.message).toMatch(/opens at \d{4}-\d\d-\d\dT/);
  });

  test('59 minutes after the end is open, 61 is closed; unknown events are not found', async () => {
    expect(
      await guardFor(-120 * minute, 61 * minute).guard.admit(guest, 'event:e1'),
    ).toBeUndefined();
    expect((await guardFor(-122 * minute, 61 * minute).guard.admit(guest, 'event:e1'))?.code).toBe(
      'room_closed',
    );
    expect((await guardFor(0, minute).guard.admit(guest, 'event:zz'))?.code).toBe('not_found');
  });

  test('sending stops when the room closes under its members; other rooms pass through', async () => {
    const { guard, row, reads } = guardFor(-30 * minute, 20 * minute);
    expect(await guard.admit(guest, 'event:e1')).toBeUndefined();
    const closes = row.ends_at + policy.closesAfterMs;
    expect(guard.checkSend(guest, 'event:e1', closes - 1, hi)).toEqual({
      slowModeMs: 0,
      delayMs: 0,
    });
    expect(guard.checkSend(guest, 'event:e1', closes, hi)).toMatchObject({ code: 'room_closed' });
    expect(guard.maySpeak(guest, 'event:e1', closes)).toBe(false);
    expect(guard.checkEdit(guest, 'event:e1', closes, 'hi')).toMatchObject({ code: 'room_closed' });
    // The window is cached: a second join reads nothing.
    await guard.admit(guest, 'event:e1');
    expect(reads()).toBe(1);
    expect(await guard.admit(guest, 'global')).toBeUndefined();
    expect(guard.checkSend(guest, 'general', closes, hi)).toEqual({ slowModeMs: 0, delayMs: 0 });
  });
});
