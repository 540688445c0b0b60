import { expect, test } from 'vitest';
import { slope, verdict } from '../src/scenarios/soak.js';

/** An hour of 10 s samples: RSS and heap from `memory(t in hours)`, p99 from `p99(t)`. */
function hour(memory: (hours: number) => number, p99: (hours: number) => number = () => 10) {
  return Array.from({ length: 360 }, (_, i) => {
    const at = (i + 1) * 10;
    // A sawtooth as garbage collection leaves it: ±3 MiB around the trend.
    const saw = ((i % 6) - 2.5) * 1.2;
    return {
      at,
      rssMiB: 200 + memory(at / 3600) + saw,
      heapMiB: 60 + memory(at / 3600) / 2 + saw,
      ackP99: p99(at / 3600),
      deliveryP99: p99(at / 3600) + 1,
    };
  });
}

test('the slope of a straight line is its gradient', () => {
  expect(slope([0, 1, 2, 3, 4].map((x) => [x, 2 * x + 1] as [number, number]))).toBeCloseTo(2);
  expect(slope([[0, 1]])).toBe(0);
});

test('an hour whose memory levels off after warming up is flat; a steady leak grows', () => {
  // Up 40 MiB in the first ten minutes, then level: the second half sees no growth.
  const warm = verdict(
    hour((h) => 40 * Math.min(1, h * 6)),
    3600,
    true,
  );
  expect(warm.judged).toBe(true);
  expect(warm.memory).toBe('flat');
  expect(Math.abs(warm.rssSlope)).toBeLessThan(2);
  const leak = verdict(
    hour((h) => 30 * h),
    3600,
    true,
  );
  expect(leak.memory).toBe('grows');
  expect(leak.rssSlope).toBeCloseTo(30, 0);
});

test('p99 that doubles over the hour drifts; one that stays within noise is steady', () => {
  expect(
    verdict(
      hour(
        () => 0,
        (h) => 10 + 20 * h,
      ),
      3600,
      true,
    ).latencyFlat,
  ).toBe(false);
  expect(
    verdict(
      hour(
        () => 0,
        (h) => 10 + (h > 0.5 ? 2 : 0),
      ),
      3600,
      true,
    ).latencyFlat,
  ).toBe(true);
});

test('a run under half an hour gives its numbers but is not judged', () => {
  const short = verdict(hour(() => 0).slice(0, 18), 180, true);
  expect(short.judged).toBe(false);
});
