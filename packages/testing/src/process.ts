import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export interface ServerProcess {
  port: number;
  httpUrl: string;
  wsUrl: string;
  child: ChildProcess;
  /** Lines the process logged, for diagnosing a failed test. */
  log: string[];
  /** Resolves with the exit code (or signal) once the process is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** `kill -9`: no shutdown code runs, exactly like a crash. */
  crash(): Promise<void>;
  /** SIGTERM and wait for the graceful exit. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Hubbub as a real operating-system process, started the way `npm start` starts it, so
 * tests can kill it mid-write and restart it on the same data.
 */
export async function spawnServer(env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/server/src/main.ts'], {
    cwd: repoRoot,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  createInterface({ input: child.stderr! }).on('line', (line) => log.push(line));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not start:\n${log.join('\n')}`)),
      20_000,
    );
    exited.then(() => reject(new Error(`server exited during start:\n${log.join('\n')}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      log.push(line);
      try {
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg === 'hubbub listening' && typeof entry.port === 'number') {
          clearTimeout(timer);
          resolve(entry.port);
        }
      } catch {
        // Not a JSON log line; kept in `log` all the same.
      }
    });
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    return exited;
  };
  return {
    port,
    httpUrl: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    child,
    log,
    exited,
    async crash() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    stop,
    async [Symbol.asyncDispose]() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

export interface Cluster extends AsyncDisposable {
  nodes: ServerProcess[];
}

/**
 * `count` Hubbub processes sharing `env` (DATABASE_URL, REDIS_URL, one TOKEN_SECRET...), each
 * with its own data directory. Started one after the other, so the first runs the
 * migrations; disposing kills them and removes the directories.
 */
export async function spawnCluster(count: number, env: Record<string, string>): Promise<Cluster> {
  const dirs: string[] = [];
  const nodes: ServerProcess[] = [];
  const dispose = async () => {
    await Promise.all(nodes.map((node) => node[Symbol.asyncDispose]()));
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < count; i++) {
      const dir = await mkdtemp(join(tmpdir(), 'hubbub-node-'));
      dirs.push(dir);
      // One process per node unless asked: these are the nodes of a cluster.
      nodes.push(await spawnServer({ WORKERS: '1', ...env, DATA_DIR: dir }));
    }
  } catch (error) {
    await dispose();
    throw error;
  }
  return { nodes, [Symbol.asyncDispose]: dispose };
}
