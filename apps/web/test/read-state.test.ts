import type { ChatMessage } from '@hubbub/protocol';
import { describe, expect, test } from 'vitest';
import { ReadState } from '../src/read-state.js';

const me = { id: 'me', name: 'Me' };
const bob = { id: 'bob', name: 'Bob' };
const message = (seq: number, user = bob): ChatMessage => ({
  room: 'r',
  seq,
  id: `m${seq}`,
  user,
  content: `${seq}`,
  ts: '2026-11-23T00:00:00.000Z',
});

describe('read state', () => {
  test('unread starts from the server’s count and adds what arrives from others', () => {
    const state = new ReadState('me');
    state.setBase([
      { room: 'r', lastSeq: 500, delivered: 400, read: 100, unread: 399, mentions: 0 },
    ]);
    // The timeline holds only the latest messages; the server counted the rest.
    const timeline = [message(499), message(500), message(501), message(502, me), message(503)];
    expect(state.unread('r', timeline)).toBe(401);
  });

  test('a read here or on another device counts from the timeline, and never goes back', () => {
    const state = new ReadState('me');
    state.setBase([{ room: 'r', lastSeq: 3, delivered: 3, read: 0, unread: 3, mentions: 0 }]);
    const timeline = [message(1), message(2), message(3), message(4)];
    expect(state.advance('r', { user: me, delivered: 4, read: 3 })).toBe(true);
    expect(state.unread('r', timeline)).toBe(1);
    expect(state.advance('r', { user: me, delivered: 2, read: 1 })).toBe(false);
    expect(state.myRead('r')).toBe(3);
    state.advance('r', { user: me, delivered: 4, read: 4 });
    expect(state.unread('r', timeline)).toBe(0);
  });

  test('others’ pointers are kept per room; the snapshot object changes only when one moves', () => {
    const state = new ReadState('me');
    const before = state.pointers('r');
    state.advance('r', { user: bob, delivered: 2, read: 1 });
    const after = state.pointers('r');
    expect(after).not.toBe(before);
    expect(after.get('bob')).toEqual({ user: bob, delivered: 2, read: 1 });
    state.advance('r', { user: bob, delivered: 1, read: 1 });
    expect(state.pointers('r')).toBe(after);
    expect(state.pointers('other').size).toBe(0);
  });
});
