import { describe, expect, test } from 'vitest';
import { KeyedLimiter, TokenBucket } from './rate-limit.js';

describe('TokenBucket', () => {
  test('allows a burst, then refills at the configured rate', () => {
    const bucket = new TokenBucket(5, 10, 0);
    const burst = Array.from({ length: 12 }, () => bucket.take(0));
    expect(burst.filter(Boolean)).toHaveLength(10);
    expect(bucket.take(100)).toBe(false); // 0.5 tokens after 100 ms
    expect(bucket.take(200)).toBe(true); // 1 token after 200 ms
    expect(bucket.take(200)).toBe(false);
  });

  test('never holds more than the burst, however long it idles', () => {
    const bucket = new TokenBucket(5, 3, 0);
    const later = 3_600_000;
    expect([1, 2, 3, 4].map(() => bucket.take(later))).toEqual([true, true, true, false]);
  });

  test('a clock that steps backwards does not mint tokens', () => {
    const bucket = new TokenBucket(1, 1, 1000);
    expect(bucket.take(1000)).toBe(true);
    expect(bucket.take(0)).toBe(false);
  });
});

describe('KeyedLimiter', () => {
  test('users have separate buckets', () => {
    const limiter = new KeyedLimiter(1, 2);
    expect([limiter.take('a', 0), limiter.take('a', 0), limiter.take('a', 0)]).toEqual([
      true,
      true,
      false,
    ]);
    expect(limiter.take('b', 0)).toBe(true);
  });
});
