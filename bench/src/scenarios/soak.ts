import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPostgres } from '@hubbub/testing';
import { decodeFromCompressedBase64, type Histogram } from 'hdr-histogram-js';
import { option } from '../args.js';
import type { TargetName } from '../dialects.js';
import {
  cpuSeconds,
  latencyHistogram,
  pinned,
  ROOT,
  rssBytes,
  sleep,
  startTarget,
  type Target,
} from '../harness.js';
import type { FromSoakWorker, SoakCounts, SoakMix, ToSoakWorker } from '../ipc.js';
import type { SoakReport, SoakRow, SoakVerdict, TargetRun } from '../results.js';
import { guestTokens } from '../tokens.js';

/** A run is judged flat when, over its second half, memory grows slower than this (MiB/h). */
const RSS_LIMIT_MIB_PER_HOUR = 10;
const HEAP_LIMIT_MIB_PER_HOUR = 5;
/** p99 drifts when the last quarter's median exceeds the first's by half, and by 5 ms. */
const P99_DRIFT_RATIO = 1.5;
const P99_DRIFT_FLOOR_MS = 5;
/** Shorter runs report their slopes but are not judged: a few minutes say nothing of an hour. */
const JUDGE_MINUTES = 30;
/** prom-client samples the event loop every 10 ms and records whole intervals. */
const LAG_RESOLUTION_MS = 10;

interface SoakOptions {
  minutes: number;
  sampleSeconds: number;
  people: number;
  accounts: number;
  rooms: number;
  mix: SoakMix;
  engine: 'sqlite' | 'postgres';
  tokenTtlSeconds: number;
  seed: number;
}

const numberOr = (value: string | undefined, fallback: number) => {
  const parsed = Number(value);
  return value === undefined || !Number.isFinite(parsed) || parsed <= 0 ? fallback : parsed;
};

/**
 * The soak's options: `--minutes` (BENCH_MINUTES, default 60), `--rate` messages per second
 * (BENCH_RATE, default 20; the rest of the mix follows it), `--clients` (BENCH_CLIENTS,
 * default 300), `--engine sqlite|postgres` (BENCH_ENGINE), BENCH_SAMPLE_SECONDS (10),
 * BENCH_ACCOUNTS (20), BENCH_ROOMS (8), BENCH_TOKEN_TTL (300 s), BENCH_SEED (1).
 * `--quick` (the smoke test): 24 s, 40 people in 4 rooms, every kind of action several times.
 */
function soakOptions(args: readonly string[], quick: boolean): SoakOptions {
  const env = process.env;
  const engine = option(args, 'engine') ?? env.BENCH_ENGINE ?? 'sqlite';
  if (engine !== 'sqlite' && engine !== 'postgres')
    throw new Error(`--engine is sqlite or postgres, not ${engine}`);
  const rate = numberOr(option(args, 'rate') ?? env.BENCH_RATE, 20);
  const common = { engine, seed: numberOr(env.BENCH_SEED, 1) } as const;
  if (quick)
    return {
      ...common,
      minutes: numberOr(option(args, 'minutes') ?? env.BENCH_MINUTES, 0.4),
      sampleSeconds: 2,
      people: 40,
      accounts: 4,
      rooms: 4,
      mix: { sends: 20, reactions: 10, typing: 10, joinsOrLeaves: 2, reconnects: 1, uploads: 0.5 },
      tokenTtlSeconds: 10,
    };
  return {
    ...common,
    minutes: numberOr(option(args, 'minutes') ?? env.BENCH_MINUTES, 60),
    sampleSeconds: numberOr(env.BENCH_SAMPLE_SECONDS, 10),
    people: Math.round(numberOr(option(args, 'clients') ?? env.BENCH_CLIENTS, 300)),
    accounts: Math.round(numberOr(env.BENCH_ACCOUNTS, 20)),
    rooms: Math.round(numberOr(env.BENCH_ROOMS, 8)),
    // Per message sent: half a reaction, half a typing notice; a join or leave every 20
    // messages, a reconnect every 40, an upload every 200.
    mix: {
      sends: rate,
      reactions: rate / 2,
      typing: rate / 2,
      joinsOrLeaves: rate / 20,
      reconnects: rate / 40,
      uploads: rate / 200,
    },
    tokenTtlSeconds: Math.round(numberOr(env.BENCH_TOKEN_TTL, 300)),
  };
}

/** The soak's client process (soak-worker.ts), on the generator's core, steered over IPC. */
class SoakClients {
  private readonly waiting: Array<{
    resolve: (message: FromSoakWorker) => void;
    reject: (error: Error) => void;
  }> = [];

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (message: FromSoakWorker) => this.waiting.shift()?.resolve(message));
    child.once('exit', (code) => {
      for (const waiter of this.waiting.splice(0))
        waiter.reject(new Error(`the soak's clients exited (${code})`));
    });
  }

  static async start(): Promise<SoakClients> {
    const [command, args] = pinned(1, process.execPath, [
      '--import',
      'tsx',
      join(ROOT, 'bench/src/soak-worker.ts'),
    ]);
    const clients = new SoakClients(
      spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
    );
    await clients.reply();
    return clients;
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  private reply(): Promise<FromSoakWorker> {
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  /** Sends `message`; resolves with the answer, for messages that have one. */
  async ask(message: ToSoakWorker): Promise<FromSoakWorker> {
    const answer = this.reply();
    this.child.send(message);
    return answer;
  }

  tell(message: ToSoakWorker): void {
    this.child.send(message);
  }

  async sample(): Promise<SoakCounts> {
    const answer = await this.ask({ kind: 'sample' });
    if (answer.kind !== 'sample') throw new Error(`expected a sample, got ${answer.kind}`);
    return answer.counts;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.tell({ kind: 'stop' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

/** The server's process metrics from its /metrics (prom-client's defaults). */
interface ServerMetrics {
  rssMiB: number | null;
  heapMiB: number | null;
  lagP99Ms: number | null;
  lagMaxMs: number | null;
  connections: number | null;
}

async function scrape(port: number): Promise<ServerMetrics> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/metrics`, {
      signal: AbortSignal.timeout(5000),
    });
    const values = new Map<string, number>();
    for (const line of (await response.text()).split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      const space = line.lastIndexOf(' ');
      values.set(line.slice(0, space), Number(line.slice(space + 1)));
    }
    const mib = (name: string) => {
      const bytes = values.get(name);
      return bytes === undefined ? null : round(bytes / 1048576, 1);
    };
    // monitorEventLoopDelay records the whole interval between its 10 ms samples: the
    // delay is what lies beyond it.
    const lag = (name: string) => {
      const seconds = values.get(name);
      return seconds === undefined
        ? null
        : round(Math.max(0, seconds * 1000 - LAG_RESOLUTION_MS), 1);
    };
    return {
      rssMiB: mib('process_resident_memory_bytes'),
      heapMiB: mib('nodejs_heap_size_used_bytes'),
      lagP99Ms: lag('nodejs_eventloop_lag_p99_seconds'),
      lagMaxMs: lag('nodejs_eventloop_lag_max_seconds'),
      connections: values.get('hubbub_connections') ?? null,
    };
  } catch {
    return { rssMiB: null, heapMiB: null, lagP99Ms: null, lagMaxMs: null, connections: null };
  }
}

/**
 * Seconds the server's main thread (the event loop) has waited for a CPU while runnable,
 * from /proc (schedstat's second field): on a shared machine, the part of a stall that is
 * the machine's, not the server's. 0 where the kernel does not keep it.
 */
function runQueueSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(' ');
    return Number(fields[1] ?? 0) / 1e9;
  } catch {
    return 0;
  }
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;
const ms = (histogram: Histogram, percentile: number) =>
  histogram.totalCount === 0 ? 0 : round(histogram.getValueAtPercentile(percentile) / 1000);

/** One sample: the figures the verdict is fitted to. */
interface Point {
  at: number;
  rssMiB: number | null;
  heapMiB: number | null;
  ackP99: number;
  deliveryP99: number;
}

/** Least-squares slope of `y` against `x`; 0 for fewer than three points. */
export function slope(points: Array<[number, number]>): number {
  if (points.length < 3) return 0;
  const n = points.length;
  const mx = points.reduce((sum, [x]) => sum + x, 0) / n;
  const my = points.reduce((sum, [, y]) => sum + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  }
  return sxx === 0 ? 0 : sxy / sxx;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : (sorted[Math.floor((sorted.length - 1) / 2)] ?? 0);
};

/**
 * The verdict: memory slopes (MiB per hour, least squares over the second half of the run,
 * when warm-up growth is over) and p99 drift (the last quarter's median against the
 * first's), against the limits stated at the top of this file.
 */
export function verdict(points: Point[], seconds: number, clean: boolean): SoakVerdict {
  const second = points.filter((p) => p.at >= seconds / 2);
  const fit = (pick: (p: Point) => number | null) =>
    round(
      slope(
        second.flatMap((p) => {
          const value = pick(p);
          return value === null ? [] : [[p.at / 3600, value] as [number, number]];
        }),
      ),
      1,
    );
  const rssSlope = fit((p) => p.rssMiB);
  const heapSlope = fit((p) => p.heapMiB);
  const quarter = Math.max(1, Math.floor(points.length / 4));
  const ends = (pick: (p: Point) => number) => ({
    first: median(points.slice(0, quarter).map(pick)),
    last: median(points.slice(-quarter).map(pick)),
  });
  const deliveryP99 = ends((p) => p.deliveryP99);
  const ackP99 = ends((p) => p.ackP99);
  const steady = (p: { first: number; last: number }) =>
    p.last <= Math.max(p.first * P99_DRIFT_RATIO, p.first + P99_DRIFT_FLOOR_MS);
  return {
    judged: seconds >= JUDGE_MINUTES * 60,
    judgeMinutes: JUDGE_MINUTES,
    rssSlope,
    heapSlope,
    rssLimit: RSS_LIMIT_MIB_PER_HOUR,
    heapLimit: HEAP_LIMIT_MIB_PER_HOUR,
    memory:
      rssSlope > RSS_LIMIT_MIB_PER_HOUR || heapSlope > HEAP_LIMIT_MIB_PER_HOUR
        ? 'grows'
        : rssSlope < -RSS_LIMIT_MIB_PER_HOUR || heapSlope < -HEAP_LIMIT_MIB_PER_HOUR
          ? 'shrinks'
          : 'flat',
    deliveryP99,
    ackP99,
    latencyFlat: steady(deliveryP99) && steady(ackP99),
    clean,
  };
}

/** Adds up consecutive samples into one row of the table. */
class RowBuilder {
  private samples = 0;
  private seconds = 0;
  private cpu = 0;
  private waited = 0;
  private ack = latencyHistogram();
  private delivery = latencyHistogram();
  private lagP99: number | null = null;
  private lagMax: number | null = null;
  private first: SoakCounts | undefined;

  add(
    previous: SoakCounts,
    counts: SoakCounts,
    seconds: number,
    cpu: { used: number; waited: number },
    m: ServerMetrics,
  ) {
    this.first ??= previous;
    this.samples += 1;
    this.seconds += seconds;
    this.cpu += cpu.used;
    this.waited += cpu.waited;
    this.ack.add(decodeFromCompressedBase64(counts.ackLatency));
    this.delivery.add(decodeFromCompressedBase64(counts.deliveryLatency));
    const worst = (a: number | null, b: number | null) =>
      a === null ? b : b === null ? a : Math.max(a, b);
    this.lagP99 = worst(this.lagP99, m.lagP99Ms);
    this.lagMax = worst(this.lagMax, m.lagMaxMs);
  }

  get size(): number {
    return this.samples;
  }

  /** The row up to `counts` (the last sample), with the server's state then. */
  build(at: number, counts: SoakCounts, m: ServerMetrics, generatorMiB: number): SoakRow {
    const from = this.first ?? counts;
    const delta = (pick: (c: SoakCounts) => number) => pick(counts) - pick(from);
    const rate = (pick: (c: SoakCounts) => number) =>
      round(delta(pick) / Math.max(0.001, this.seconds), 1);
    const row: SoakRow = {
      at: Math.round(at),
      up: counts.up,
      connections: m.connections,
      sent: rate((c) => c.sent),
      acked: rate((c) => c.acked),
      deliveries: rate((c) => c.delivered),
      reactions: rate((c) => c.reactions),
      typing: rate((c) => c.typing),
      joinsLeaves: delta((c) => c.joins + c.leaves),
      reconnects: delta((c) => c.reconnects),
      uploads: delta((c) => c.uploads),
      ackP50: ms(this.ack, 50),
      ackP99: ms(this.ack, 99),
      deliveryP50: ms(this.delivery, 50),
      deliveryP99: ms(this.delivery, 99),
      rssMiB: m.rssMiB,
      heapMiB: m.heapMiB,
      lagP99Ms: this.lagP99,
      lagMaxMs: this.lagMax,
      cpu: round(this.cpu / Math.max(0.001, this.seconds)),
      cpuWaitMs: Math.round((this.waited * 1000) / Math.max(0.001, this.seconds)),
      generatorMiB: round(generatorMiB, 1),
      errors: delta((c) => c.errors + c.unacked + c.reconnectFailures),
      duplicates: delta((c) => c.duplicates),
      drops: delta((c) => c.drops),
      missing: counts.missing + counts.lostForGood,
    };
    this.samples = 0;
    this.seconds = 0;
    this.cpu = 0;
    this.waited = 0;
    this.ack = latencyHistogram();
    this.delivery = latencyHistogram();
    this.lagP99 = null;
    this.lagMax = null;
    this.first = counts;
    return row;
  }
}

const clock = (seconds: number) =>
  `${Math.floor(seconds / 60)}:${String(Math.round(seconds % 60)).padStart(2, '0')}`;

/** Runs the soak against one server: people, the mix for the whole duration, the samples. */
async function soakOnce(server: Target, o: SoakOptions): Promise<TargetRun> {
  const clients = await SoakClients.start();
  try {
    const rooms = Array.from({ length: o.rooms }, (_, i) => `soak${i}`);
    const lifetimeMs = (o.minutes * 60 + 600) * 1000;
    const setupStarted = performance.now();
    const ready = await clients.ask({
      kind: 'setup',
      port: server.port,
      guests: await guestTokens(o.people - o.accounts),
      accounts: o.accounts,
      rooms,
      mix: o.mix,
      seed: o.seed,
      lifetimeMs,
    });
    if (ready.kind !== 'ready') throw new Error(`expected ready, got ${ready.kind}`);
    if (ready.failed > 0)
      throw new Error(`${ready.failed} of the soak's people failed to connect: ${ready.error}`);
    console.log(
      `  ${ready.people} people (${ready.accounts} accounts) in ${o.rooms} rooms, connected in ` +
        `${((performance.now() - setupStarted) / 1000).toFixed(1)} s; mix per second: ` +
        Object.entries(o.mix)
          .map(([k, v]) => `${k} ${round(v)}`)
          .join(', '),
    );

    const rowSamples =
      o.minutes <= 10 ? 1 : Math.max(1, Math.round(60 / Math.max(1, o.sampleSeconds)));
    const rows: SoakRow[] = [];
    const points: Point[] = [];
    // The whole run's latencies, every sample's added in (fixed size: bounded).
    const whole = {
      ack: latencyHistogram(),
      delivery: latencyHistogram(),
      upload: latencyHistogram(),
      resume: latencyHistogram(),
    };
    const absorb = (counts: SoakCounts) => {
      whole.ack.add(decodeFromCompressedBase64(counts.ackLatency));
      whole.delivery.add(decodeFromCompressedBase64(counts.deliveryLatency));
      whole.upload.add(decodeFromCompressedBase64(counts.uploadLatency));
      whole.resume.add(decodeFromCompressedBase64(counts.resumeLatency));
    };
    const builder = new RowBuilder();
    let previous = await clients.sample();
    await scrape(server.port);
    let cpuBefore = cpuSeconds(server.pid);
    let waitBefore = runQueueSeconds(server.pid);
    const started = performance.now();
    let sampledAt = started;
    const end = started + o.minutes * 60_000;
    clients.tell({ kind: 'mix', running: true });
    // Samples on a fixed schedule from the start (no drift), until the duration is up.
    for (let n = 1; started + n * o.sampleSeconds * 1000 <= end + 1; n++) {
      await sleep(Math.max(0, started + n * o.sampleSeconds * 1000 - performance.now()));
      const [counts, metrics] = await Promise.all([clients.sample(), scrape(server.port)]);
      absorb(counts);
      const at = performance.now();
      const seconds = (at - sampledAt) / 1000;
      const cpuNow = cpuSeconds(server.pid);
      const waitNow = runQueueSeconds(server.pid);
      builder.add(
        previous,
        counts,
        seconds,
        { used: cpuNow - cpuBefore, waited: waitNow - waitBefore },
        metrics,
      );
      const interval = latencyHistogram();
      interval.add(decodeFromCompressedBase64(counts.deliveryLatency));
      const ack = latencyHistogram();
      ack.add(decodeFromCompressedBase64(counts.ackLatency));
      const elapsed = (at - started) / 1000;
      points.push({
        at: elapsed,
        rssMiB: metrics.rssMiB,
        heapMiB: metrics.heapMiB,
        ackP99: ms(ack, 99),
        deliveryP99: ms(interval, 99),
      });
      console.log(
        `  ${clock(elapsed)} up ${counts.up}/${counts.people}, ` +
          `${round((counts.acked - previous.acked) / seconds, 1)} msg/s acked, ` +
          `${round((counts.delivered - previous.delivered) / seconds)} deliveries/s, ` +
          `ack p99 ${ms(ack, 99)} ms, delivery p99 ${ms(interval, 99)} ms, ` +
          `rss ${metrics.rssMiB} MiB, heap ${metrics.heapMiB} MiB, lag p99 ${metrics.lagP99Ms} ms ` +
          `(max ${metrics.lagMaxMs}; waited for a core ${Math.round(((waitNow - waitBefore) * 1000) / seconds)} ms/s), ` +
          `errors ${counts.errors}, missing ${counts.missing + counts.lostForGood}, dup ${counts.duplicates}`,
      );
      if (builder.size >= rowSamples)
        rows.push(builder.build(elapsed, counts, metrics, rssBytes(clients.pid) / 1048576));
      previous = counts;
      sampledAt = at;
      cpuBefore = cpuNow;
      waitBefore = waitNow;
    }
    const seconds = (performance.now() - started) / 1000;
    clients.tell({ kind: 'mix', running: false });
    // Let what is in flight arrive: until a second passes with nothing delivered (30 s at most).
    let settled = previous;
    for (let waited = 0; waited < 30; waited++) {
      await sleep(1000);
      const counts = await clients.sample();
      absorb(counts);
      const quiet = counts.delivered === settled.delivered && counts.acked === settled.acked;
      settled = counts;
      if (quiet) break;
    }
    const finished = await clients.ask({ kind: 'finish' });
    if (finished.kind !== 'finished') throw new Error(`expected finished, got ${finished.kind}`);
    const last = finished.counts;
    absorb(last);
    const lost = last.missing + last.lostForGood + finished.behind;
    const offered = o.mix.sends * seconds;
    const failures =
      last.errors + last.unacked + last.reconnectFailures + last.drops + finished.notBack;
    const clean =
      lost === 0 && last.duplicates === 0 && failures === 0 && last.sent >= offered * 0.9;
    const report: SoakReport = {
      minutes: o.minutes,
      seconds: Math.round(seconds),
      engine: o.engine === 'sqlite' ? 'SQLite' : 'PostgreSQL',
      people: ready.people,
      accounts: ready.accounts,
      rooms: o.rooms,
      mix: o.mix,
      sampleSeconds: o.sampleSeconds,
      rowSeconds: rowSamples * o.sampleSeconds,
      rows,
      verdict: verdict(points, seconds, clean),
    };
    return {
      target: 'hubbub',
      clients: ready.people,
      kibPerConnection: 0,
      steps: [],
      expected: last.delivered + lost,
      lost,
      figures: {
        'messages sent': last.sent,
        'messages acked': last.acked,
        'sends never acked (30 s)': last.unacked,
        'distinct deliveries': last.delivered,
        'of which replayed by a resume': last.replayed,
        'duplicate deliveries': last.duplicates,
        'deliveries owed and missing': last.missing + last.lostForGood,
        'deliveries behind a room head at the end': finished.behind,
        reactions: last.reactions,
        'updated frames seen': last.updatesSeen,
        'typing sent': last.typing,
        'typing notices seen': last.typingSeen,
        joins: last.joins,
        leaves: last.leaves,
        'reconnects (resumed)': last.reconnects,
        'reconnect attempts failed': last.reconnectFailures,
        'resumes answered reset': last.resets,
        'sockets closed by the server': last.drops,
        'people not back at the end': finished.notBack,
        'uploads sent as attachments': last.uploads,
        'uploads failed': last.uploadFailures,
        'ack ms, p50 (whole run)': ms(whole.ack, 50),
        'ack ms, p99 (whole run)': ms(whole.ack, 99),
        'delivery ms, p50 (whole run)': ms(whole.delivery, 50),
        'delivery ms, p99 (whole run)': ms(whole.delivery, 99),
        'delivery ms, max (whole run)': round(whole.delivery.maxValue / 1000),
        'upload ms, p99 (POST /api/media)': ms(whole.upload, 99),
        'reconnect until resumed ms, p99': ms(whole.resume, 99),
        'token refreshes': last.refreshes,
        'error frames and failed calls': last.errors,
        'actions skipped (nobody free)': last.skipped,
        ...Object.fromEntries(Object.entries(last.codes).map(([code, n]) => [`error ${code}`, n])),
      },
      note: report.engine,
      soak: report,
    };
  } finally {
    await clients.stop();
  }
}

/**
 * soak: one Hubbub server under a steady, realistic mix for an hour (`--minutes`): a few
 * hundred people in a handful of rooms sending (acked), reacting, typing, joining and
 * leaving rooms, dropping off and resuming, accounts uploading pictures; sampled every
 * 10 s for the server's RSS, heap, event-loop delay and CPU, the p99 of acks and
 * deliveries, errors and loss. The verdict: memory flat or drifting, p99 steady or not.
 */
export async function soak(
  targets: TargetName[],
  quick: boolean,
  args: readonly string[],
): Promise<{ runs: TargetRun[]; summary: string[] }> {
  if (!targets.includes('hubbub')) return { runs: [], summary: ['soak measures Hubbub only'] };
  const o = soakOptions(args, quick);
  const env: Record<string, string> = {
    // Accounts register from one address; their refreshes count there too.
    LOGIN_ATTEMPTS_PER_ADDRESS: '100000',
    ACCESS_TOKEN_TTL_SECONDS: String(o.tokenTtlSeconds),
  };
  await using postgres = o.engine === 'postgres' ? await startPostgres() : undefined;
  if (postgres !== undefined) env.DATABASE_URL = await postgres.createDatabase();
  const server = await startTarget('hubbub', { env });
  let run: TargetRun;
  try {
    run = await soakOnce(server, o);
  } finally {
    await server.stop();
  }
  return { runs: [run], summary: summarize(run, o) };
}

function summarize(run: TargetRun, o: SoakOptions): string[] {
  const report = run.soak;
  if (report === undefined) return [];
  const v = report.verdict;
  const lines: string[] = [];
  if (report.seconds < 3600)
    lines.push(
      `**Short validation run: ${round(report.seconds / 60, 1)} min, not the hour.** ` +
        `The hour: \`npm run bench -- soak${o.engine === 'postgres' ? ' --engine postgres' : ''}\` (~65 min with setup and drain).`,
    );
  const judged = (word: string) => (v.judged ? word : `not judged (under ${v.judgeMinutes} min)`);
  lines.push(
    `${report.people} people (${report.accounts} accounts) in ${report.rooms} rooms on ${report.engine}, ` +
      `offered per second: ${round(report.mix.sends, 1)} messages, ${round(report.mix.reactions, 1)} reactions, ` +
      `${round(report.mix.typing, 1)} typing, ${round(report.mix.joinsOrLeaves, 2)} joins or leaves, ` +
      `${round(report.mix.reconnects, 2)} reconnects, ${round(report.mix.uploads, 2)} uploads`,
    `Memory: RSS ${signed(v.rssSlope)} MiB/h, heap ${signed(v.heapSlope)} MiB/h ` +
      `(least squares over the second half; flat within ±${v.rssLimit} and ±${v.heapLimit}, ` +
      `a leak when either grows faster): **${judged(v.memory)}**`,
    `p99: delivery ${v.deliveryP99.first} → ${v.deliveryP99.last} ms, ack ${v.ackP99.first} → ${v.ackP99.last} ms ` +
      `(median of the first quarter's samples → the last quarter's; steady within ×${P99_DRIFT_RATIO} or +${P99_DRIFT_FLOOR_MS} ms): ` +
      `**${judged(v.latencyFlat ? 'steady' : 'drifts')}**`,
    `Loss ${run.lost} of ${run.expected.toLocaleString('en-US')} owed deliveries, ` +
      `${run.figures?.['duplicate deliveries'] ?? 0} duplicates, ${run.figures?.['error frames and failed calls'] ?? 0} errors, ` +
      `${run.figures?.['sockets closed by the server'] ?? 0} sockets closed by the server: ` +
      `**${v.clean ? 'clean' : 'not clean'}**`,
  );
  return lines;
}

const signed = (value: number) => (value >= 0 ? `+${value}` : String(value));
