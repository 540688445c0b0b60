import type { TargetName } from '../dialects.js';
import { LoadGenerator, sleep, startTarget } from '../harness.js';
import type { ClientPlan } from '../ipc.js';
import type { TargetRun } from '../results.js';
import { guestTokens } from '../tokens.js';

interface StormPlan {
  clients: number;
  rooms: number;
  senders: number;
  /** Messages per second before the restart and from the moment the server is back. */
  rate: number;
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0
    ? 0
    : sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;

/**
 * One target through a restart: clients chat, the server is stopped (SIGTERM) and started
 * again on the same port, every client reconnects at once and takes up its rooms again
 * (Hubbub: resumes from the last seq it saw) while the senders that are back already chat.
 * Every message sent is owed to every member of its room, so messages a member missed while
 * reconnecting count as lost unless its resume brought them.
 */
async function stormOne(target: TargetName, plan: StormPlan): Promise<TargetRun> {
  const server = await startTarget(target);
  const generator = await LoadGenerator.start(2);
  try {
    const tokens = target === 'hubbub' ? await guestTokens(plan.clients) : [];
    const plans: ClientPlan[] = Array.from({ length: plan.clients }, (_, i) => ({
      ...(target === 'hubbub' ? { token: tokens[i] } : {}),
      rooms: [`storm${i % plan.rooms}`],
      sender: i < plan.senders,
    }));
    const members = (room: string) => plans.filter((p) => p.rooms[0] === room).length;
    await generator.connect(server, plans, {
      padding: 'x'.repeat(20),
      parallel: 50,
      localAddresses: Math.ceil(plan.clients / 20_000) + 1,
      resumable: true,
    });
    generator.rate(plan.rate);
    await sleep(3000);
    generator.rate(0);
    await sleep(1000);
    const restartSeconds = await server.restart();
    const started = performance.now();
    generator.rate(plan.rate);
    const reconnected = await generator.reconnect(server);
    const allBack = (performance.now() - started) / 1000;
    await sleep(3000);
    await generator.drain();
    const { expected, lost } = generator.lost(members);
    const times = reconnected.times.sort((a, b) => a - b);
    console.log(
      `  ${target}: restarted in ${restartSeconds.toFixed(1)} s; ${times.length} of ${plan.clients} back in ` +
        `${allBack.toFixed(2)} s (p50 ${Math.round(percentile(times, 50))} ms, p99 ${Math.round(percentile(times, 99))} ms)` +
        `${reconnected.failed > 0 ? `, ${reconnected.failed} failed (${reconnected.error})` : ''}; lost ${lost} of ${expected}`,
    );
    return {
      target,
      clients: times.length,
      kibPerConnection: 0,
      steps: [],
      expected,
      lost,
      figures: {
        'seconds to restart (SIGTERM until listening)': Math.round(restartSeconds * 10) / 10,
        'seconds until every client was back': Math.round(allBack * 100) / 100,
        'ms until a client was back, p50': Math.round(percentile(times, 50)),
        'ms until a client was back, p99': Math.round(percentile(times, 99)),
        'clients that did not come back': reconnected.failed,
      },
    };
  } finally {
    await generator.stop();
    await server.stop();
  }
}

/**
 * storm: every client reconnects at once after a restart of the server; how long until all
 * are back in their rooms, and what they missed meanwhile.
 */
export async function storm(
  targets: TargetName[],
  quick: boolean,
): Promise<{ runs: TargetRun[]; summary: string[] }> {
  const plan: StormPlan = quick
    ? { clients: 300, rooms: 10, senders: 10, rate: 50 }
    : { clients: Number(process.env.BENCH_CLIENTS ?? 10_000), rooms: 100, senders: 100, rate: 200 };
  const runs: TargetRun[] = [];
  for (const target of targets) runs.push(await stormOne(target, plan));
  const summary = runs.map(
    (run) =>
      `${run.target}: ${run.clients.toLocaleString('en-US')} of ${plan.clients.toLocaleString('en-US')} clients back, the last ${run.figures?.['seconds until every client was back']} s after the restart ` +
      `(p50 ${run.figures?.['ms until a client was back, p50']} ms, p99 ${run.figures?.['ms until a client was back, p99']} ms); ` +
      `lost ${run.lost.toLocaleString('en-US')} of ${run.expected.toLocaleString('en-US')} deliveries`,
  );
  return { runs, summary };
}
