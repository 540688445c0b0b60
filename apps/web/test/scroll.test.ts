import { describe, expect, test } from 'vitest';
import { anchoredScrollTop, isAtBottom, wantsOlder } from '../src/scroll.js';

describe('scroll anchoring', () => {
  test('at the bottom means within a small margin of it', () => {
    expect(isAtBottom({ scrollTop: 1000, scrollHeight: 1600, clientHeight: 600 })).toBe(true);
    expect(isAtBottom({ scrollTop: 970, scrollHeight: 1600, clientHeight: 600 })).toBe(true);
    expect(isAtBottom({ scrollTop: 900, scrollHeight: 1600, clientHeight: 600 })).toBe(false);
  });

  test('adding older messages above keeps the reader on the same line', () => {
    // Reading at 150 px from the top; a page of 2,400 px of older messages arrives above.
    expect(anchoredScrollTop(150, 5000, 7400)).toBe(2550);
    // Nothing added (or the list shrank): do not jump.
    expect(anchoredScrollTop(150, 5000, 5000)).toBe(150);
    expect(anchoredScrollTop(150, 5000, 4000)).toBe(150);
  });

  test('older history is wanted only near the top', () => {
    expect(wantsOlder(0)).toBe(true);
    expect(wantsOlder(199)).toBe(true);
    expect(wantsOlder(800)).toBe(false);
  });
});
