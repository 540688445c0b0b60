import type { TargetName } from '../dialects.js';
import { bestUnder, type LoadPlan, ratesOr, runEach, stepped, tapsOr } from '../load.js';
import type { TargetRun } from '../results.js';

type Outcome = { runs: TargetRun[]; summary: string[] };

/**
 * crowd-10k: 10,000 viewers in one room at 5 messages per second, then 50 with 2,000
 * reaction taps a second, then 5 with every viewer tapping twice a second (20,000 taps/s):
 * the room must stay smooth (message p99) while the taps are added up into a few frames.
 */
export async function crowd10k(targets: TargetName[], quick: boolean): Promise<Outcome> {
  const plan: LoadPlan = {
    label: 'crowd-10k',
    clients: quick ? 200 : 10_000,
    rooms: () => ['crowd'],
    senders: 10,
    rates: ratesOr([5, 50, 5]),
    taps: tapsOr(quick ? [0, 40, 400] : [0, 2000, 20_000]),
    warmSeconds: 2,
    stepSeconds: Number(process.env.BENCH_STEP_SECONDS ?? (quick ? 2 : 8)),
    workers: 2,
    padding: 20,
  };
  const runs = await runEach(targets, plan);
  const summary = runs.map((run) => {
    const [slow, busy, tapping] = run.steps;
    const taps = (step: typeof busy) =>
      step?.taps === undefined
        ? ''
        : ` + ${step.taps.sent.toLocaleString('en-US')} taps/s (one viewer saw ${step.taps.seen.toLocaleString('en-US')}/s in ${step.taps.frames} frames/s)`;
    return (
      `${run.target}: at 5 msg/s p99 ${slow?.p99} ms (p50 ${slow?.p50}); at 50 msg/s${taps(busy)} p99 ${busy?.p99} ms ` +
      `(p50 ${busy?.p50}), ${busy?.deliveries.toLocaleString('en-US')} deliveries/s; at 5 msg/s${taps(tapping)} ` +
      `p99 ${tapping?.p99} ms (p50 ${tapping?.p50}); lost ${run.lost} of ${run.expected.toLocaleString('en-US')}`
    );
  });
  return { runs, summary };
}

/** rooms-10k: 10,000 clients in 1,000 rooms of ten, one sender per room, load stepped up. */
export async function rooms10k(targets: TargetName[], quick: boolean): Promise<Outcome> {
  const rooms = quick ? 20 : 1000;
  const plan: LoadPlan = {
    label: 'rooms-10k',
    clients: rooms * 10,
    // Clients 0..rooms-1 are the senders, one in each room.
    rooms: (i) => [`room${i % rooms}`],
    senders: rooms,
    rates: ratesOr(quick ? [100, 500] : [500, 1000, 2000, 5000, 10_000, 20_000, 40_000]),
    ...stepped(quick),
  };
  const runs = await runEach(targets, plan);
  const summary = runs.map((run) => {
    const top = bestUnder(run, 100);
    return (
      `${run.target}: ${top?.deliveries.toLocaleString('en-US') ?? 'none'} deliveries/s ` +
      `(${top?.offered ?? '-'} msg/s) at p99 <= 100 ms; lost ${run.lost} of ${run.expected.toLocaleString('en-US')}`
    );
  });
  return { runs, summary };
}
