import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, decodeFromCompressedBase64, type Histogram } from 'hdr-histogram-js';
import type { TargetName } from './dialects.js';
import type { ClientPlan, FromWorker, Sample, ToWorker } from './ipc.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The server under test runs on core 0 and the load generator on core 1, when pinnable. */
const PIN = existsSync('/usr/bin/taskset');
const serverLog = process.env.BENCH_SERVER_LOG;
/** The token-signing secret the bench gives Hubbub, so it can mint guests' tokens itself. */
export const BENCH_SECRET = 'bench-secret-bench-secret-bench-secret-0123456789';

/** The command that runs `command` on `core` (when taskset is there). */
export function pinned(core: number, command: string, args: string[]): [string, string[]] {
  return PIN ? ['taskset', ['-c', String(core), command, ...args]] : [command, args];
}

export interface Target {
  name: TargetName;
  port: number;
  /** The server's process id (a restart changes it). */
  readonly pid: number;
  /**
   * Stops the server (SIGTERM: Hubbub drains) and starts it again on the same port and data
   * directory; resolves with the seconds from the signal until it listens again.
   */
  restart(): Promise<number>;
  stop(): Promise<void>;
}

export interface TargetOptions {
  /** Extra environment for the server (Hubbub's configuration, REDIS_URL for peers). */
  env?: Record<string, string>;
  core?: number;
}

/** Starts a server under test in its own process and waits until it listens. */
export async function startTarget(name: TargetName, options: TargetOptions = {}): Promise<Target> {
  const dataDir = await mkdtemp(join(tmpdir(), 'hubbub-bench-'));
  let server = await spawnServer(name, options, dataDir, 0);
  const port = server.port;
  const stopServer = async (child: ChildProcess) => {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
  return {
    name,
    port,
    get pid() {
      return server.pid;
    },
    async restart() {
      const started = performance.now();
      await stopServer(server.child);
      server = await spawnServer(name, options, dataDir, port);
      return (performance.now() - started) / 1000;
    },
    async stop() {
      await stopServer(server.child);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function spawnServer(
  name: TargetName,
  options: TargetOptions,
  dataDir: string,
  port: number,
): Promise<{ child: ChildProcess; port: number; pid: number }> {
  const script =
    name === 'hubbub'
      ? join(ROOT, 'apps/server/src/main.ts')
      : join(ROOT, 'bench/src/peers', name === 'socketio' ? 'socketio.ts' : 'ws.ts');
  // BENCH_PROFILE=1: a V8 CPU profile of the server (bench/profiles/*.cpuprofile, for
  // chrome://inspect or speedscope), written when it exits.
  // BENCH_HEAP=1: SIGUSR2 makes the server write a heap snapshot into its working directory.
  const profile = [
    ...(process.env.BENCH_PROFILE === '1'
      ? ['--cpu-prof', `--cpu-prof-dir=${join(ROOT, 'bench/profiles')}`]
      : []),
    ...(process.env.BENCH_HEAP === '1' ? ['--heapsnapshot-signal=SIGUSR2'] : []),
  ];
  const [command, args] = pinned(options.core ?? 0, process.execPath, [
    ...profile,
    '--expose-gc',
    '--import',
    'tsx',
    '--import',
    join(ROOT, 'bench/src/collect-on-signal.ts'),
    script,
  ]);
  const child = spawn(command, args, {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      PEER_MODE: name === 'ws-turn' ? 'turn' : 'each',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      TOKEN_SECRET: BENCH_SECRET,
      // Limits stay on, sized for the workload: a bench sender sends far more than a person.
      RATE_LIMIT_PER_SECOND: '100000',
      RATE_LIMIT_BURST: '100000',
      ADMISSION_PER_SECOND: '100000',
      // The bench's clients are guests joining rooms by name, as on the peers: every name
      // stands open (a deployment lists only the rooms it means; accounts open the rest).
      OPEN_ROOMS: '*',
      WORKERS: '1',
      ...options.env,
    },
  });
  const listening = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start: ${out}`)), 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      // BENCH_SERVER_LOG=file: the servers' logs (pino lines) are kept there, for a run
      // whose numbers need explaining.
      if (serverLog !== undefined) appendFileSync(serverLog, chunk);
      out += chunk.toString();
      const peer = /listening (\d+)/.exec(out);
      const hubbub = /"port":(\d+)[^\n]*hubbub listening/.exec(out);
      const found = peer ?? hubbub;
      if (found !== null) {
        clearTimeout(timer);
        resolve(Number(found[1]));
        // Keep draining: a full pipe would block the server.
        out = '';
      }
      if (out.length > 100_000) out = out.slice(-10_000);
    });
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}): ${out}`)));
  });
  return { child, port: listening, pid: await mainPid(child) };
}

/** taskset execs node in place, so the child's pid is the server's. */
async function mainPid(child: ChildProcess): Promise<number> {
  if (child.pid === undefined) throw new Error('no pid');
  return child.pid;
}

/** CPU seconds (user + system) a process has used, from /proc. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the name.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Resident memory of a process in bytes, from /proc. */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match === null ? 0 : Number(match[1]) * 1024;
}

/** What the generator saw in an interval, all workers together. */
export interface Interval {
  seconds: number;
  sent: number;
  /** Distinct messages delivered (a duplicate counts once). */
  delivered: number;
  duplicates: number;
  gaps: number;
  errors: number;
  closed: number;
  latency: Histogram;
  acks: number;
  ackLatency: Histogram;
  /** Reaction taps sent, and the taps and frames one client saw (an average over workers). */
  taps: number;
  tapsSeen: number;
  cheerFrames: number;
}

export function latencyHistogram(): Histogram {
  return build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 600_000_000,
    numberOfSignificantValueDigits: 3,
  });
}

/**
 * The load generator: worker processes (on the core the server does not use), each with a
 * share of the clients, steered over IPC.
 */
export class LoadGenerator {
  private readonly workers: ChildProcess[] = [];
  private readonly waiting = new Map<ChildProcess, Array<(message: FromWorker) => void>>();
  private last: Sample[] = [];
  private lastAt = 0;
  /** Senders each worker holds: the rate is split in proportion. */
  private senders: number[] = [];
  /** Clients opened by `connect`. */
  private peers = 0;

  private constructor() {}

  static async start(count: number, core = 1): Promise<LoadGenerator> {
    const generator = new LoadGenerator();
    const script = join(ROOT, 'bench/src/worker.ts');
    await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const [command, args] = pinned(core, process.execPath, ['--import', 'tsx', script]);
        const worker = spawn(command, args, {
          cwd: ROOT,
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
          env: { ...process.env, BENCH_WORKER: String(i + 1) },
        });
        generator.workers.push(worker);
        generator.waiting.set(worker, []);
        worker.on('message', (message: FromWorker) => {
          generator.waiting.get(worker)?.shift()?.(message);
        });
        await generator.reply(worker);
      }),
    );
    return generator;
  }

  get size(): number {
    return this.workers.length;
  }

  private reply(worker: ChildProcess): Promise<FromWorker> {
    return new Promise((resolve) => this.waiting.get(worker)?.push(resolve));
  }

  private ask(worker: ChildProcess, message: ToWorker): Promise<FromWorker> {
    const answer = this.reply(worker);
    worker.send(message);
    return answer;
  }

  /**
   * Opens the clients, dealt round-robin to the workers; resolves with how many connected.
   * Throws if any failed: a run with missing clients would measure something else.
   */
  async connect(
    target: Target,
    plans: ClientPlan[],
    options: {
      padding: string;
      parallel?: number;
      localAddresses?: number;
      resumable?: boolean;
      /** Report the clients that failed instead of throwing (idle: how many fit). */
      tolerant?: boolean;
    },
  ): Promise<number> {
    const addresses = Array.from(
      { length: options.localAddresses ?? 4 },
      (_, i) => `127.0.0.${i + 1}`,
    );
    const shares = this.workers.map((_, w) =>
      plans.filter((_, i) => i % this.workers.length === w),
    );
    this.senders = shares.map((share) => share.filter((plan) => plan.sender).length);
    this.peers = plans.length;
    const answers = await Promise.all(
      this.workers.map((worker, w) =>
        this.ask(worker, {
          kind: 'connect',
          target: target.name,
          port: target.port,
          clients: shares[w] ?? [],
          localAddresses: addresses,
          parallel: options.parallel ?? 20,
          padding: options.padding,
          resumable: options.resumable ?? false,
        }),
      ),
    );
    let connected = 0;
    for (const answer of answers) {
      if (answer.kind !== 'connected') continue;
      connected += answer.count;
      if (answer.failed > 0 && options.tolerant === true)
        console.log(`  ${answer.failed} clients failed to connect: ${answer.error}`);
      else if (answer.failed > 0)
        throw new Error(`${answer.failed} clients failed to connect: ${answer.error}`);
    }
    await this.sample();
    return connected;
  }

  /**
   * Reopens every closed client at once, resuming where the target can; resolves with the
   * milliseconds each took from the command until it had (re)joined.
   */
  async reconnect(target: Target): Promise<{ times: number[]; failed: number; error?: string }> {
    // From other source addresses than the first connections: the server closed those, so
    // their 4-tuples sit in its TIME_WAIT, and a new SYN that reuses one is answered with a
    // stale ACK and retried a second later. Real clients come back from addresses of their
    // own; one loopback address for every thousand clients keeps it so.
    const addresses = Array.from(
      { length: Math.ceil(this.peers / 1000) },
      (_, i) => `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`,
    );
    const answers = await Promise.all(
      this.workers.map((worker) =>
        this.ask(worker, { kind: 'reconnect', port: target.port, localAddresses: addresses }),
      ),
    );
    const times: number[] = [];
    let failed = 0;
    let error: string | undefined;
    for (const answer of answers) {
      if (answer.kind !== 'reconnected') continue;
      times.push(...answer.times);
      failed += answer.failed;
      error ??= answer.error;
    }
    return { times, failed, ...(error === undefined ? {} : { error }) };
  }

  /** Sets the total send rate, split over the workers by how many senders each holds. */
  rate(perSecond: number, tapsPerSecond = 0): void {
    const total = this.senders.reduce((sum, n) => sum + n, 0);
    this.workers.forEach((worker, w) => {
      const share = total === 0 ? 0 : (perSecond * (this.senders[w] ?? 0)) / total;
      worker.send({
        kind: 'rate',
        perSecond: share,
        tapsPerSecond: tapsPerSecond / this.workers.length,
      } satisfies ToWorker);
    });
  }

  /** What happened since the previous sample. */
  async sample(): Promise<Interval> {
    const answers = await Promise.all(this.workers.map((w) => this.ask(w, { kind: 'sample' })));
    const samples = answers.flatMap((a) => (a.kind === 'sample' ? [a.sample] : []));
    const at = performance.now();
    const sum = (list: Sample[], pick: (s: Sample) => number) =>
      list.reduce((total, s) => total + pick(s), 0);
    const uniqueOf = (s: Sample) => s.unique.reduce((t, [, n]) => t + n, 0);
    const latency = latencyHistogram();
    const ackLatency = latencyHistogram();
    for (const s of samples) {
      latency.add(decodeFromCompressedBase64(s.latency));
      ackLatency.add(decodeFromCompressedBase64(s.ackLatency));
    }
    const interval: Interval = {
      seconds: (at - this.lastAt) / 1000,
      sent: sum(samples, (s) => s.sent) - sum(this.last, (s) => s.sent),
      delivered: sum(samples, uniqueOf) - sum(this.last, uniqueOf),
      duplicates: sum(samples, (s) => s.duplicates) - sum(this.last, (s) => s.duplicates),
      gaps: sum(samples, (s) => s.gaps) - sum(this.last, (s) => s.gaps),
      errors: sum(samples, (s) => s.errors) - sum(this.last, (s) => s.errors),
      closed: sum(samples, (s) => s.closed) - sum(this.last, (s) => s.closed),
      latency,
      acks: sum(samples, (s) => s.acks) - sum(this.last, (s) => s.acks),
      ackLatency,
      taps: sum(samples, (s) => s.taps) - sum(this.last, (s) => s.taps),
      // Every worker's first client sees the whole room's totals: their average.
      tapsSeen:
        (sum(samples, (s) => s.tapsSeen) - sum(this.last, (s) => s.tapsSeen)) /
        Math.max(1, samples.length),
      cheerFrames:
        (sum(samples, (s) => s.cheerFrames) - sum(this.last, (s) => s.cheerFrames)) /
        Math.max(1, samples.length),
    };
    this.last = samples;
    this.lastAt = at;
    return interval;
  }

  /**
   * Stops sending and lets what is queued arrive before losses are counted: until a second
   * passes with nothing delivered (a server far behind may still be writing), at most 30 s.
   */
  async drain(): Promise<void> {
    this.rate(0);
    await sleep(1000);
    await this.sample();
    for (let waited = 0; waited < 30; waited++) {
      await sleep(1000);
      if ((await this.sample()).delivered === 0) break;
    }
  }

  /**
   * Messages lost overall: every message sent to a room is owed once to each member
   * (`members(room)`), minus what arrived (distinct) and what the server refused.
   */
  lost(members: (room: string) => number): { expected: number; lost: number } {
    let expected = 0;
    let delivered = 0;
    for (const s of this.last) {
      for (const [, { room, count }] of s.sentBy) expected += count * members(room);
      for (const [, n] of s.unique) delivered += n;
    }
    return { expected, lost: expected - delivered };
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.workers.map(
        (worker) =>
          new Promise<void>((resolve) => {
            worker.once('exit', () => resolve());
            worker.send({ kind: 'stop' } satisfies ToWorker);
            setTimeout(() => worker.kill('SIGKILL'), 5000).unref();
          }),
      ),
    );
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A one-line progress bar, redrawn in place. */
export function progress(label: string, done: number, total: number, detail: string): void {
  if (!process.stdout.isTTY) return;
  const width = 24;
  const filled = Math.round((done / total) * width);
  process.stdout.write(
    `\r${label} ▕${'█'.repeat(filled)}${' '.repeat(width - filled)}▏ ${detail}`.padEnd(110),
  );
}

export function endProgress(): void {
  if (process.stdout.isTTY) process.stdout.write('\n');
}
