import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './harness.js';
import type { ScenarioResult, TargetRun } from './results.js';

const COLORS: Record<string, string> = {
  hubbub: '#d6336c',
  socketio: '#1c7ed6',
  ws: '#2f9e44',
  'ws-turn': '#f59f00',
};

const label = (run: TargetRun) =>
  run.note === undefined ? run.target : `${run.target} (${run.note})`;
/** The target's colour; a second run of the same target (another engine) gets a lighter one. */
const colorOf = (run: TargetRun, i: number, runs: TargetRun[]) =>
  runs.findIndex((r) => r.target === run.target) === i
    ? (COLORS[run.target] ?? '#495057')
    : '#f783ac';

/**
 * Latency (p99, log scale) against deliveries per second (log scale), one line per target:
 * how far each one goes before its latency turns up.
 */
export function chart(result: ScenarioResult): string {
  const width = 720;
  const height = 380;
  const pad = { left: 64, right: 170, top: 28, bottom: 48 };
  const points = result.runs.flatMap((run) => run.steps);
  if (points.length === 0) return '';
  const xs = points.map((s) => Math.max(1, s.deliveries));
  const ys = points.map((s) => Math.max(0.1, s.p99));
  const [x0, x1] = [Math.log10(Math.min(...xs)), Math.log10(Math.max(...xs)) + 0.05];
  const [y0, y1] = [Math.log10(Math.min(...ys, 0.5)), Math.log10(Math.max(...ys, 200))];
  const sx = (x: number) =>
    pad.left +
    ((Math.log10(Math.max(1, x)) - x0) / (x1 - x0 || 1)) * (width - pad.left - pad.right);
  const sy = (y: number) =>
    height -
    pad.bottom -
    ((Math.log10(Math.max(0.1, y)) - y0) / (y1 - y0 || 1)) * (height - pad.top - pad.bottom);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12" role="img" aria-labelledby="title">`,
    `<title id="title">${result.scenario}: p99 latency against deliveries per second for ${result.runs.map(label).join(', ')}</title>`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${pad.left}" y="18" font-size="14">${result.scenario}: p99 delivery latency against deliveries per second</text>`,
  ];
  for (let e = Math.ceil(x0); e <= Math.floor(x1); e++) {
    const x = sx(10 ** e);
    parts.push(
      `<line x1="${x}" x2="${x}" y1="${pad.top}" y2="${height - pad.bottom}" stroke="#e9ecef"/>`,
      `<text x="${x}" y="${height - pad.bottom + 16}" text-anchor="middle">${(10 ** e).toLocaleString('en-US')}</text>`,
    );
  }
  for (let e = Math.ceil(y0); e <= Math.floor(y1); e++) {
    const y = sy(10 ** e);
    parts.push(
      `<line x1="${pad.left}" x2="${width - pad.right}" y1="${y}" y2="${y}" stroke="#e9ecef"/>`,
      `<text x="${pad.left - 6}" y="${y + 4}" text-anchor="end">${10 ** e} ms</text>`,
    );
  }
  const budget = sy(100);
  parts.push(
    `<line x1="${pad.left}" x2="${width - pad.right}" y1="${budget}" y2="${budget}" stroke="#868e96" stroke-dasharray="4 4"/>`,
    `<text x="${width - pad.right - 4}" y="${budget - 4}" text-anchor="end" fill="#868e96">p99 budget 100 ms</text>`,
    `<text x="${(pad.left + width - pad.right) / 2}" y="${height - 10}" text-anchor="middle">deliveries per second (log)</text>`,
  );
  result.runs.forEach((run, i) => {
    const color = colorOf(run, i, result.runs);
    const path = run.steps
      .map((s) => `${sx(s.deliveries).toFixed(1)},${sy(s.p99).toFixed(1)}`)
      .join(' ');
    parts.push(`<polyline points="${path}" fill="none" stroke="${color}" stroke-width="2"/>`);
    for (const s of run.steps)
      parts.push(
        `<circle cx="${sx(s.deliveries).toFixed(1)}" cy="${sy(s.p99).toFixed(1)}" r="3" fill="${color}"/>`,
      );
    const ly = pad.top + 10 + i * 18;
    parts.push(
      `<line x1="${width - pad.right + 12}" x2="${width - pad.right + 32}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="3"/>`,
      `<text x="${width - pad.right + 38}" y="${ly + 4}">${label(run)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

function stepsTable(run: TargetRun): string[] {
  const acked = run.steps.some((s) => s.acks !== undefined);
  const ackHead = acked ? ' acks/s | ack p50 ms | ack p99 ms |' : '';
  const ackRule = acked ? '---:|---:|---:|' : '';
  const ackCells = (s: TargetRun['steps'][number]) =>
    acked ? ` ${s.acks ?? '-'} | ${s.ackP50 ?? '-'} | ${s.ackP99 ?? '-'} |` : '';
  const tapped = run.steps.some((s) => s.taps !== undefined);
  const tapHead = tapped ? ' taps/s sent | taps/s seen | cheers frames/s |' : '';
  const tapRule = tapped ? '---:|---:|---:|' : '';
  const tapCells = (s: TargetRun['steps'][number]) =>
    tapped
      ? ` ${s.taps?.sent.toLocaleString('en-US') ?? '-'} | ${s.taps?.seen.toLocaleString('en-US') ?? '-'} | ${s.taps?.frames ?? '-'} |`
      : '';
  // A run without clients (fuzz) has no load to describe: its figures say it all.
  const lines = [
    run.clients === 0
      ? `**${label(run)}**`
      : `**${label(run)}**: ${run.clients.toLocaleString('en-US')} clients, ${run.kibPerConnection} KiB per connection, lost ${run.lost} of ${run.expected.toLocaleString('en-US')} owed deliveries`,
  ];
  // Scenarios without load steps (idle, storm) report figures only.
  if (run.steps.length > 0)
    lines.push(
      '',
      `| offered msg/s | sent msg/s | deliveries/s | p50 ms | p95 ms | p99 ms | max ms |${ackHead}${tapHead} server CPU | RSS MiB | dup | closed |`,
      `|---:|---:|---:|---:|---:|---:|---:|${ackRule}${tapRule}---:|---:|---:|---:|`,
    );
  for (const s of run.steps)
    lines.push(
      `| ${s.offered} | ${s.sent} | ${s.deliveries.toLocaleString('en-US')} | ${s.p50} | ${s.p95} | ${s.p99} | ${s.max} |${ackCells(s)}${tapCells(s)} ${s.cpu} | ${s.rssMiB} | ${s.duplicates} | ${s.closed} |`,
    );
  if (run.figures !== undefined)
    lines.push(
      '',
      ...Object.entries(run.figures).map(([k, v]) => `- ${k}: ${v.toLocaleString('en-US')}`),
    );
  return [...lines, ''];
}

const clock = (seconds: number) =>
  `${Math.floor(seconds / 60)}:${String(Math.round(seconds % 60)).padStart(2, '0')}`;

/**
 * A Mermaid `xychart-beta` (GitHub renders Mermaid in Markdown, no service or image file
 * needed): bars for one series and a line for the other, since the chart draws no legend.
 * A missing value (a scrape that failed) repeats the one before it.
 */
function xychart(
  title: string,
  unit: string,
  labels: string[],
  bars: Array<number | null>,
  line: Array<number | null>,
): string[] {
  const fill = (values: Array<number | null>) => {
    let last = 0;
    return values.map((v) => {
      last = v ?? last;
      return last;
    });
  };
  const [b, l] = [fill(bars), fill(line)];
  const top = Math.max(1, ...b, ...l);
  // A round top with some headroom, so the lines are not pressed against the frame.
  const step = 10 ** Math.floor(Math.log10(top));
  const max = Math.ceil((top * 1.1) / step) * step;
  return [
    '```mermaid',
    'xychart-beta',
    `  title "${title}"`,
    `  x-axis "minutes:seconds" [${labels.map((x) => `"${x}"`).join(', ')}]`,
    `  y-axis "${unit}" 0 --> ${max}`,
    `  bar [${b.join(', ')}]`,
    `  line [${l.join(', ')}]`,
    '```',
  ];
}

/** A soak run: its charts over time, its table (a row per sample or per minute), figures. */
function soakSection(run: TargetRun): string[] {
  const soak = run.soak;
  if (soak === undefined) return [];
  const rows = soak.rows;
  const labels = rows.map((r) => clock(r.at));
  const cell = (v: number | null) => (v === null ? '-' : v.toLocaleString('en-US'));
  return [
    `**${label(run)}**: ${soak.people} people (${soak.accounts} accounts) in ${soak.rooms} rooms for ` +
      `${Math.round(soak.seconds / 6) / 10} min, sampled every ${soak.sampleSeconds} s; ` +
      `one row per ${soak.rowSeconds === 60 ? 'minute' : `${soak.rowSeconds} s`}`,
    '',
    ...xychart(
      `Server memory (MiB): bars RSS, line V8 heap used`,
      'MiB',
      labels,
      rows.map((r) => r.rssMiB),
      rows.map((r) => r.heapMiB),
    ),
    '',
    ...xychart(
      'p99 latency (ms): bars send to ack, line send to delivery',
      'ms',
      labels,
      rows.map((r) => r.ackP99),
      rows.map((r) => r.deliveryP99),
    ),
    '',
    ...xychart(
      'Server event-loop delay (ms): bars longest, line p99',
      'ms',
      labels,
      rows.map((r) => r.lagMaxMs),
      rows.map((r) => r.lagP99Ms),
    ),
    '',
    '| time | people up | msgs/s sent (acked) | deliveries/s | reactions/s | typing/s | joins+leaves, reconnects, uploads | ack p50 / p99 ms | delivery p50 / p99 ms | RSS MiB | heap MiB | loop delay p99 / max ms | server CPU (waiting for a core, ms/s) | generator RSS MiB | errors, dup, drops, missing |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${clock(r.at)} | ${r.up} | ${r.sent} (${r.acked}) | ${r.deliveries.toLocaleString('en-US')} | ` +
        `${r.reactions} | ${r.typing} | ${r.joinsLeaves}, ${r.reconnects}, ${r.uploads} | ` +
        `${r.ackP50} / ${r.ackP99} | ${r.deliveryP50} / ${r.deliveryP99} | ${cell(r.rssMiB)} | ` +
        `${cell(r.heapMiB)} | ${cell(r.lagP99Ms)} / ${cell(r.lagMaxMs)} | ${r.cpu} (${r.cpuWaitMs}) | ${r.generatorMiB} | ` +
        `${r.errors}, ${r.duplicates}, ${r.drops}, ${r.missing} |`,
    ),
    '',
    ...Object.entries(run.figures ?? {}).map(([k, v]) => `- ${k}: ${v.toLocaleString('en-US')}`),
    '',
  ];
}

/** Rewrites docs/benchmarks.md (and its charts) from every saved result. */
export function writeReport(): void {
  const dir = join(ROOT, 'bench/results');
  const results = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as ScenarioResult)
    : [];
  mkdirSync(join(ROOT, 'docs/benchmarks'), { recursive: true });
  const analysis = join(ROOT, 'bench/analysis.md');
  const lines = [
    '# Benchmarks',
    '',
    'Written by `npm run bench -- <scenario>` (bench/src/report.ts) from bench/results/*.json;',
    'the analysis section is bench/analysis.md. Timings are never asserted by tests.',
    '',
    '## Method',
    '',
    '- The server under test runs alone in its process, pinned to core 0 (`taskset`); the load',
    '  generator runs in worker processes pinned to core 1, on loopback, from several source',
    '  addresses (127.0.0.x). Every run is bounded in clients, steps and seconds.',
    '- Each message carries a marker `~worker.sender.n.µs~`: receivers count each stream to find',
    '  losses and duplicates, and time the messages their own process sent (one clock).',
    '  The generator reads whole TCP chunks and scans text payloads for markers without',
    '  decoding frames into objects, so that it is not the limit it measures.',
    '- Peers serve the same workload: Socket.IO 4 (`io.to(room).emit`), raw `ws` writing each',
    '  message to every member at once (`ws`), and raw `ws` flushing once per event-loop turn',
    '  (`ws-turn`). Hubbub runs as `npm start` would (SQLite, auth, validation, rate limits',
    '  sized for the workload, persistence before broadcast).',
    '- Loss = deliveries owed (each message sent to a room and not refused with an error',
    '  frame, once per member) minus distinct deliveries seen once nothing more arrives (at',
    '  most 30 s after the last send). Server CPU is its own process (1.0 = one core).',
    "- Knobs: `BENCH_RATES=100,200` replaces a stepped scenario's rates (`BENCH_TAPS=0,2000`",
    "  its reaction taps/s, `BENCH_STEP_SECONDS=30` crowd-10k's step length); `BENCH_ENGINES=postgres`",
    '  runs ingest on one engine; `BENCH_CLIENTS=3000` sizes the storm; `BENCH_PROFILE=1` writes',
    "  the server's V8 CPU profiles to bench/profiles/ (`bench/src/profile-summary.ts` tables one).",
    '- `fuzz` is no load test: it runs the protocol fuzzing properties of',
    '  apps/server/test/protocol-fuzz.test.ts for `--minutes N` (default 10) against a node in',
    '  its own process (unpinned), in rounds alternating the `frames` and `chaos` mixes, each',
    '  with its seed; `--mix=` keeps to one, `--seed= --path=` replays a failure. It reports',
    '  runs, frames and failures (docs/operations.md, Security, lists the invariants).',
    '- soak: `--minutes 60` (`BENCH_MINUTES`), `--rate 20` messages/s with the rest of the mix in',
    '  proportion (`BENCH_RATE`), `--clients 300` (`BENCH_CLIENTS`), `--engine sqlite|postgres`',
    '  (`BENCH_ENGINE`), `BENCH_SAMPLE_SECONDS=10`, `BENCH_ACCOUNTS=20`, `BENCH_ROOMS=8`,',
    "  `BENCH_TOKEN_TTL=300` (the accounts' access tokens, refreshed at half life). Server memory",
    '  and event-loop delay come from its `/metrics` (prom-client: `process_resident_memory_bytes`,',
    '  `nodejs_heap_size_used_bytes`, `nodejs_eventloop_lag_p99_seconds` less its 10 ms sampling',
    '  interval); loss and duplicates are counted per person by (room, seq).',
    '',
  ];
  if (existsSync(analysis)) lines.push(readFileSync(analysis, 'utf8').trim(), '');
  for (const result of results) {
    const svg = chart(result);
    if (svg !== '') writeFileSync(join(ROOT, 'docs/benchmarks', `${result.scenario}.svg`), svg);
    lines.push(
      `## ${result.scenario}`,
      '',
      `- Date: ${result.date}`,
      `- Machine: ${result.machine}`,
      `- Versions: ${Object.entries(result.versions)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
      `- Command: \`${result.command}\``,
      '',
      ...result.summary.map((s) => `- ${s}`),
      '',
      ...(svg === '' ? [] : [`![${result.scenario}](benchmarks/${result.scenario}.svg)`, '']),
      ...result.runs.flatMap((run) =>
        run.soak === undefined ? stepsTable(run) : soakSection(run),
      ),
    );
  }
  writeFileSync(join(ROOT, 'docs/benchmarks.md'), `${lines.join('\n').trimEnd()}\n`);
}
