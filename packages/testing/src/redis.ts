import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, outage, useService } from './ports.js';

export interface TestRedis {
  url: string;
  port: number;
  /** A fresh logical database's URL (0-15), so suites sharing a server do not see each other. */
  database(): string;
  /**
   * Restarts the server on the same port and data (AOF): a Redis restart or failover.
   * `whileDown` runs while it is stopped: an outage as long as it takes.
   */
  restart(whileDown?: () => Promise<void>): Promise<void>;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export function redisAvailable(): { ok: true } | { ok: false; reason: string } {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return { ok: true };
  } catch {
    return { ok: false, reason: 'redis-server not found (apt-get install redis-server)' };
  }
}

/**
 * Starts a private redis-server on 127.0.0.1 and a free port, in a temporary directory,
 * with the append-only file on (fsync every write), as Hubbub's docs ask of production.
 */
export async function startRedis(): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'hubbub-redis-'));
  const port = await freePort();
  let server: ChildProcess;
  let log = '';
  const launch = async () => {
    log = '';
    server = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--save',
        '',
        '--databases',
        '64',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    server.stdout?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
    });
    const deadline = Date.now() + 10_000;
    for (;;) {
      const client = new Redis({
        port,
        host: '127.0.0.1',
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      // Refused while the server starts: expected, and answered by trying again.
      client.on('error', () => {});
      try {
        await client.connect();
        await client.ping();
        client.disconnect();
        return;
      } catch {
        client.disconnect();
        if (server.exitCode !== null || Date.now() > deadline)
          throw new Error(`redis-server did not start:\n${log}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  };
  const halt = async () => {
    if (server.exitCode !== null || server.signalCode !== null) return;
    const exited = once(server, 'exit');
    server.kill('SIGTERM');
    await exited;
  };
  await launch();
  let databases = 0;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await halt();
    rmSync(dir, { recursive: true, force: true });
  };
  const url = `redis://127.0.0.1:${port}`;
  return {
    url,
    port,
    database() {
      databases = (databases % 63) + 1;
      return `${url}/${databases}`;
    },
    restart: (whileDown) => outage(halt, launch, whileDown),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/**
 * For a test file that needs Redis: whether it can run here (loud skip, or failure under
 * CI=true), and one server started before the file's tests and stopped after them.
 */
export function useRedis(): { enabled: boolean; server(): TestRedis } {
  return useService('Redis', redisAvailable(), startRedis);
}
