import { describeTyping, TypingRoster } from '@hubbub/sdk';
import { describe, expect, test } from 'vitest';

const alice = { id: 'a', name: 'Alice' };
const bob = { id: 'b', name: 'Bob' };
const carol = { id: 'c', name: 'Carol' };
const notice = (user: typeof alice, room = 'r') => ({ type: 'typing' as const, room, user });

describe('who is typing', () => {
  test('a notice lasts its time unless renewed; a message ends it at once', () => {
    const roster = new TypingRoster('r', 6000);
    expect(roster.noticed(notice(alice), 0)).toBe(true);
    expect(roster.noticed(notice(bob), 1000)).toBe(true);
    expect(roster.typing(5999)).toEqual([alice, bob]);
    expect(roster.nextExpiry()).toBe(6000);
    expect(roster.typing(6000)).toEqual([bob]);
    roster.noticed(notice(bob), 6500);
    expect(roster.typing(10_000)).toEqual([bob]);
    expect(roster.spoke('b')).toBe(true);
    expect(roster.typing(10_000)).toEqual([]);
    expect(roster.nextExpiry()).toBeUndefined();
  });

  test('notices of other rooms are not this room’s', () => {
    const roster = new TypingRoster('r');
    expect(roster.noticed(notice(alice, 'elsewhere'), 0)).toBe(false);
    expect(roster.typing(1)).toEqual([]);
  });

  test('says it the way people read it', () => {
    expect(describeTyping([])).toBeUndefined();
    expect(describeTyping([alice])).toBe('Alice is typing…');
    expect(describeTyping([alice, bob])).toBe('Alice and Bob are typing…');
    expect(describeTyping([alice, bob, carol])).toBe('Several people are typing…');
  });
});
