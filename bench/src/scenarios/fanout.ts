import type { TargetName } from '../dialects.js';
import { bestUnder, type LoadPlan, ratesOr, runEach, stepped } from '../load.js';
import type { TargetRun } from '../results.js';

/**
 * fanout-1k: 1,000 clients in one room; the incoming rate steps up until p99 passes
 * 100 ms (or the generator cannot send what is asked). The figure is the most deliveries
 * per second held with p99 <= 100 ms; the 10 msg/s step is the light-load latency.
 */
export async function fanout1k(
  targets: TargetName[],
  quick: boolean,
): Promise<{ runs: TargetRun[]; summary: string[] }> {
  const plan: LoadPlan = {
    label: 'fanout-1k',
    clients: quick ? 50 : 1000,
    rooms: () => ['fanout'],
    senders: 10,
    rates: ratesOr(
      quick
        ? [10, 100]
        : [10, 25, 50, 75, 100, 150, 250, 500, 750, 1000, 1500, 2000, 3000, 4000, 6000],
    ),
    ...stepped(quick),
  };
  const runs = await runEach(targets, plan);
  const summary: string[] = [];
  const best = (name: TargetName) => runs.find((r) => r.target === name);
  for (const run of runs) {
    const top = bestUnder(run, 100);
    const light = run.steps[0];
    summary.push(
      `${run.target}: ${top?.deliveries.toLocaleString('en-US') ?? 'none'} deliveries/s at p99 <= 100 ms` +
        ` (offered ${top?.offered ?? '-'} msg/s); at 10 msg/s p50 ${light?.p50} ms, p99 ${light?.p99} ms;` +
        ` lost ${run.lost} of ${run.expected}`,
    );
  }
  const hubbub = best('hubbub');
  for (const peer of ['socketio', 'ws', 'ws-turn'] as const) {
    const other = best(peer);
    if (hubbub === undefined || other === undefined) continue;
    const a = bestUnder(hubbub, 100)?.deliveries ?? 0;
    const b = bestUnder(other, 100)?.deliveries ?? 0;
    const p50 = (hubbub.steps[0]?.p50 ?? 0) / Math.max(0.001, other.steps[0]?.p50 ?? 0);
    summary.push(
      `hubbub / ${peer}: ${(a / Math.max(1, b)).toFixed(2)}x deliveries/s at p99 <= 100 ms; light-load p50 ${p50.toFixed(2)}x`,
    );
  }
  return { runs, summary };
}
