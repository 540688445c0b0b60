import { describe, expect, test } from 'vitest';
import type { NodeSignal, Signals } from './port.js';

const bytes = (text: string) => new Uint8Array(Buffer.from(text));
const text = (encoded: Uint8Array) => Buffer.from(encoded).toString();

async function until(check: () => boolean): Promise<void> {
  await expect.poll(check, { timeout: 3000, interval: 10 }).toBe(true);
}

/**
 * The promises of the Signals port (signals/port.ts), for every implementation. `open`
 * gives two nodes' views of one fresh bus.
 */
export function signalsContract(name: string, open: () => Promise<[Signals, Signals]>): void {
  describe(`Signals contract: ${name}`, () => {
    test('a notice reaches the room on every node, sender included, bytes and skip intact', async () => {
      const [a, b] = await open();
      const seen: string[] = [];
      a.listenRoom('r', (encoded, except) => seen.push(`a ${text(encoded)} ${except ?? '-'}`));
      b.listenRoom('r', (encoded, except) => seen.push(`b ${text(encoded)} ${except ?? '-'}`));
      b.listenRoom('other', (encoded) => seen.push(`other ${text(encoded)}`));
      await Promise.all([a.ready(), b.ready()]);
      a.notice('r', bytes('{"t":"żółw ✓"}'), 'u1');
      b.notice('r', bytes('{"t":2}'));
      await until(() => seen.length >= 4);
      expect(seen.sort()).toEqual([
        'a {"t":"żółw ✓"} u1',
        'a {"t":2} -',
        'b {"t":"żółw ✓"} u1',
        'b {"t":2} -',
      ]);
    });

    test('notices and signals from one sender arrive in the order sent; a stopped listener hears nothing', async () => {
      const [a, b] = await open();
      const seen: string[] = [];
      const stop = b.listenRoom('r', (encoded) => seen.push(text(encoded)));
      b.listenRoom('s', (encoded) => seen.push(text(encoded)));
      b.listen((signal) =>
        seen.push(signal.kind === 'rules' ? `rules ${signal.room}` : signal.kind),
      );
      await b.ready();
      const sent: string[] = [];
      for (let i = 0; i < 50; i++) {
        a.notice(i % 2 === 0 ? 'r' : 's', bytes(`${i}`));
        sent.push(`${i}`);
        if (i % 10 === 0) {
          a.broadcast({ kind: 'rules', origin: 'x', room: `${i}` });
          sent.push(`rules ${i}`);
        }
      }
      await until(() => seen.length >= sent.length);
      expect(seen).toEqual(sent);
      stop();
      a.notice('r', bytes('late'));
      a.notice('s', bytes('marker'));
      await until(() => seen.at(-1) === 'marker');
      expect(seen).not.toContain('late');
    });

    test('a signal reaches every node, the sender included', async () => {
      const [a, b] = await open();
      const heard: Array<[string, NodeSignal]> = [];
      a.listen((signal) => heard.push(['a', signal]));
      b.listen((signal) => heard.push(['b', signal]));
      await Promise.all([a.ready(), b.ready()]);
      const signal: NodeSignal = {
        kind: 'evict',
        origin: 'n1',
        user: 'u1',
        room: 'r',
        reason: 'banned',
      };
      b.broadcast(signal);
      await until(() => heard.length >= 2);
      expect(heard.sort()).toEqual([
        ['a', signal],
        ['b', signal],
      ]);
    });

    test('every kind of signal crosses intact, in order', async () => {
      const [a, b] = await open();
      const heard: NodeSignal[] = [];
      b.listen((signal) => heard.push(signal));
      await Promise.all([a.ready(), b.ready()]);
      const actor = { id: 'm', name: 'Mia' };
      const signals: NodeSignal[] = [
        {
          kind: 'notify',
          user: 'u1',
          frame: { type: 'room_added', room: 'r', kind: 'dm', by: actor },
        },
        { kind: 'end-sessions', user: 'u1', session: 's1' },
        { kind: 'rules', origin: 'n1', room: 'r', user: 'u1' },
        { kind: 'close-room', room: 'event:1' },
        { kind: 'cheers', room: 'event:1', counts: { '🔥': 3 } },
        {
          kind: 'held',
          frame: {
            type: 'held',
            room: 'event:1',
            id: 'h1',
            cid: 'c1',
            user: { id: 'u1', name: 'Ray' },
            content: 'hi',
            heldUntil: new Date(0).toISOString(),
          },
        },
        { kind: 'unhold', room: 'event:1', id: 'h1', actor },
        {
          kind: 'unheld',
          room: 'event:1',
          id: 'h1',
          user: 'u1',
          cid: 'c1',
          actor,
          removed: true,
        },
      ];
      for (const signal of signals) a.broadcast(signal);
      await until(() => heard.length >= signals.length);
      expect(heard).toEqual(signals);
    });
  });
}
