import type { ChatMessage, HeldFrame } from '@hubbub/protocol';
import { fetchHistory, guestToken, HubbubClient, HubbubError } from '@hubbub/sdk';
import { post, RawClient, register, startServer, type TestServer } from '@hubbub/testing';
import { afterEach, describe, expect, test } from 'vitest';

// Guests join only rooms that exist: the ones these guests meet in are open from the start.
const fast = {
  RATE_LIMIT_PER_SECOND: '1000',
  RATE_LIMIT_BURST: '1000',
  OPEN_ROOMS: 'stream,lobby',
};
const clients: HubbubClient[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

async function connect(server: TestServer, name: string): Promise<HubbubClient> {
  const { token } = await guestToken(server.httpUrl, name);
  const client = new HubbubClient({
    url: server.wsUrl,
    token,
    backoff: { initialDelayMs: 50, maxDelayMs: 200 },
  });
  clients.push(client);
  await client.ready();
  return client;
}

function record(client: HubbubClient, room: string): ChatMessage[] {
  const seen: ChatMessage[] = [];
  client.on('message', (message) => {
    if (message.room === room) seen.push(message);
  });
  return seen;
}

describe('HubbubClient against a real server', () => {
  test('two clients chat: send resolves with the ack, both see the same ordered stream', async () => {
    await using server = await startServer({ env: fast });
    const alice = await connect(server, 'Alice');
    const bob = await connect(server, 'Bob');
    const aliceSeen = record(alice, 'global');
    const bobSeen = record(bob, 'global');
    await alice.join('global');
    await bob.join('global');
    const acks = await Promise.all(
      Array.from({ length: 20 }, (_, i) => alice.send('global', `hi ${i}`)),
    );
    expect(acks.map((a) => a.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const reply = await bob.send('global', 'hello back');
    expect(reply.seq).toBe(21);
    await expect.poll(() => aliceSeen.length).toBe(21);
    await expect.poll(() => bobSeen.length).toBe(21);
    expect(bobSeen.map((m) => m.id)).toEqual(aliceSeen.map((m) => m.id));
    expect(bobSeen.at(-1)).toMatchObject({ content: 'hello back', user: { name: 'Bob' } });
  });

  test('async iteration yields a room’s messages in order', async () => {
    await using server = await startServer({ env: fast });
    const alice = await connect(server, 'Alice');
    await alice.join('stream');
    const iterator = alice.messages('stream');
    for (let i = 1; i <= 3; i++) await alice.send('stream', `${i}`);
    const got: string[] = [];
    for await (const message of iterator) {
      got.push(message.content);
      if (got.length === 3) break;
    }
    expect(got).toEqual(['1', '2', '3']);
  });

  test('after the server restarts, the client resumes and gets what it missed exactly once', async () => {
    await using server = await startServer({ env: fast });
    const reader = await connect(server, 'Reader');
    const seen = record(reader, 'global');
    await reader.join('global');
    const writer = await connect(server, 'Writer');
    await writer.join('global');
    await writer.send('global', 'before');
    await expect.poll(() => seen.length).toBe(1);

    await server.restart();
    // The writer reconnects too; what it sends while the reader is still away must arrive.
    await expect.poll(() => writer.state, { timeout: 10_000 }).toBe('ready');
    await writer.send('global', 'during 1');
    await writer.send('global', 'during 2');
    await expect.poll(() => reader.state, { timeout: 10_000 }).toBe('ready');
    await writer.send('global', 'after');
    await expect
      .poll(() => seen.map((m) => m.content), { timeout: 10_000 })
      .toEqual(['before', 'during 1', 'during 2', 'after']);
    expect(seen.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
  });

  test('a send made while disconnected is delivered after reconnect, once', async () => {
    await using server = await startServer({ env: fast });
    const alice = await connect(server, 'Alice');
    await alice.join('global');
    const watcher = await connect(server, 'Watcher');
    const seen = record(watcher, 'global');
    await watcher.join('global');

    const restarting = server.restart();
    const sent = alice.send('global', 'sent during the outage');
    await restarting;
    const ack = await sent;
    expect(ack.seq).toBe(1);
    await expect
      .poll(() => seen.map((m) => m.content), { timeout: 10_000 })
      .toEqual(['sent during the outage']);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seen).toHaveLength(1);
  });

  test('a resend of an unacknowledged message after reconnect keeps its cid: no duplicate', async () => {
    await using server = await startServer({ env: fast });
    const alice = await connect(server, 'Alice');
    const seen = record(alice, 'global');
    await alice.join('global');
    // Send, then cut the connection before the ack can be read: the message is durable
    // on the server, the client does not know it, and re-sends it after reconnecting.
    const sending = alice.send('global', 'exactly once');
    (alice as unknown as { socket: { close(): void } }).socket.close();
    const ack = await sending;
    await expect.poll(() => seen.length, { timeout: 10_000 }).toBe(1);
    expect(seen[0]?.id).toBe(ack.id);
    const page = await fetchHistory(
      server.httpUrl,
      (await guestToken(server.httpUrl, 'R')).token,
      'global',
    );
    expect(page.messages).toHaveLength(1);
  });

  test('a send the chat delay holds is not resent while held, and resolves at its release', async () => {
    await using server = await startServer({ env: fast });
    const owner = await register(server, 'owner');
    expect((await post(server, '/api/channels', { name: 'stage' }, owner.token)).status).toBe(201);
    await using mod = await RawClient.ready(server.wsUrl, owner.token);
    mod.send({ type: 'join', room: 'stage' });
    await mod.next((f) => f.type === 'joined');
    mod.send({ type: 'modes', room: 'stage', delaySeconds: 2 });
    await mod.next((f) => f.type === 'moderated');

    const speaker = await register(server, 'speaker');
    // An ack timeout far below the delay: only the held frame stops a resend every 300 ms.
    const client = new HubbubClient({ url: server.wsUrl, token: speaker.token, ackTimeoutMs: 300 });
    clients.push(client);
    await client.ready();
    await client.join('stage');
    const held: HeldFrame[] = [];
    client.on('held', (frame) => held.push(frame));
    const ack = await client.send('stage', 'worth the wait');
    expect(ack.seq).toBe(1);
    // The server answers every resend of a held message with the hold again.
    expect(held.map((f) => f.cid)).toEqual([ack.cid]);
    await expect
      .poll(() => mod.messagesIn('stage').map((m) => [m.seq, m.content]))
      .toEqual([[1, 'worth the wait']]);
  });

  test('a refused send rejects with a typed error; an invalid token closes for good', async () => {
    await using server = await startServer({ env: fast });
    const alice = await connect(server, 'Alice');
    await expect(alice.send('not-joined', 'x')).rejects.toMatchObject({ code: 'not_in_room' });
    await expect(alice.send('global', 'x'.repeat(1001))).rejects.toBeInstanceOf(HubbubError);

    const impostor = new HubbubClient({ url: server.wsUrl, token: 'not-a-token' });
    clients.push(impostor);
    const errors: HubbubError[] = [];
    impostor.on('error', (error) => errors.push(error));
    await expect(impostor.ready()).rejects.toMatchObject({ code: 'shutting_down' });
    expect(impostor.state).toBe('closed');
    expect(errors.map((e) => e.code)).toContain('auth_failed');
  });

  test('a token provider is asked again on every reconnect', async () => {
    await using server = await startServer({ env: fast });
    let calls = 0;
    const client = new HubbubClient({
      url: server.wsUrl,
      token: async () => {
        calls += 1;
        return (await guestToken(server.httpUrl, `Fresh${calls}`)).token;
      },
      backoff: { initialDelayMs: 20, maxDelayMs: 100 },
    });
    clients.push(client);
    await client.ready();
    await server.restart();
    await expect.poll(() => client.state, { timeout: 10_000 }).toBe('ready');
    expect(calls).toBeGreaterThanOrEqual(2);
  });

  test('a token provider that fails for a passing reason is retried; one that answers auth_failed ends the client', async () => {
    await using server = await startServer({ env: fast });
    let calls = 0;
    const flaky = new HubbubClient({
      url: server.wsUrl,
      token: async () => {
        calls += 1;
        if (calls <= 2) throw new TypeError('fetch failed');
        return (await guestToken(server.httpUrl, 'Flaky')).token;
      },
      backoff: { initialDelayMs: 20, maxDelayMs: 100 },
    });
    clients.push(flaky);
    const flakyErrors: string[] = [];
    flaky.on('error', (error) => flakyErrors.push(error.code));
    await flaky.ready();
    expect(flakyErrors).toEqual(['unavailable', 'unavailable']);

    const revoked = new HubbubClient({
      url: server.wsUrl,
      token: async () => {
        throw new HubbubError('auth_failed', 'refresh token revoked');
      },
      backoff: { initialDelayMs: 20, maxDelayMs: 100 },
    });
    clients.push(revoked);
    const revokedErrors: string[] = [];
    revoked.on('error', (error) => revokedErrors.push(error.code));
    await expect(revoked.ready()).rejects.toBeInstanceOf(HubbubError);
    expect(revoked.state).toBe('closed');
    expect(revokedErrors).toEqual(['auth_failed']);
  });

  test('presence after a join, and typing throttled by the client and shown to the other side', async () => {
    await using server = await startServer({ env: fast });
    const alice = await connect(server, 'Alice');
    const bob = await connect(server, 'Bob');
    await alice.join('lobby');
    const presences: number[] = [];
    bob.on('presence', (frame) => presences.push(frame.count));
    await bob.join('lobby');
    await expect.poll(() => bob.presence('lobby')?.count).toBe(2);
    expect(
      bob
        .presence('lobby')
        ?.users?.map((u) => u.name)
        .sort(),
    ).toEqual(['Alice', 'Bob']);
    const typing: string[] = [];
    bob.on('typing', (notice) => typing.push(notice.user.name));
    // Every keystroke calls typing(); one frame goes out per resend interval.
    for (let i = 0; i < 20; i++) alice.typing('lobby');
    await alice.ping();
    await bob.ping();
    expect(typing).toEqual(['Alice']);
    alice.typing('nowhere');
    bob.leave('lobby');
    expect(bob.presence('lobby')).toBeUndefined();
    expect(presences.length).toBeGreaterThanOrEqual(1);
  });

  /** A ready client with a backoff so long that only reconnectNow brings it back in a test. */
  async function impatient(server: TestServer, name: string): Promise<HubbubClient> {
    const { token } = await guestToken(server.httpUrl, name);
    const client = new HubbubClient({
      url: server.wsUrl,
      token,
      backoff: { initialDelayMs: 120_000, maxDelayMs: 120_000 },
    });
    clients.push(client);
    await client.ready();
    return client;
  }

  test('reconnectNow skips the wait of a long backoff', async () => {
    await using server = await startServer({ env: fast });
    const client = await impatient(server, 'Impatient');
    const retryingIn: number[] = [];
    client.on('reconnecting', ({ delayMs }) => retryingIn.push(delayMs));
    await server.restart();
    await expect.poll(() => client.state).toBe('reconnecting');
    client.reconnectNow();
    await expect.poll(() => client.state, { timeout: 10_000 }).toBe('ready');
    expect(retryingIn).toHaveLength(1);
  });

  test('reconnectNow again while an attempt is on its way: one connection, not two', async () => {
    await using server = await startServer({ env: fast });
    const client = await impatient(server, 'Restless');
    await server.restart();
    await expect.poll(() => client.state).toBe('reconnecting');
    // The network is back and the tab is shown at once: both ask for a reconnect.
    client.reconnectNow();
    client.reconnectNow();
    await expect.poll(() => client.state, { timeout: 10_000 }).toBe('ready');
    await client.ping();
    expect(server.node.connections).toBe(1);
  });

  test('a reconnect storm: clients told retry_later wait as asked, and all get in', async () => {
    await using server = await startServer({
      env: { ...fast, ADMISSION_PER_SECOND: '5', LOGIN_ATTEMPTS_PER_ADDRESS: '1000' },
    });
    const tokens = await Promise.all(
      Array.from(
        { length: 20 },
        async (_, i) => (await guestToken(server.httpUrl, `Fan${i}`)).token,
      ),
    );
    const delays: number[] = [];
    const crowd = tokens.map((token) => {
      // Backoff alone would retry within 200 ms; only the server's delay makes it longer.
      const client = new HubbubClient({
        url: server.wsUrl,
        token,
        backoff: { initialDelayMs: 50, maxDelayMs: 200 },
      });
      client.on('reconnecting', ({ delayMs }) => delays.push(delayMs));
      clients.push(client);
      return client;
    });
    await Promise.all(crowd.map((client) => client.ready()));
    expect(delays.length).toBeGreaterThanOrEqual(10);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(200);
  }, 30_000);
});
