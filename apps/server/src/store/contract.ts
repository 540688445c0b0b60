import { harnesses } from '@hubbub/testing';
import { uuidv7 } from 'uuidv7';
import { describe, expect, test } from 'vitest';
import type { MessageStore, StoredMessage } from './port.js';

/** A store under test, and a way to open it again over the same database (a restart). */
export interface StoreHarness {
  store: MessageStore;
  reopen(): Promise<MessageStore>;
  cleanup(): Promise<void>;
}

const BASE_TIME = Date.parse('2026-11-22T10:00:00.123Z');

function message(room: string, seq: number, overrides: Partial<StoredMessage> = {}): StoredMessage {
  return {
    room,
    seq,
    id: uuidv7(),
    user: { id: 'u1', name: 'Alice' },
    content: `message ${seq}`,
    ts: new Date(BASE_TIME + seq).toISOString(),
    cid: `cid-${room}-${seq}`,
    ...overrides,
  };
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/**
 * The promises of the MessageStore port (store/port.ts), checked against every engine, so
 * SQLite and PostgreSQL cannot drift apart.
 */
export function messageStoreContract(name: string, open: () => Promise<StoreHarness>): void {
  describe(`MessageStore contract: ${name}`, () => {
    const start = harnesses(async () => {
      const harness = await open();
      await harness.store.migrate();
      return harness;
    });

    test('migrate is idempotent and ping answers', async () => {
      const { store } = await start();
      await store.migrate();
      await expect(store.ping()).resolves.toBeUndefined();
    });

    test('openRoom creates a room once with an epoch that stays the same, also after reopening', async () => {
      const harness = await start();
      const head = await harness.store.openRoom('global');
      expect(head.seq).toBe(0);
      expect(head.epoch.length).toBeGreaterThan(8);
      expect(await harness.store.openRoom('global')).toEqual(head);
      const other = await harness.store.openRoom('other');
      expect(other.epoch).not.toBe(head.epoch);
      const reopened = await harness.reopen();
      expect(await reopened.openRoom('global')).toEqual(head);
    });

    test('insertMessages advances the head, which never goes down', async () => {
      const { store } = await start();
      await store.openRoom('r');
      await store.insertMessages(range(1, 5).map((seq) => message('r', seq)));
      expect((await store.openRoom('r')).seq).toBe(5);
      await store.insertMessages([message('r', 3, { id: uuidv7() })]);
      expect((await store.openRoom('r')).seq).toBe(5);
      await store.insertMessages([message('never-opened', 7)]);
      expect((await store.openRoom('never-opened')).seq).toBe(7);
    });

    test('insert is idempotent on (room, seq): a replay keeps one row, the original one', async () => {
      const { store } = await start();
      const original = range(1, 3).map((seq) => message('r', seq));
      await store.insertMessages(original);
      await store.insertMessages(
        original.map((m) => ({ ...m, id: uuidv7(), content: 'replayed' })),
      );
      const rows = await store.roomMessages('r', { limit: 10 });
      expect(rows.map((m) => m.content)).toEqual(original.map((m) => m.content));
    });

    test('a batch is all or nothing', async () => {
      const { store } = await start();
      const taken = message('r', 1);
      await store.insertMessages([taken]);
      // Same id (unique) under a different seq makes the whole batch fail.
      await expect(
        store.insertMessages([
          message('r', 2),
          { ...message('r', 3), id: taken.id },
          message('r', 4),
        ]),
      ).rejects.toThrow();
      expect((await store.roomMessages('r', { limit: 10 })).map((m) => m.seq)).toEqual([1]);
      expect((await store.openRoom('r')).seq).toBe(1);
    });

    test('roomMessages pages by seq in ascending order with exclusive bounds', async () => {
      const { store } = await start();
      await store.insertMessages(range(1, 20).map((seq) => message('r', seq)));
      await store.insertMessages(range(1, 3).map((seq) => message('elsewhere', seq)));
      const seqs = async (r: Parameters<MessageStore['roomMessages']>[1]) =>
        (await store.roomMessages('r', r)).map((m) => m.seq);
      expect(await seqs({ limit: 5 })).toEqual(range(16, 20));
      expect(await seqs({ before: 16, limit: 5 })).toEqual(range(11, 15));
      expect(await seqs({ before: 3, limit: 5 })).toEqual([1, 2]);
      expect(await seqs({ after: 17, limit: 5 })).toEqual([18, 19, 20]);
      expect(await seqs({ after: 5, limit: 3 })).toEqual([6, 7, 8]);
      expect(await seqs({ after: 5, before: 8, limit: 10 })).toEqual([6, 7]);
      expect(await seqs({ after: 20, limit: 5 })).toEqual([]);
      expect(await store.roomMessages('empty', { limit: 5 })).toEqual([]);
    });

    test('messages round-trip exactly, including millisecond times', async () => {
      const { store } = await start();
      const original = message('r', 1, {
        user: { id: 'u-42', name: 'Zoë 🎸' },
        content: 'quotes \' " and unicode ✓ and\nnewlines',
      });
      await store.insertMessages([original]);
      const [row] = await store.roomMessages('r', { limit: 1 });
      const { cid: _cid, ...wire } = original;
      expect(row).toEqual(wire);
      expect(await store.findByCids([{ room: 'r', userId: 'u-42', cid: original.cid }])).toEqual([
        original,
      ]);
    });

    test('findByCids is scoped by room, user and cid, and answers many keys at once', async () => {
      const { store } = await start();
      await store.insertMessages([
        message('r', 1, { cid: 'c' }),
        message('r', 2, { cid: 'e' }),
        message('other', 1, { cid: 'c' }),
      ]);
      const one = (room: string, userId: string, cid: string) =>
        store.findByCids([{ room, userId, cid }]);
      expect((await one('r', 'u1', 'c')).map((m) => m.seq)).toEqual([1]);
      expect(await one('r', 'u2', 'c')).toEqual([]);
      expect(await one('nowhere', 'u1', 'c')).toEqual([]);
      expect(await one('r', 'u1', 'd')).toEqual([]);
      // More keys than one statement carries: every chunk is asked.
      const keys = Array.from({ length: 1200 }, (_, i) => ({
        room: 'r',
        userId: 'u1',
        cid: `x${i}`,
      }));
      keys.push({ room: 'r', userId: 'u1', cid: 'e' }, { room: 'other', userId: 'u1', cid: 'c' });
      const found = await store.findByCids(keys);
      expect(found.map((m) => `${m.room}:${m.seq}`).sort()).toEqual(['other:1', 'r:2']);
    });

    test('userMessages pages a user’s messages across rooms by id, oldest first', async () => {
      const { store } = await start();
      const mine: StoredMessage[] = [];
      for (let seq = 1; seq <= 6; seq++) {
        const m = message(seq % 2 === 0 ? 'a' : 'b', seq, { user: { id: 'me', name: 'Me' } });
        mine.push(m);
        await store.insertMessages([m, message('c', seq, { user: { id: 'other', name: 'O' } })]);
      }
      const latest = await store.userMessages('me', { limit: 4 });
      expect(latest.map((m) => m.id)).toEqual(mine.slice(2).map((m) => m.id));
      const older = await store.userMessages('me', { before: latest[0]!.id, limit: 4 });
      expect(older.map((m) => m.id)).toEqual(mine.slice(0, 2).map((m) => m.id));
      expect(await store.userMessages('nobody', { limit: 4 })).toEqual([]);
    });

    test('concurrent batches from many callers all land, each once', async () => {
      const { store } = await start();
      await Promise.all(
        range(0, 19).map((batch) =>
          store.insertMessages(range(1, 10).map((i) => message('r', batch * 10 + i))),
        ),
      );
      const rows = await store.roomMessages('r', { after: 0, limit: 500 });
      expect(rows.map((m) => m.seq)).toEqual(range(1, 200));
      expect((await store.openRoom('r')).seq).toBe(200);
    });

    test('a large batch (1200 rows, several statements) commits in one go', async () => {
      const { store } = await start();
      await store.insertMessages(range(1, 1200).map((seq) => message('big', seq)));
      expect((await store.roomMessages('big', { after: 0, limit: 2000 })).length).toBe(1200);
    });

    test('redact keeps the seq and leaves a tombstone everywhere the message is read', async () => {
      const { store } = await start();
      const original = range(1, 3).map((seq) => message('r', seq));
      await store.insertMessages(original);
      const target = original[1]!;
      const tombstone = await store.redact('r', target.id);
      expect(tombstone).toMatchObject({
        seq: 2,
        id: target.id,
        content: '',
        deleted: true,
        user: target.user,
      });
      expect(await store.redact('r', target.id)).toEqual(tombstone);
      expect(await store.findMessage('r', target.id)).toEqual(tombstone);
      const rows = await store.roomMessages('r', { limit: 10 });
      expect(rows.map((m) => [m.seq, m.content])).toEqual([
        [1, original[0]!.content],
        [2, ''],
        [3, original[2]!.content],
      ]);
      expect(await store.redact('r', 'no-such-id')).toBeUndefined();
      expect(await store.redact('other-room', original[0]!.id)).toBeUndefined();
      expect(await store.findMessage('r', original[0]!.id)).toMatchObject({
        content: original[0]!.content,
      });
      expect((await store.findMessage('r', original[0]!.id))?.deleted).toBeUndefined();
    });

    test('an edit replaces the content everywhere it is read and marks it edited; a tombstone stays one', async () => {
      const { store } = await start();
      const original = range(1, 3).map((seq) => message('r', seq));
      await store.insertMessages(original);
      const at = Date.parse('2026-11-23T10:00:00.000Z');
      const edited = await store.edit('r', original[0]!.id, 'better words', at);
      expect(edited).toMatchObject({
        seq: 1,
        id: original[0]!.id,
        content: 'better words',
        editedAt: '2026-11-23T10:00:00.000Z',
        user: original[0]!.user,
      });
      expect(await store.findMessage('r', original[0]!.id)).toEqual(edited);
      expect((await store.roomMessages('r', { limit: 10 }))[0]).toEqual(edited);
      expect(
        (await store.userMessages(original[0]!.user.id, { limit: 10 })).find((m) => m.seq === 1),
      ).toEqual(edited);
      expect((await store.roomMessages('r', { limit: 10 }))[1]?.editedAt).toBeUndefined();
      const tombstone = await store.redact('r', original[1]!.id);
      expect(await store.edit('r', original[1]!.id, 'back from the dead', at)).toEqual(tombstone);
      expect(tombstone?.editedAt).toBeUndefined();
      expect(await store.edit('r', 'no-such-id', 'x', at)).toBeUndefined();
    });

    test('reactions: one per person and emoji, most used first, on every read; tombstones take none', async () => {
      const { store } = await start();
      const original = range(1, 3).map((seq) => message('r', seq));
      await store.insertMessages(original);
      const [ann, ben, cat] = ['ann', 'ben', 'cat'].map((name) => ({ id: name, name }));
      const id = original[0]!.id;
      await store.react('r', id, ann!, '👍', true);
      await store.react('r', id, ann!, '👍', true);
      await store.react('r', id, ben!, '🎉', true);
      const reacted = await store.react('r', id, cat!, '🎉', true);
      expect(reacted).toMatchObject({
        seq: 1,
        reactions: [
          { emoji: '🎉', count: 2, users: [ben, cat] },
          { emoji: '👍', count: 1, users: [ann] },
        ],
      });
      expect(await store.findMessage('r', id)).toEqual(reacted);
      expect((await store.roomMessages('r', { limit: 10 }))[0]).toEqual(reacted);
      // Read forwards too: a room's log window after a restart and a resume's replay.
      expect((await store.roomMessages('r', { after: 0, limit: 10 }))[0]).toEqual(reacted);
      expect((await store.roomMessages('r', { limit: 10 }))[1]?.reactions).toBeUndefined();
      const taken = await store.react('r', id, ann!, '👍', false);
      expect(taken !== 'full' && taken?.reactions).toEqual([
        { emoji: '🎉', count: 2, users: [ben, cat] },
      ]);
      // Twenty different emoji at most; one already there can still be added to.
      const second = original[1]!.id;
      const emoji = [...'😀😁😂🤣😃😄😅😆😉😊😋😎😍😘🥰😗😙🥲😚🙂'];
      for (const e of emoji) expect(await store.react('r', second, ann!, e, true)).not.toBe('full');
      expect(await store.react('r', second, ben!, '🙃', true)).toBe('full');
      expect(await store.react('r', second, ben!, '😀', true)).not.toBe('full');
      const tombstone = await store.redact('r', original[2]!.id);
      expect(await store.react('r', original[2]!.id, ann!, '👍', true)).toEqual(tombstone);
      expect(await store.react('r', 'no-such-id', ann!, '👍', true)).toBeUndefined();
    });

    test('a reply keeps the seq it answers on every read', async () => {
      const { store } = await start();
      await store.insertMessages([message('r', 1), message('r', 2, { replyTo: 1 })]);
      const rows = await store.roomMessages('r', { limit: 10 });
      expect(rows.map((m) => m.replyTo)).toEqual([undefined, 1]);
      expect((await store.findMessage('r', rows[1]!.id))?.replyTo).toBe(1);
      const [second] = await store.findByCids([
        { room: 'r', userId: rows[1]!.user.id, cid: message('r', 2).cid },
      ]);
      expect(second?.replyTo).toBe(1);
    });

    test('attachments are kept on every read, edits keep them, a delete drops them', async () => {
      const { store } = await start();
      const attachments = [
        {
          id: 'n.m',
          kind: 'image' as const,
          mime: 'image/png',
          name: 'a.png',
          size: 9,
          width: 2,
          height: 1,
        },
        { id: 'o.p', kind: 'file' as const, mime: 'application/pdf', name: 'b.pdf', size: 90 },
      ];
      await store.insertMessages([message('r', 1, { attachments }), message('r', 2)]);
      const [first, second] = await store.roomMessages('r', { limit: 10 });
      expect(first?.attachments).toEqual(attachments);
      expect(second?.attachments).toBeUndefined();
      expect((await store.edit('r', first!.id, 'caption', BASE_TIME))?.attachments).toEqual(
        attachments,
      );
      expect((await store.redact('r', first!.id))?.attachments).toBeUndefined();
    });

    test('committed rows survive closing and reopening', async () => {
      const harness = await start();
      const head = await harness.store.openRoom('r');
      await harness.store.insertMessages(range(1, 10).map((seq) => message('r', seq)));
      const store = await harness.reopen();
      expect(await store.openRoom('r')).toEqual({ epoch: head.epoch, seq: 10 });
      expect((await store.roomMessages('r', { limit: 50 })).length).toBe(10);
    });
  });
}
