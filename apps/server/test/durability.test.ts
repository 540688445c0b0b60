import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AckFrame, ChatMessage, TokenResponse } from '@hubbub/protocol';
import { RawClient, spawnServer, usePostgres } from '@hubbub/testing';
import { afterEach, describe, expect, test } from 'vitest';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function freshDataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hubbub-durable-'));
  dirs.push(dir);
  return dir;
}

async function guest(httpUrl: string, username: string): Promise<TokenResponse> {
  const response = await fetch(`${httpUrl}/api/auth/guest`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username }),
  });
  return (await response.json()) as TokenResponse;
}

async function history(httpUrl: string, token: string, room: string): Promise<ChatMessage[]> {
  const all: ChatMessage[] = [];
  for (let after = 0; ; ) {
    const response = await fetch(`${httpUrl}/api/rooms/${room}/messages?after=${after}&limit=200`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const page = (await response.json()) as { messages: ChatMessage[]; hasMore: boolean };
    all.push(...page.messages);
    if (!page.hasMore || page.messages.length === 0) return all;
    after = page.messages.at(-1)!.seq;
  }
}

// Guests join only rooms that exist: the ones these guests write to are open from the start.
const fast = {
  RATE_LIMIT_PER_SECOND: '100000',
  RATE_LIMIT_BURST: '100000',
  OPEN_ROOMS: 'crash,drain',
};

/** Each engine's environment for one durable deployment (same data on every restart). */
interface Engine {
  name: string;
  deployment(): Promise<(synchronous: string) => Record<string, string>>;
}

const postgres = usePostgres();

const engines: Engine[] = [
  {
    name: 'SQLite',
    async deployment() {
      const dataDir = await freshDataDir();
      return (synchronous) => ({ ...fast, DATA_DIR: dataDir, SQLITE_SYNCHRONOUS: synchronous });
    },
  },
  ...(postgres.enabled
    ? [
        {
          name: 'PostgreSQL',
          async deployment() {
            const dataDir = await freshDataDir();
            const url = await postgres.server().createDatabase();
            return () => ({ ...fast, DATA_DIR: dataDir, DATABASE_URL: url });
          },
        },
      ]
    : []),
];

describe.each(engines)('an acknowledged message is never lost ($name)', (engine) => {
  test('kill -9 mid-stream: every acked message is there after restart, with its seq', async () => {
    const env = await engine.deployment();
    const first = await spawnServer(env('FULL'));
    const alice = await guest(first.httpUrl, 'Alice');
    const client = await RawClient.ready(first.wsUrl, alice.token);
    client.send({ type: 'join', room: 'crash' });
    await client.next((f) => f.type === 'joined');
    // A bystander records every message it is shown: nothing may be shown that is then lost.
    const watcher = await RawClient.ready(first.wsUrl, (await guest(first.httpUrl, 'Bob')).token);
    watcher.send({ type: 'join', room: 'crash' });
    await watcher.next((f) => f.type === 'joined');

    // Keep sending until some acks are in, then kill the process with sends in flight.
    const acks: AckFrame[] = [];
    const collecting = (async () => {
      for (;;) {
        const frame = await client.next((f) => f.type === 'ack', 30_000).catch(() => undefined);
        if (frame === undefined) return;
        acks.push(frame as AckFrame);
      }
    })();
    for (let i = 0; i < 2000 && acks.length < 300; i++) {
      client.send({ type: 'send', room: 'crash', cid: `k${i}`, content: `message ${i}` });
      if (i % 50 === 49) await new Promise((resolve) => setImmediate(resolve));
    }
    await expect.poll(() => acks.length, { timeout: 20_000 }).toBeGreaterThan(50);
    await first.crash();
    await collecting;
    expect(first.log.join('\n')).not.toMatch(/hubbub stopped/);

    const second = await spawnServer(env('FULL'));
    await using _second = second;
    const stored = await history(second.httpUrl, alice.token, 'crash');
    const bySeq = new Map(stored.map((m) => [m.seq, m]));
    for (const ack of acks) expect(bySeq.get(ack.seq)?.id).toBe(ack.id);
    const shown = watcher.messagesIn('crash');
    expect(shown.length).toBeGreaterThan(0);
    for (const message of shown) expect(bySeq.get(message.seq)?.id).toBe(message.id);
    // The log is gapless and the seq continues where the durable log ended.
    expect(stored.map((m) => m.seq)).toEqual(stored.map((_, i) => i + 1));
    const again = await RawClient.ready(second.wsUrl, alice.token);
    again.send({ type: 'join', room: 'crash' });
    await again.next((f) => f.type === 'joined');
    again.send({ type: 'send', room: 'crash', cid: 'after', content: 'after the crash' });
    expect(await again.next((f) => f.type === 'ack')).toMatchObject({ seq: stored.length + 1 });
    again.socket.terminate();
  });

  test('SIGTERM drains: in-flight sends are acknowledged and stored, then the process exits 0', async () => {
    const env = await engine.deployment();
    const first = await spawnServer(env('NORMAL'));
    const alice = await guest(first.httpUrl, 'Alice');
    const client = await RawClient.ready(first.wsUrl, alice.token);
    client.send({ type: 'join', room: 'drain' });
    await client.next((f) => f.type === 'joined');
    for (let i = 0; i < 200; i++)
      client.send({ type: 'send', room: 'drain', cid: `t${i}`, content: `${i}` });
    await client.next((f) => f.type === 'ack');
    const exit = await first.stop();
    expect(exit.code).toBe(0);
    await client.closed;
    const acks = client.received.filter((f): f is AckFrame => f.type === 'ack');

    const second = await spawnServer(env('NORMAL'));
    await using _second = second;
    const stored = await history(second.httpUrl, alice.token, 'drain');
    expect(stored.length).toBeGreaterThanOrEqual(acks.length);
    const ids = new Set(stored.map((m) => m.id));
    for (const ack of acks) expect(ids.has(ack.id)).toBe(true);
  });
});
