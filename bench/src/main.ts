import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { option, positional } from './args.js';
import type { TargetName } from './dialects.js';
import { ROOT } from './harness.js';
import { writeReport } from './report.js';
import type { ScenarioResult, TargetRun } from './results.js';
import { cluster3 } from './scenarios/cluster.js';
import { crowd10k, rooms10k } from './scenarios/crowds.js';
import { fanout1k } from './scenarios/fanout.js';
import { fuzzScenario } from './scenarios/fuzz.js';
import { idle } from './scenarios/idle.js';
import { ingest } from './scenarios/ingest.js';
import { soak } from './scenarios/soak.js';
import { storm } from './scenarios/storm.js';

/**
 * `npm run bench -- <scenario> [--targets=hubbub,socketio,ws,ws-turn] [--quick] [--out=f.json]`: runs a
 * scenario against Hubbub and its peers in one invocation, prints each step and the ratios,
 * saves bench/results/<scenario>.json and rewrites docs/benchmarks.md from every result.
 * `fuzz` is not a load test: it runs the protocol fuzzing properties for `--minutes N`.
 * A scenario may read options of its own from `args` (soak: `--minutes 60 --engine postgres`).
 */
type Scenario = (
  targets: TargetName[],
  quick: boolean,
  /** The command line after `--`, for a scenario's own options. */
  args: readonly string[],
) => Promise<{ runs: TargetRun[]; summary: string[] }>;

const scenarios: Record<string, { run: Scenario; targets: TargetName[] }> = {
  'fanout-1k': { run: fanout1k, targets: ['socketio', 'ws', 'ws-turn', 'hubbub'] },
  'crowd-10k': { run: crowd10k, targets: ['socketio', 'ws-turn', 'hubbub'] },
  'rooms-10k': { run: rooms10k, targets: ['socketio', 'ws-turn', 'hubbub'] },
  idle: { run: idle, targets: ['socketio', 'ws', 'hubbub'] },
  ingest: { run: ingest, targets: ['hubbub'] },
  storm: { run: storm, targets: ['socketio', 'ws', 'hubbub'] },
  'cluster-3': { run: cluster3, targets: ['socketio', 'hubbub'] },
  fuzz: { run: fuzzScenario, targets: ['hubbub'] },
  soak: { run: soak, targets: ['hubbub'] },
};

function version(path: string): string {
  try {
    return (JSON.parse(readFileSync(join(ROOT, path), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const kernel = execFileSync('uname', ['-sr']).toString().trim();
  return `${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, ${kernel}`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const name = positional(args);
  const scenario = name === undefined ? undefined : scenarios[name];
  if (name === undefined || scenario === undefined) {
    console.error(
      `usage: npm run bench -- <${Object.keys(scenarios).join('|')}> [--targets=a,b] [--quick]\n` +
        '       npm run bench -- fuzz [--minutes N] [--mix=frames|chaos] [--seed=S --path=P]\n' +
        '       npm run bench -- soak [--minutes 60] [--engine sqlite|postgres] [--rate 20] [--clients 300]',
    );
    process.exit(2);
  }
  const quick = args.includes('--quick');
  const targets = (option(args, 'targets')?.split(',') ?? scenario.targets) as TargetName[];
  console.log(`${name}: ${targets.join(', ')}${quick ? ' (quick)' : ''} on ${machine()}`);
  const { runs, summary } = await scenario.run(targets, quick, args);
  console.log('');
  for (const line of summary) console.log(line);
  // A quick run is a smoke test (bench/test): its runs go where it is told, not into the docs.
  const out = option(args, 'out');
  if (out !== undefined) writeFileSync(out, JSON.stringify(runs));
  if (quick) return;
  const result: ScenarioResult = {
    scenario: name,
    date: new Date().toISOString(),
    command: `npm run bench -- ${args.join(' ')}`,
    machine: machine(),
    versions: {
      node: process.version,
      hubbub: version('package.json'),
      ws: version('node_modules/ws/package.json'),
      'socket.io': version('node_modules/socket.io/package.json'),
    },
    runs,
    summary,
  };
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(
    join(ROOT, 'bench/results', `${name}.json`),
    `${JSON.stringify(result, null, 2)}\n`,
  );
  writeReport();
  console.log(`saved bench/results/${name}.json and docs/benchmarks.md`);
}

await main();
