import type { ChatMessage, RoomId } from '@hubbub/protocol';
import { harnesses } from '@hubbub/testing';
import { uuidv7 } from 'uuidv7';
import { describe, expect, test } from 'vitest';
import type { Broker, DraftMessage } from './port.js';

/** A broker under test, and a way to open it again over the same durable state (a restart). */
export interface BrokerHarness {
  broker: Broker;
  reopen(): Promise<Broker>;
  cleanup(): Promise<void>;
}

let counter = 0;
function draft(room: RoomId, content: string, user = 'u1', cid = `cid-${++counter}`): DraftMessage {
  return {
    room,
    id: uuidv7(),
    user: { id: user, name: user },
    content,
    ts: new Date().toISOString(),
    cid,
  };
}

function collect(broker: Broker, room: RoomId): ChatMessage[] {
  const seen: ChatMessage[] = [];
  broker.subscribe(room, (messages) => seen.push(...messages));
  return seen;
}

/**
 * The promises of the Broker port (broker/port.ts), checked against any implementation.
 * Every implementation runs this same suite, so the twins cannot drift apart.
 */
export function brokerContract(name: string, open: () => Promise<BrokerHarness>): void {
  describe(`Broker contract: ${name}`, () => {
    const start = harnesses(open);

    test('concurrent publishes get gapless, strictly increasing seqs, one each', async () => {
      const { broker } = await start();
      const published = await Promise.all(
        Array.from({ length: 200 }, (_, i) => broker.publish(draft('r', `m${i}`, `user${i % 7}`))),
      );
      expect(published.map((m) => m.seq).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 200 }, (_, i) => i + 1),
      );
      expect((await broker.head('r')).seq).toBe(200);
    });

    test('one sender’s publishes are sequenced in the order they were made', async () => {
      const { broker } = await start();
      const published = await Promise.all(
        Array.from({ length: 50 }, (_, i) => broker.publish(draft('r', `${i}`))),
      );
      expect(published.map((m) => m.content)).toEqual(published.map((_, i) => `${i}`));
      expect(published.map((m) => m.seq)).toEqual(published.map((_, i) => i + 1));
    });

    test('each room has its own sequence', async () => {
      const { broker } = await start();
      const a = await broker.publish(draft('a', 'x'));
      const b = await broker.publish(draft('b', 'y'));
      expect([a.seq, b.seq]).toEqual([1, 1]);
    });

    test('subscribers get every later message once, in seq order, and nothing after unsubscribe', async () => {
      const { broker } = await start();
      await broker.publish(draft('r', 'before'));
      const first = collect(broker, 'r');
      const second: ChatMessage[] = [];
      const stop = broker.subscribe('r', (messages) => second.push(...messages));
      await Promise.all(Array.from({ length: 30 }, (_, i) => broker.publish(draft('r', `${i}`))));
      await expect.poll(() => first.length).toBe(30);
      expect(first.map((m) => m.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 2));
      expect(second.map((m) => m.id)).toEqual(first.map((m) => m.id));
      stop();
      await broker.publish(draft('r', 'after'));
      await expect.poll(() => first.length).toBe(31);
      expect(second).toHaveLength(30);
    });

    test('publish resolves only once the message is part of the durable head', async () => {
      const { broker } = await start();
      const published = await Promise.all(
        Array.from({ length: 20 }, (_, i) => broker.publish(draft('r', `${i}`))),
      );
      const head = await broker.head('r');
      expect(head.seq).toBeGreaterThanOrEqual(Math.max(...published.map((m) => m.seq)));
      const replay = await broker.replay('r', 0, head.epoch);
      if (replay.kind !== 'messages') throw new Error('expected messages');
      expect(replay.messages.map((m) => m.id)).toEqual(
        [...published].sort((a, b) => a.seq - b.seq).map((m) => m.id),
      );
    });

    test('publishing the same (room, user, cid) again returns the original and adds nothing', async () => {
      const { broker } = await start();
      const seen = collect(broker, 'r');
      const original = await broker.publish(draft('r', 'hello', 'alice', 'same'));
      const [again, racing] = await Promise.all([
        broker.publish(draft('r', 'hello', 'alice', 'same')),
        broker.publish(draft('r', 'hello', 'alice', 'same')),
      ]);
      expect(again).toEqual(original);
      expect(racing).toEqual(original);
      const otherUser = await broker.publish(draft('r', 'hello', 'bob', 'same'));
      expect(otherUser.seq).toBe(2);
      await expect.poll(() => seen.length).toBe(2);
    });

    test('replay returns exactly the messages after since, or a reset', async () => {
      const { broker } = await start();
      for (let i = 1; i <= 5; i++) await broker.publish(draft('r', `${i}`));
      const { epoch } = await broker.head('r');
      const replay = await broker.replay('r', 2, epoch);
      expect(replay).toMatchObject({ kind: 'messages', epoch, seq: 5 });
      if (replay.kind !== 'messages') throw new Error('expected messages');
      expect(replay.messages.map((m) => m.content)).toEqual(['3', '4', '5']);
      expect(await broker.replay('r', 5, epoch)).toMatchObject({ kind: 'messages', messages: [] });
      expect(await broker.replay('r', 2)).toMatchObject({ kind: 'messages' });
      expect(await broker.replay('r', 2, 'other-epoch')).toEqual({ kind: 'reset', epoch, seq: 5 });
      expect(await broker.replay('r', 9, epoch)).toEqual({ kind: 'reset', epoch, seq: 5 });
    });

    test('recent returns the latest messages, oldest first', async () => {
      const { broker } = await start();
      expect(await broker.recent('empty', 10)).toMatchObject({ seq: 0, messages: [] });
      for (let i = 1; i <= 8; i++) await broker.publish(draft('r', `${i}`));
      const recent = await broker.recent('r', 3);
      expect(recent.seq).toBe(8);
      expect(recent.messages.map((m) => m.content)).toEqual(['6', '7', '8']);
    });

    test('history pages the room by seq as the store does, with every seq up to the head', async () => {
      const { broker } = await start();
      const sent: ChatMessage[] = [];
      for (let i = 1; i <= 8; i++) sent.push(await broker.publish(draft('r', `${i}`)));
      const seqs = async (range: { before?: number; after?: number; limit: number }) =>
        (await broker.history('r', range)).map((m) => m.seq);
      expect(await seqs({ limit: 3 })).toEqual([6, 7, 8]);
      expect(await seqs({ before: 3, limit: 5 })).toEqual([1, 2]);
      expect(await seqs({ after: 0, limit: 3 })).toEqual([1, 2, 3]);
      expect(await seqs({ after: 6, limit: 5 })).toEqual([7, 8]);
      expect(await seqs({ after: 2, before: 6, limit: 10 })).toEqual([3, 4, 5]);
      const page = await broker.history('r', { after: 0, limit: 10 });
      expect(page.map((m) => [m.id, m.content])).toEqual(sent.map((m) => [m.id, m.content]));
      expect(await broker.history('empty', { limit: 5 })).toEqual([]);
    });

    test('after a restart the seq continues, the epoch holds, and cids are still known', async () => {
      const harness = await start();
      const first = await harness.broker.publish(draft('r', 'one', 'alice', 'keep'));
      await harness.broker.publish(draft('r', 'two'));
      const { epoch } = await harness.broker.head('r');
      await harness.broker.close();
      const broker = await harness.reopen();
      expect(await broker.head('r')).toEqual({ epoch, seq: 2 });
      expect(await broker.publish(draft('r', 'one', 'alice', 'keep'))).toEqual(first);
      expect((await broker.publish(draft('r', 'three'))).seq).toBe(3);
      const replay = await broker.replay('r', 0, epoch);
      if (replay.kind !== 'messages') throw new Error('expected messages');
      expect(replay.messages.map((m) => m.content)).toEqual(['one', 'two', 'three']);
    });

    test('close lets in-flight publishes settle; later publishes are refused', async () => {
      const { broker } = await start();
      const inflight = Array.from({ length: 20 }, (_, i) => broker.publish(draft('r', `${i}`)));
      await broker.close();
      const settled = await Promise.allSettled(inflight);
      expect(settled.every((s) => s.status === 'fulfilled')).toBe(true);
      await expect(broker.publish(draft('r', 'late'))).rejects.toMatchObject({
        code: 'shutting_down',
      });
    });
  });
}
