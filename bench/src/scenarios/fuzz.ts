import {
  type FuzzMix,
  type FuzzOutcome,
  type FuzzStats,
  FuzzWorld,
  fuzz,
  noFuzzStats,
  replayHint,
} from '@hubbub/testing/fuzz';
import type { TargetName } from '../dialects.js';
import type { TargetRun } from '../results.js';

/** `--name value` or `--name=value`. */
function option(args: readonly string[], name: string): string | undefined {
  const flag = `--${name}`;
  for (const [i, arg] of args.entries()) {
    if (arg.startsWith(`${flag}=`)) return arg.slice(flag.length + 1);
    if (arg === flag) return args[i + 1];
  }
  return undefined;
}

/** Stops after this many failing rounds: each is a finding to look at, not a count to grow. */
const MAX_FAILURES = 3;

function add(into: FuzzStats, from: FuzzStats): void {
  into.runs += from.runs;
  into.framesSent += from.framesSent;
  into.bytesSent += from.bytesSent;
  into.skipped += from.skipped;
  into.framesReceived += from.framesReceived;
  into.acks += from.acks;
  for (const [code, n] of Object.entries(from.errors))
    into.errors[code] = (into.errors[code] ?? 0) + n;
  for (const [code, n] of Object.entries(from.closes))
    into.closes[code] = (into.closes[code] ?? 0) + n;
  into.heap = from.heap;
}

const counts = (record: Record<string, number>) =>
  Object.entries(record)
    .sort(([, a], [, b]) => b - a)
    .map(([k, n]) => `${k} ×${n.toLocaleString('en-US')}`)
    .join(', ');

/**
 * fuzz: the protocol fuzzing properties of apps/server/test/protocol-fuzz.test.ts, for
 * `--minutes N` (default 10) instead of CI's minute, against a node in this process (the
 * embedded engine; not pinned: this measures nothing, it looks for failures). Rounds of a
 * few minutes alternate the `frames` and `chaos` mixes, each with a fresh seed (printed);
 * a failing round is reported with its seed and path and the next one gets a fresh node.
 * `--mix=frames|chaos` keeps to one mix; `--seed=S [--path=P]` replays a failure.
 */
export async function fuzzScenario(
  _targets: TargetName[],
  quick: boolean,
  args: readonly string[] = [],
): Promise<{ runs: TargetRun[]; summary: string[] }> {
  const minutes = Number(option(args, 'minutes') ?? (quick ? 0.5 : 10));
  if (!(minutes > 0 && minutes <= 24 * 60)) throw new Error('--minutes is between 0 and 1440');
  const mix = option(args, 'mix') as FuzzMix | undefined;
  if (mix !== undefined && mix !== 'frames' && mix !== 'chaos')
    throw new Error('--mix is frames or chaos');
  const seedText = option(args, 'seed');
  const seed = seedText === undefined ? undefined : Number(seedText);
  const path = option(args, 'path');

  const total = minutes * 60_000;
  const roundMs = Math.min(120_000, Math.max(15_000, total / 4));
  const started = performance.now();
  const stats = noFuzzStats('rss');
  const rounds: FuzzOutcome[] = [];
  const failures: string[] = [];
  let world = await FuzzWorld.open();
  try {
    for (let round = 0; failures.length < MAX_FAILURES; round++) {
      const left = total - (performance.now() - started);
      if (left < 5000) break;
      const roundMix = mix ?? (round % 2 === 0 ? 'frames' : 'chaos');
      const replaying = round === 0 && seed !== undefined;
      const outcome = await fuzz(world, {
        mix: roundMix,
        numRuns: 1_000_000,
        timeLimitMs: Math.min(roundMs, left),
        ...(replaying ? { seed, ...(path === undefined ? {} : { path }) } : {}),
      });
      rounds.push(outcome);
      console.log(
        `  round ${round + 1} (${roundMix}): ${outcome.runs} runs, seed ${outcome.seed}${outcome.failed ? ' FAILED' : ''}`,
      );
      if (outcome.failed) {
        failures.push(`${outcome.error?.split('\n')[0]} (${replayHint(outcome)})`);
        console.log(`${outcome.error}\n${replayHint(outcome)}\n\n${outcome.report}`);
        // The node may be left broken: the next round gets a fresh one.
        add(stats, world.stats);
        await world.close();
        world = await FuzzWorld.open();
      }
      if (replaying && path !== undefined) break;
    }
    try {
      await world.finalCheck();
    } catch (error) {
      failures.push(`final check: ${error instanceof Error ? error.message : String(error)}`);
      console.log(failures.at(-1));
    }
  } finally {
    add(stats, world.stats);
    await world.close();
  }
  if (failures.length > 0) process.exitCode = 1;

  const elapsed = (performance.now() - started) / 60_000;
  const heap = stats.heap;
  const summary = [
    `${stats.runs.toLocaleString('en-US')} runs in ${elapsed.toFixed(1)} min: ${stats.framesSent.toLocaleString('en-US')} frames sent (${(stats.bytesSent / 2 ** 20).toFixed(1)} MiB), ${stats.framesReceived.toLocaleString('en-US')} received, ${stats.acks.toLocaleString('en-US')} sends acknowledged`,
    `failures: ${failures.length === 0 ? 'none' : failures.join('; ')}`,
    `seeds: ${rounds.map((r) => `${r.seed} (${r.mix}, ${r.runs} runs)`).join(', ')}`,
    `errors answered: ${counts(stats.errors)}`,
    `sockets the node closed: ${counts(stats.closes)}`,
    `${heap.method}: ${heap.baselineMiB ?? '?'} MiB after the first runs, ${heap.lastMiB ?? '?'} MiB at the end`,
  ];
  return {
    runs: [
      {
        target: 'hubbub',
        // No load: the report shows figures only.
        clients: 0,
        kibPerConnection: 0,
        steps: [],
        lost: 0,
        expected: 0,
        figures: {
          minutes: Math.round(elapsed * 10) / 10,
          runs: stats.runs,
          'frames sent': stats.framesSent,
          'frames received': stats.framesReceived,
          'sends acknowledged': stats.acks,
          failures: failures.length,
        },
        note: 'fuzz',
      },
    ],
    summary,
  };
}
