import { startPostgres, startRedis } from '@hubbub/testing';
import type { TargetName } from '../dialects.js';
import { startTarget, type Target } from '../harness.js';
import { bestUnder, driveLoad, type LoadPlan, ratesOr, stepped } from '../load.js';
import type { TargetRun } from '../results.js';

const NODES = 3;

/**
 * cluster-3: three nodes over one Redis (Hubbub: and PostgreSQL), 1,000 clients dealt to
 * them in turn, all in one room, so every message crosses Redis to reach two thirds of its
 * audience; the rate steps up as in fanout-1k. Socket.IO runs with its Redis adapter. The
 * three nodes share the server core (the machine has two), so this measures what the
 * cluster costs, not how far it scales.
 */
export async function cluster3(
  targets: TargetName[],
  quick: boolean,
): Promise<{ runs: TargetRun[]; summary: string[] }> {
  const clustered = targets.filter((t) => t === 'hubbub' || t === 'socketio');
  const plan: LoadPlan = {
    label: 'cluster-3',
    clients: quick ? 60 : 1000,
    rooms: () => ['cluster'],
    senders: quick ? 6 : 12,
    rates: ratesOr(quick ? [10, 50] : [10, 25, 50, 100, 250, 500, 1000, 1500, 2000, 3000]),
    ...stepped(quick),
  };
  await using redis = await startRedis();
  await using postgres = await startPostgres();
  const runs: TargetRun[] = [];
  for (const target of clustered) {
    const env: Record<string, string> = { REDIS_URL: redis.database() };
    if (target === 'hubbub') env.DATABASE_URL = await postgres.createDatabase();
    const servers: Target[] = [];
    try {
      // One after another: the first node runs the migrations.
      for (let i = 0; i < NODES; i++) servers.push(await startTarget(target, { env }));
      const run = await driveLoad(target, servers, plan);
      runs.push({ ...run, note: `${NODES} nodes` });
    } finally {
      for (const server of servers) await server.stop();
    }
  }
  const summary = runs.map((run) => {
    const top = bestUnder(run, 100);
    const light = run.steps[0];
    return (
      `${run.target} (${NODES} nodes): ${top?.deliveries.toLocaleString('en-US') ?? 'none'} deliveries/s at p99 <= 100 ms ` +
      `(offered ${top?.offered ?? '-'} msg/s); at ${light?.offered} msg/s p50 ${light?.p50} ms, p99 ${light?.p99} ms; ` +
      `lost ${run.lost} of ${run.expected}`
    );
  });
  const [a, b] = ['hubbub', 'socketio'].map((t) => runs.find((r) => r.target === t));
  if (a !== undefined && b !== undefined) {
    const ratio =
      (bestUnder(a, 100)?.deliveries ?? 0) / Math.max(1, bestUnder(b, 100)?.deliveries ?? 0);
    summary.push(`hubbub / socketio: ${ratio.toFixed(2)}x deliveries/s at p99 <= 100 ms`);
  }
  return { runs, summary };
}
