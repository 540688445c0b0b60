import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort, outage, useService } from './ports.js';

export interface TestPostgres {
  /** Base URL of the server; `database(name)` gives a URL for a fresh database. */
  url: string;
  /** Creates an empty database and returns its URL. */
  createDatabase(): Promise<string>;
  /**
   * Stops the server (fast shutdown: open connections are cut) and starts it again on the
   * same port and data; `whileDown` runs in between: an outage as long as it takes.
   */
  restart(whileDown?: () => Promise<void>): Promise<void>;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

function binDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

/**
 * Whether a PostgreSQL server can be started here. Suites that need one skip with this
 * reason, loudly; under CI=true they fail instead, because a missing service must not
 * pass as green.
 */
export function postgresAvailable(): { ok: true } | { ok: false; reason: string } {
  const bin = binDir();
  if (bin === undefined) {
    return {
      ok: false,
      reason:
        'PostgreSQL binaries not found under /usr/lib/postgresql/*/bin (apt-get install postgresql)',
    };
  }
  try {
    execFileSync('id', ['postgres'], { stdio: 'ignore' });
  } catch {
    return { ok: false, reason: 'no `postgres` system user to run the server as' };
  }
  return { ok: true };
}

/**
 * Starts a private PostgreSQL on 127.0.0.1 and a free port, in a temporary directory. The
 * machine runs tests as root and PostgreSQL refuses root, so it runs as `postgres`. Durability
 * settings are relaxed (fsync off): these tests check semantics, not the disk.
 */
export async function startPostgres(): Promise<TestPostgres> {
  const bin = binDir();
  if (bin === undefined) throw new Error('PostgreSQL binaries not found');
  const dir = mkdtempSync(join(tmpdir(), 'hubbub-pg-'));
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  chownSync(dir, uid, gid);
  const data = join(dir, 'data');
  // Run as `postgres` directly (not through runuser), so signals reach the server itself.
  const asPostgres = { uid, gid, env: { ...process.env, HOME: dir, LC_ALL: 'C' } };
  execFileSync(
    join(bin, 'initdb'),
    ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8'],
    {
      ...asPostgres,
      stdio: 'ignore',
    },
  );
  const port = await freePort();
  let server: ChildProcess;
  let exited: Promise<unknown>;
  const launch = async () => {
    server = spawn(
      join(bin, 'postgres'),
      [
        '-D',
        data,
        '-p',
        String(port),
        '-h',
        '127.0.0.1',
        '-k',
        dir,
        '-F',
        '-c',
        'max_connections=200',
      ],
      { ...asPostgres, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let log = '';
    server.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
    });
    exited = once(server, 'exit');
    const deadline = Date.now() + 20_000;
    for (;;) {
      const client = new pg.Client({ connectionString: `${url}/postgres` });
      try {
        await client.connect();
        await client.end();
        return;
      } catch {
        await client.end().catch(() => {});
        if (server.exitCode !== null || Date.now() > deadline) {
          server.kill('SIGKILL');
          throw new Error(`PostgreSQL did not start:\n${log}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };
  // SIGINT is PostgreSQL's "fast shutdown": roll back open transactions, exit.
  const halt = async () => {
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGINT');
    await exited;
  };
  const url = `postgres://postgres@127.0.0.1:${port}`;
  try {
    await launch();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  let databases = 0;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await halt();
    rmSync(dir, { recursive: true, force: true });
  };
  return {
    url,
    async createDatabase() {
      const name = `hubbub_${process.pid}_${++databases}`;
      const admin = new pg.Client({ connectionString: `${url}/postgres` });
      await admin.connect();
      try {
        await admin.query(`create database ${name}`);
      } finally {
        await admin.end();
      }
      return `${url}/${name}`;
    },
    restart: (whileDown) => outage(halt, launch, whileDown),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/**
 * For a test file that needs PostgreSQL: whether it can run here (loud skip, or failure
 * under CI=true), and a getter for one server started before the file's tests and stopped
 * after them. Call at the top level of the file.
 */
export function usePostgres(): { enabled: boolean; server(): TestPostgres } {
  return useService('PostgreSQL', postgresAvailable(), startPostgres);
}

/**
 * The storage engines a server test runs on: SQLite always, and PostgreSQL where
 * `usePostgres` can run it; each gives the env for a server with a fresh database. For
 * `describe.each(engines(postgres))`.
 */
export function engines(postgres: {
  enabled: boolean;
  server(): TestPostgres;
}): Array<{ engine: string; env: () => Promise<Record<string, string>> }> {
  return [
    { engine: 'SQLite', env: async () => ({}) },
    ...(postgres.enabled
      ? [
          {
            engine: 'PostgreSQL',
            env: async () => ({ DATABASE_URL: await postgres.server().createDatabase() }),
          },
        ]
      : []),
  ];
}
