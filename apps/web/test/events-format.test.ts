import { describe, expect, test } from 'vitest';
import { formatCount, formatStart, formatTime } from '../src/events/format.js';

describe("event times, in the viewer's zone", () => {
  const now = Date.parse('2026-11-23T22:30:00Z');

  test('today and tomorrow by name, later days by date', () => {
    expect(formatStart('2026-11-23T23:15:00Z', now, 'en-GB', 'Europe/London')).toBe('Today, 23:15');
    expect(formatStart('2026-11-24T02:00:00Z', now, 'en-GB', 'Europe/London')).toBe(
      'Tomorrow, 2:00',
    );
    expect(formatStart('2026-11-23T12:00:00Z', now, 'en-GB', 'Europe/London')).toBe('Today, 12:00');
    expect(formatStart('2026-11-26T19:30:00Z', now, 'en-GB', 'Europe/London')).toBe(
      'Thu 26 Nov, 19:30',
    );
  });

  test("the day is the viewer's: late evening in London is tomorrow morning in Tokyo", () => {
    expect(formatStart('2026-11-23T23:15:00Z', now, 'en-GB', 'Asia/Tokyo')).toBe('Today, 8:15');
    expect(formatStart('2026-11-23T14:00:00Z', now, 'en-GB', 'Asia/Tokyo')).toBe(
      'Yesterday, 23:00',
    );
    expect(formatTime('2026-11-23T23:15:00Z', 'en-US', 'America/New_York')).toBe('6:15 PM');
  });

  test('crowds: exact while small, compact when large', () => {
    expect(formatCount(7, 'en')).toBe('7');
    expect(formatCount(1234, 'en')).toBe('1,234');
    expect(formatCount(12_345, 'en')).toBe('12.3K');
  });
});
