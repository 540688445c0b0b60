import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloseCode } from '@hubbub/protocol';
import {
  clusterEnv,
  RawClient,
  register,
  spawnServer,
  usePostgres,
  useRedis,
} from '@hubbub/testing';
import { expect, test } from 'vitest';

/** `WORKERS=N`: N processes on one port, meeting in Redis, replaced when they die. */
const postgres = usePostgres();
const redis = useRedis();

/** The pids of the workers that logged "hubbub listening", in order. */
function listening(log: readonly string[]): number[] {
  return log.flatMap((line) => {
    try {
      const entry = JSON.parse(line) as { msg?: string; pid?: number };
      return entry.msg === 'hubbub listening' && entry.pid !== undefined ? [entry.pid] : [];
    } catch {
      return [];
    }
  });
}

test.runIf(postgres.enabled && redis.enabled)(
  'two workers share the port and the rooms; a killed worker is replaced, a drain stops them all',
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hubbub-workers-'));
    try {
      const server = await spawnServer(
        await clusterEnv(postgres.server(), redis.server(), { WORKERS: '2', DATA_DIR: dir }),
      );
      await using _server = server;
      await expect.poll(() => listening(server.log).length, { timeout: 20_000 }).toBe(2);
      const [first, second] = listening(server.log);
      expect(first).not.toBe(second);
      expect(first).not.toBe(server.child.pid);

      // Connections alternate between the workers; a message reaches the members on both.
      const people = [];
      for (let i = 0; i < 4; i++) people.push(await register(server, `person${i}`));
      const clients: RawClient[] = [];
      for (const person of people) {
        const client = await RawClient.ready(server.wsUrl, person.token);
        client.send({ type: 'join', room: 'general' });
        await client.next((f) => f.type === 'joined');
        clients.push(client);
      }
      clients[0]?.send({ type: 'send', room: 'general', cid: 'hi', content: 'hello all' });
      for (const client of clients)
        await expect.poll(() => client.messagesIn('general').length).toBe(1);

      // A worker dies: its clients (and only they) lose their sockets; a new worker starts.
      process.kill(second ?? 0, 'SIGKILL');
      const closed = await Promise.all(
        clients.map((client) =>
          Promise.race([
            client.closed.then(() => true),
            new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2000)),
          ]),
        ),
      );
      // Round robin: two each, give or take where the HTTP requests' connections landed.
      const lost = closed.filter(Boolean).length;
      expect(lost).toBeGreaterThan(0);
      expect(lost).toBeLessThan(clients.length);
      await expect.poll(() => listening(server.log).length, { timeout: 20_000 }).toBe(3);
      const survivor = clients[closed.indexOf(false)];
      survivor?.send({ type: 'send', room: 'general', cid: 'still', content: 'still here' });
      await survivor?.next((f) => f.type === 'ack' && f.cid === 'still');
      const back = await RawClient.ready(server.wsUrl, people[closed.indexOf(true)]?.token ?? '');
      back.send({ type: 'resume', room: 'general', since: 1 });
      const joined = await back.next((f) => f.type === 'joined');
      expect(joined.type === 'joined' && joined.messages.map((m) => m.content)).toEqual([
        'still here',
      ]);

      // SIGTERM drains every worker: sockets get the shutdown code, the primary exits 0.
      const stopped = server.stop();
      expect((await back.closed).code).toBe(CloseCode.serverShutdown);
      expect(await stopped).toEqual({ code: 0, signal: null });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
  90_000,
);
