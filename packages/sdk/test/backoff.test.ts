import { describe, expect, test } from 'vitest';
import { backoffDelay } from '../src/backoff.js';
import { RoomCursor } from '../src/cursor.js';

describe('backoffDelay', () => {
  const options = { initialDelayMs: 500, maxDelayMs: 30_000 };

  test('full jitter: anywhere from 0 up to the exponential ceiling', () => {
    expect(backoffDelay(0, options, () => 0)).toBe(0);
    expect(backoffDelay(0, options, () => 0.999999)).toBe(499);
    expect(backoffDelay(3, options, () => 0.5)).toBe(2000);
  });

  test('the ceiling is capped at 30 s however many attempts failed', () => {
    expect(backoffDelay(10, options, () => 0.999999)).toBe(29_999);
    expect(backoffDelay(1000, options, () => 0.999999)).toBe(29_999);
  });

  test('real randomness stays within bounds and actually spreads', () => {
    const delays = Array.from({ length: 500 }, () => backoffDelay(4, options));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThan(8000);
    expect(new Set(delays).size).toBeGreaterThan(100);
  });
});

describe('RoomCursor', () => {
  test('delivers the next seq, drops duplicates, flags gaps once positioned', () => {
    const cursor = new RoomCursor();
    cursor.moveTo('e1', 4);
    expect(cursor.judge({ seq: 4 })).toBe('duplicate');
    expect(cursor.judge({ seq: 3 })).toBe('duplicate');
    expect(cursor.judge({ seq: 6 })).toBe('gap');
    expect(cursor.judge({ seq: 5 })).toBe('deliver');
    cursor.advance({ seq: 5 });
    expect(cursor.judge({ seq: 5 })).toBe('duplicate');
  });

  test('a new epoch starts the count over', () => {
    const cursor = new RoomCursor();
    cursor.moveTo('e1', 40);
    cursor.restart('e2');
    expect(cursor.judge({ seq: 1 })).toBe('deliver');
    expect(cursor.epoch).toBe('e2');
  });
});
