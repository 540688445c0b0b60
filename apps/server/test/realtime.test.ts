import { type AckFrame, CloseCode, type JoinedFrame } from '@hubbub/protocol';
import { guestIn, RawClient, startServer } from '@hubbub/testing';
import { describe, expect, test } from 'vitest';

/** Guests join only rooms that exist: the ones they use here besides `global` are open from the start. */
const open = { OPEN_ROOMS: 'a,b,race,busy,r,fast' };

describe('real-time core over real sockets', () => {
  test('a guest authenticates, joins, sends, and every member receives it with its seq', async () => {
    await using server = await startServer();
    await using alice = await guestIn(server, 'Alice', 'global');
    await using bob = await guestIn(server, 'Bob', 'global');

    alice.send({ type: 'send', room: 'global', cid: 'c1', content: 'hello' });
    const ack = (await alice.next((f) => f.type === 'ack')) as AckFrame;
    expect(ack).toMatchObject({ cid: 'c1', room: 'global', seq: 1 });

    const received = await bob.next((f) => f.type === 'message');
    expect(received).toMatchObject({
      type: 'message',
      room: 'global',
      seq: 1,
      id: ack.id,
      content: 'hello',
      user: { name: 'Alice' },
    });
    // The sender gets its own message too: one ordered stream for everyone.
    expect(await alice.next((f) => f.type === 'message')).toMatchObject({ seq: 1, id: ack.id });
  });

  test('identity, id, seq and time come from the server, never from the frame', async () => {
    await using server = await startServer();
    await using mallory = await guestIn(server, 'Mallory', 'global');
    const before = Date.now();
    const spoofed: Record<string, unknown> = {
      type: 'send',
      room: 'global',
      cid: 'x',
      content: 'spoof',
      user: { id: 'admin', name: 'Admin' },
      seq: 999,
      id: 'forged',
      ts: '2000-01-01T00:00:00.000Z',
    };
    mallory.send(spoofed);
    const message = await mallory.next((f) => f.type === 'message');
    if (message.type !== 'message') throw new Error('expected a message');
    expect(message.user.name).toBe('Mallory');
    expect(message.user.id).not.toBe('admin');
    expect(message.seq).toBe(1);
    expect(message.id).not.toBe('forged');
    expect(Date.parse(message.ts)).toBeGreaterThanOrEqual(before - 1000);
  });

  test('joined carries the latest history and the head; seqs are per room', async () => {
    await using server = await startServer({ env: { ...open, HISTORY_ON_JOIN: '3' } });
    await using alice = await guestIn(server, 'Alice', 'a', 'b');
    for (let i = 1; i <= 5; i++) {
      alice.send({ type: 'send', room: 'a', cid: `a${i}`, content: `a${i}` });
      await alice.next((f) => f.type === 'ack' && f.cid === `a${i}`);
    }
    alice.send({ type: 'send', room: 'b', cid: 'b1', content: 'b1' });
    expect(await alice.next((f) => f.type === 'ack' && f.cid === 'b1')).toMatchObject({ seq: 1 });

    await using bob = await guestIn(server, 'Bob');
    bob.send({ type: 'join', room: 'a' });
    const joined = (await bob.next((f) => f.type === 'joined')) as JoinedFrame;
    expect(joined.seq).toBe(5);
    expect(joined.epoch).toMatch(/.+/);
    expect(joined.messages.map((m) => m.content)).toEqual(['a3', 'a4', 'a5']);
  });

  test('concurrent senders: every member sees one gapless, identical order', async () => {
    await using server = await startServer({
      env: { ...open, RATE_LIMIT_PER_SECOND: '1000', RATE_LIMIT_BURST: '1000' },
    });
    const senders = await Promise.all(
      ['A', 'B', 'C', 'D'].map((name) => guestIn(server, name, 'race')),
    );
    await using watcher = await guestIn(server, 'Watcher', 'race');
    const perSender = 25;
    const acks = await Promise.all(
      senders.map(async (client, s) => {
        for (let i = 0; i < perSender; i++) {
          client.send({ type: 'send', room: 'race', cid: `${s}-${i}`, content: `${s}:${i}` });
        }
        const mine: AckFrame[] = [];
        for (let i = 0; i < perSender; i++)
          mine.push((await client.next((f) => f.type === 'ack')) as AckFrame);
        return mine;
      }),
    );
    const total = senders.length * perSender;
    await expect.poll(() => watcher.messagesIn('race').length, { timeout: 10_000 }).toBe(total);
    const seen = watcher.messagesIn('race');
    expect(seen.map((m) => m.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    // Each sender's messages keep the order it sent them in.
    for (const [s, mine] of acks.entries()) {
      expect(mine.map((a) => a.cid)).toEqual(
        Array.from({ length: perSender }, (_, i) => `${s}-${i}`),
      );
      const seqs = mine.map((a) => a.seq);
      expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
    }
    // Every other member saw exactly the same stream.
    for (const client of senders) {
      await expect.poll(() => client.messagesIn('race').length, { timeout: 10_000 }).toBe(total);
      expect(client.messagesIn('race').map((m) => m.id)).toEqual(seen.map((m) => m.id));
      client.socket.terminate();
    }
  });

  test('a busy room coalesces into batch frames; a quiet one sends single messages', async () => {
    await using server = await startServer({
      env: { ...open, RATE_LIMIT_PER_SECOND: '1000', RATE_LIMIT_BURST: '1000' },
    });
    await using sender = await guestIn(server, 'Sender', 'busy');
    await using reader = await guestIn(server, 'Reader', 'busy');
    sender.send({ type: 'send', room: 'busy', cid: 'q', content: 'quiet' });
    expect(await reader.next((f) => f.type === 'message' || f.type === 'batch')).toMatchObject({
      type: 'message',
      seq: 1,
    });
    for (let i = 0; i < 200; i++)
      sender.send({ type: 'send', room: 'busy', cid: `b${i}`, content: `${i}` });
    await expect.poll(() => reader.messagesIn('busy').length, { timeout: 10_000 }).toBe(201);
    const batches = reader.received.filter((f) => f.type === 'batch');
    expect(batches.length).toBeGreaterThan(0);
    expect(reader.messagesIn('busy').map((m) => m.seq)).toEqual(
      Array.from({ length: 201 }, (_, i) => i + 1),
    );
  });

  test('leave stops delivery; sending to a room not joined is refused with not_in_room', async () => {
    await using server = await startServer({ env: open });
    await using alice = await guestIn(server, 'Alice', 'r');
    await using bob = await guestIn(server, 'Bob', 'r');
    bob.send({ type: 'leave', room: 'r' });
    expect(await bob.next((f) => f.type === 'left')).toEqual({ type: 'left', room: 'r' });
    alice.send({ type: 'send', room: 'r', cid: '1', content: 'after leave' });
    await alice.next((f) => f.type === 'message');
    bob.send({ type: 'send', room: 'r', cid: 'z', content: 'nope' });
    expect(await bob.next((f) => f.type === 'error')).toMatchObject({
      code: 'not_in_room',
      ref: 'z',
    });
    bob.send({ type: 'ping' });
    await bob.next((f) => f.type === 'pong');
    expect(bob.messagesIn('r')).toEqual([]);
  });

  test('frames pipelined right behind authenticate are served after ready, in order', async () => {
    await using server = await startServer({ env: open });
    const { token } = await server.guest('Quick');
    await using client = await RawClient.connect(server.wsUrl);
    client.send({ type: 'authenticate', token });
    client.send({ type: 'join', room: 'fast' });
    client.send({ type: 'send', room: 'fast', cid: 'p1', content: 'pipelined' });
    expect(await client.next((f) => f.type === 'ready')).toMatchObject({ user: { name: 'Quick' } });
    expect(await client.next((f) => f.type === 'ack')).toMatchObject({ cid: 'p1', seq: 1 });
    const types = client.received.map((f) => f.type);
    expect(types.indexOf('ready')).toBeLessThan(types.indexOf('ack'));
  });

  test('graceful shutdown tells clients with the shutdown close code', async () => {
    const server = await startServer();
    const client = await guestIn(server, 'Alice', 'global');
    const closing = server.close();
    expect((await client.closed).code).toBe(CloseCode.serverShutdown);
    await closing;
  });
});
