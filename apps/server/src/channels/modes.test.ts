import { isEmoteOnly, limits } from '@hubbub/protocol';
import { describe, expect, test } from 'vitest';
import { fingerprint, RecentMessages } from './modes.js';

describe('crowd mode rules', () => {
  test('emote-only takes emoji, skin tones, flags and ZWJ sequences, and nothing with words or digits', () => {
    for (const ok of ['🔥', '🔥 🔥 👏', '👍🏽', '🇬🇧', '🏴󠁧󠁢󠁥󠁮󠁧󠁿', '👨‍👩‍👧', '⚽️'])
      expect(isEmoteOnly(ok), ok).toBe(true);
    for (const no of ['gg', 'gg 🔥', '123', '1️⃣', ' ', ':fire:'])
      expect(isEmoteOnly(no), no).toBe(false);
  });

  test('unique chat compares messages with case, spacing and Unicode forms aside', () => {
    expect(fingerprint('GOAL!!!')).toBe(fingerprint('  goal!!!  '));
    expect(fingerprint('what  a\tgoal')).toBe(fingerprint('What a goal'));
    expect(fingerprint('ｇｏａｌ')).toBe(fingerprint('goal'));
    expect(fingerprint('go\u200bal')).toBe(fingerprint('goal'));
    expect(fingerprint('goal!')).not.toBe(fingerprint('goal!!'));
  });

  test('the window forgets what is older than it, and holds the newest N at most', () => {
    const recent = new RecentMessages();
    const by = (at: number) => ({ at, user: 'u' });
    recent.record('a', by(0), 1000);
    expect(recent.seen('a', 999, 1000)?.at).toBe(0);
    expect(recent.seen('a', 1000, 1000)).toBeUndefined();
    recent.record('b', by(1500), 1000);
    // Recording 'b' swept 'a' out: it was past the window.
    expect(recent.seen('a', 1500, 10_000)).toBeUndefined();
    recent.forget('b', 1500);
    expect(recent.seen('b', 1600, 1000)).toBeUndefined();
    const max = limits.uniqueChatMaxRemembered;
    for (let i = 0; i <= max; i += 1) recent.record(`m${i}`, by(2000), 60_000);
    expect(recent.seen('m0', 2000, 60_000)).toBeUndefined();
    expect(recent.seen('m1', 2000, 60_000)?.at).toBe(2000);
    expect(recent.seen(`m${max}`, 2000, 60_000)?.at).toBe(2000);
  });

  test('the bus bringing back a send keeps the cid it was cleared under', () => {
    const recent = new RecentMessages();
    recent.record('goal', { at: 10, user: 'u', cid: 'c1' }, 60_000);
    recent.record('goal', { at: 12, user: 'u' }, 60_000);
    expect(recent.seen('goal', 13, 60_000)).toEqual({ at: 12, user: 'u', cid: 'c1' });
    recent.record('goal', { at: 14, user: 'v' }, 60_000);
    expect(recent.seen('goal', 15, 60_000)).toEqual({ at: 14, user: 'v' });
  });
});
