import { afterEach, describe, expect, test } from 'vitest';
import { Expiries } from './expiries.js';

/** A second boundary, in milliseconds; tests sweep with their own clock from it. */
const T0 = 1_700_000_000_000;
const S0 = T0 / 1000;

describe('Expiries', () => {
  const opened: Expiries<string>[] = [];
  afterEach(() => {
    for (const expiries of opened.splice(0)) expiries.stop();
  });

  function open(): { expiries: Expiries<string>; expired: string[] } {
    const expired: string[] = [];
    const expiries = new Expiries<string>((item) => expired.push(item), T0);
    opened.push(expiries);
    return { expiries, expired };
  }

  test('an item expires at the first sweep at or after its second, never before', () => {
    const { expiries, expired } = open();
    expiries.add('a', S0 + 2);
    expiries.add('b', S0 + 3);
    expiries.sweep(T0 + 1999);
    expect(expired).toEqual([]);
    expiries.sweep(T0 + 2000);
    expect(expired).toEqual(['a']);
    expiries.sweep(T0 + 2500);
    expect(expired).toEqual(['a']);
    expiries.sweep(T0 + 3000);
    expect(expired).toEqual(['a', 'b']);
  });

  test('a fractional exp goes at the sweep of the second after it', () => {
    const { expiries, expired } = open();
    expiries.add('half', S0 + 2.5);
    expiries.sweep(T0 + 2999);
    expect(expired).toEqual([]);
    expiries.sweep(T0 + 3000);
    expect(expired).toEqual(['half']);
  });

  test('a removed item does not expire; one moved to a later second expires then', () => {
    const { expiries, expired } = open();
    expiries.add('gone', S0 + 1);
    expiries.add('renewed', S0 + 1);
    expiries.remove('gone', S0 + 1);
    expiries.remove('renewed', S0 + 1);
    expiries.add('renewed', S0 + 60);
    expiries.sweep(T0 + 59_000);
    expect(expired).toEqual([]);
    expiries.sweep(T0 + 60_000);
    expect(expired).toEqual(['renewed']);
  });

  test('a sweep late by many seconds takes every bucket it passed; a past time goes next', () => {
    const { expiries, expired } = open();
    for (let i = 1; i <= 5; i++) expiries.add(`s${i}`, S0 + i);
    expiries.sweep(T0 + 10_000);
    expect(expired).toEqual(['s1', 's2', 's3', 's4', 's5']);
    expiries.add('stale', S0 - 100);
    expiries.sweep(T0 + 10_999);
    expect(expired).not.toContain('stale');
    expiries.sweep(T0 + 11_000);
    expect(expired).toContain('stale');
  });
});
