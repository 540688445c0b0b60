import type { ChatMessage } from '@hubbub/protocol';
import { describe, expect, test } from 'vitest';
import {
  addPending,
  emptyTimeline,
  entries,
  failPending,
  mergeMessages,
  settlePending,
} from '../src/timeline.js';

const alice = { id: 'a', name: 'Alice' };
const message = (seq: number, extra: Partial<ChatMessage> = {}): ChatMessage => ({
  room: 'r',
  seq,
  id: `id${seq}`,
  user: alice,
  content: `m${seq}`,
  ts: '2026-11-22T10:00:00.000Z',
  ...extra,
});

describe('timeline', () => {
  test('merges pages, replays and live messages into one ascending list, one entry per seq', () => {
    let t = mergeMessages(emptyTimeline, [message(5), message(6)]);
    t = mergeMessages(t, [message(1), message(2), message(3), message(4)]);
    t = mergeMessages(t, [message(6), message(7), message(5)]);
    expect(t.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  test('a later copy of a seq (a tombstone) replaces the earlier one', () => {
    let t = mergeMessages(emptyTimeline, [message(1)]);
    t = mergeMessages(t, [message(1, { content: '', deleted: true })]);
    expect(t.messages).toEqual([message(1, { content: '', deleted: true })]);
  });

  test('our send shows at once, turns solid on ack, and yields to the real message, in either order', () => {
    let t = addPending(emptyTimeline, { cid: 'c1', content: 'hi', user: alice });
    expect(entries(t).map((e) => e.kind)).toEqual(['pending']);
    t = settlePending(t, 'c1', 'id9');
    expect(t.pending[0]?.ackedId).toBe('id9');
    t = mergeMessages(t, [message(9, { content: 'hi' })]);
    expect(entries(t).map((e) => e.key)).toEqual(['m:9']);

    let u = addPending(emptyTimeline, { cid: 'c2', content: 'yo', user: alice });
    u = mergeMessages(u, [message(3, { id: 'id3' })]);
    u = settlePending(u, 'c2', 'id3');
    expect(u.pending).toEqual([]);
  });

  test('a refused send stays visible with its reason until retried or dropped', () => {
    let t = addPending(emptyTimeline, { cid: 'c1', content: 'spam', user: alice });
    t = failPending(t, 'c1', 'rate limited');
    expect(t.pending[0]).toMatchObject({ failed: 'rate limited' });
    t = settlePending(t, 'c1', 'id4');
    expect(t.pending[0]).toMatchObject({ failed: undefined, ackedId: 'id4' });
  });
});
