import type { ChatMessage } from '@hubbub/protocol';
import { describe, expect, test } from 'vitest';
import {
  addPending,
  emptyTimeline,
  entries,
  failPending,
  layoutRow,
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

  test('ten thousand live messages in batches append in order, and an out-of-order page still merges', () => {
    let t = emptyTimeline;
    for (let start = 1; start <= 10_000; start += 100) {
      t = mergeMessages(
        t,
        Array.from({ length: 100 }, (_, i) => message(start + i)),
      );
    }
    expect(t.messages).toHaveLength(10_000);
    expect(t.messages.every((m, i) => m.seq === i + 1)).toBe(true);
    // A batch that overlaps what is there (a replay after reconnect) takes the merging path.
    t = mergeMessages(t, [message(9_999, { content: 'edited' }), message(10_001)]);
    expect(t.messages).toHaveLength(10_001);
    expect(t.messages[9_998]?.content).toBe('edited');
    expect(t.messages.at(-1)?.seq).toBe(10_001);
  });

  test('an unordered batch past the end is sorted, not appended as it came', () => {
    const t = mergeMessages(mergeMessages(emptyTimeline, [message(1)]), [message(3), message(2)]);
    expect(t.messages.map((m) => m.seq)).toEqual([1, 2, 3]);
  });
});

describe('layout', () => {
  const bob = { id: 'b', name: 'Bob' };
  // Local times, so the day boundaries are the reader's.
  const at = (day: number, hour: number, minute: number) =>
    new Date(2026, 10, day, hour, minute).toISOString();
  const now = new Date(2026, 10, 22, 12, 0);

  test('one author within five minutes is one group; a gap, another author, a reply or a new day starts one', () => {
    const rows = entries(
      mergeMessages(emptyTimeline, [
        message(1, { ts: at(20, 9, 0) }),
        message(2, { ts: at(21, 23, 58) }),
        message(3, { ts: at(21, 23, 59) }),
        message(4, { ts: at(22, 0, 1) }),
        message(5, { ts: at(22, 0, 4) }),
        message(6, { ts: at(22, 0, 10) }),
        message(7, { ts: at(22, 0, 11), user: bob }),
        message(8, { ts: at(22, 0, 12), user: bob, replyTo: 6 }),
      ]),
    );
    const withMine = entries(
      addPending({ ...emptyTimeline, messages: [] }, { cid: 'c', content: 'x', user: bob }),
    );
    expect(rows.map((_, i) => layoutRow(rows, i, now))).toEqual([
      { day: expect.stringMatching(/20/), continued: false },
      { day: 'Yesterday', continued: false },
      { day: undefined, continued: true },
      { day: 'Today', continued: false },
      { day: undefined, continued: true },
      { day: undefined, continued: false },
      { day: undefined, continued: false },
      { day: undefined, continued: false },
    ]);
    expect(layoutRow(withMine, 0, now)).toEqual({ day: 'Today', continued: false });
  });
});
