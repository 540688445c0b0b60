import { readdirSync, readFileSync } from 'node:fs';
import { startPostgres, startRedis } from '@hubbub/testing';
import type { TargetName } from '../dialects.js';
import { LoadGenerator, rssBytes, sleep, startTarget } from '../harness.js';
import type { ClientPlan } from '../ipc.js';
import type { TargetRun } from '../results.js';
import { guestTokens } from '../tokens.js';

/** A process and its descendants (cluster workers), from /proc. */
function tree(pid: number): number[] {
  const children: number[] = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const listed = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      for (const child of listed.split(' ').filter(Boolean)) children.push(...tree(Number(child)));
    }
  } catch {
    // Gone: counts nothing.
  }
  return [pid, ...children];
}

function isNode(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'node';
  } catch {
    return false;
  }
}

const treeRss = (pid: number) => tree(pid).reduce((sum, p) => sum + safeRss(p), 0);
function safeRss(pid: number): number {
  try {
    return rssBytes(pid);
  } catch {
    return 0;
  }
}

/** Runs a full collection in each of a server's processes (see collect-on-signal.ts). */
function collect(pid: number): void {
  for (const p of tree(pid)) {
    try {
      process.kill(p, 'SIGWINCH');
    } catch {
      // Gone: weighs nothing.
    }
  }
}

/**
 * The resident memory of a server's processes once it has settled: what its connections
 * keep, not the garbage and heap slack of making them. After a burst of connections V8's
 * young generation stays grown (~30 MiB) until its memory reducer, seconds into a quiet
 * spell, gives it back (here 20–40 s after the burst); read any earlier and that slack is
 * charged to the connections, differently each run. So: readings 5 s apart, each after a
 * full collection, for at least 45 s and until three agree within 1 MiB (at most 2 min).
 */
async function settledRss(pid: number): Promise<number> {
  const readings: number[] = [];
  const started = performance.now();
  for (;;) {
    collect(pid);
    await sleep(1000);
    readings.push(treeRss(pid));
    const last = readings.slice(-3);
    const elapsed = performance.now() - started;
    const agree = last.length === 3 && Math.max(...last) - Math.min(...last) <= 1048576;
    if ((agree && elapsed >= 45_000) || elapsed >= 120_000) return last.at(-1) ?? 0;
    await sleep(4000);
  }
}

/** Opens `count` idle clients (authenticated, in one room) and weighs them. */
async function weigh(
  target: TargetName,
  count: number,
  env: Record<string, string>,
  workers: number,
): Promise<TargetRun> {
  const server = await startTarget(target, { env });
  const generator = await LoadGenerator.start(workers);
  try {
    const idle = await settledRss(server.pid);
    const tokens = target === 'hubbub' ? await guestTokens(count) : [];
    const plans: ClientPlan[] = Array.from({ length: count }, (_, i) => ({
      ...(target === 'hubbub' ? { token: tokens[i] } : {}),
      rooms: ['lobby'],
      sender: false,
    }));
    const started = performance.now();
    const connected = await generator.connect(server, plans, {
      padding: '',
      parallel: 100,
      localAddresses: Math.ceil(count / 20_000) + 1,
      // Across worker processes the machine is the limit: count what fits.
      tolerant: workers > 1,
    });
    const seconds = (performance.now() - started) / 1000;
    const loaded = await settledRss(server.pid);
    // Node processes (the primary and its workers); tsx's esbuild helper may come and go.
    const processes = tree(server.pid).filter(isNode).length;
    console.log(
      `  ${target}${processes > 1 ? ` ×${processes} processes` : ''}: ${connected} idle clients in ${seconds.toFixed(1)} s, ` +
        `${((loaded - idle) / 1024 / connected).toFixed(1)} KiB each (RSS ${Math.round(idle / 1048576)} → ${Math.round(loaded / 1048576)} MiB)`,
    );
    return {
      target,
      clients: connected,
      kibPerConnection: Math.round(((loaded - idle) / 1024 / connected) * 10) / 10,
      steps: [],
      expected: 0,
      lost: 0,
      figures: {
        processes,
        'clients that failed to connect': count - connected,
        'seconds to connect': Math.round(seconds * 10) / 10,
        'RSS idle (MiB)': Math.round(idle / 1048576),
        'RSS with clients (MiB)': Math.round(loaded / 1048576),
      },
      note: processes > 1 ? `${processes} processes` : undefined,
    };
  } finally {
    await generator.stop();
    await server.stop();
  }
}

/**
 * idle: memory per idle connection (authenticated and in a room) for each target in one
 * process; then, for Hubbub, 100,000 across worker processes on this machine (WORKERS over
 * Redis and PostgreSQL started for the run), past one process's descriptor limit.
 */
export async function idle(
  targets: TargetName[],
  quick: boolean,
): Promise<{ runs: TargetRun[]; summary: string[] }> {
  const perProcess = quick ? 500 : 15_000;
  const runs: TargetRun[] = [];
  for (const target of targets) runs.push(await weigh(target, perProcess, {}, 1));
  if (targets.includes('hubbub') && process.env.BENCH_IDLE_CLUSTER !== '0') {
    const total = quick ? 2000 : 100_000;
    const workers = quick ? 2 : 6;
    await using postgres = await startPostgres();
    await using redis = await startRedis();
    const env = {
      WORKERS: String(workers),
      REDIS_URL: redis.database(),
      DATABASE_URL: await postgres.createDatabase(),
    };
    runs.push(await weigh('hubbub', total, env, Math.ceil(total / 18_000)));
  }
  const summary = runs.map(
    (run) =>
      `${run.target}${run.note === undefined ? '' : ` (${run.note})`}: ${run.clients.toLocaleString('en-US')} idle connections, ${run.kibPerConnection} KiB each`,
  );
  return { runs, summary };
}
