import type { TargetName } from './dialects.js';
import {
  cpuSeconds,
  endProgress,
  LoadGenerator,
  progress,
  rssBytes,
  sleep,
  startTarget,
  type Target,
} from './harness.js';
import type { ClientPlan } from './ipc.js';
import { percentiles, type Step, type TargetRun } from './results.js';
import { guestTokens } from './tokens.js';

/** A workload: who joins which rooms, who sends, and the load levels to step through. */
export interface LoadPlan {
  label: string;
  clients: number;
  /** The rooms client `i` joins (a sender sends to its first). */
  rooms(i: number): string[];
  senders: number;
  /** Total messages per second offered, one step each, in order. */
  rates: number[];
  /** Live-reaction taps per second in each step (same order as `rates`; none if absent). */
  taps?: number[];
  warmSeconds: number;
  stepSeconds: number;
  /** Stops stepping up once two steps in a row fail this (p99 over budget, say). */
  keepGoing?(step: Step): boolean;
  workers: number;
  /** Characters of padding after each message's marker. */
  padding: number;
  env?: Record<string, string>;
}

/**
 * Runs one target through a plan: start it, connect every client, step through the rates,
 * let the last messages drain, and count what was lost. Bounded: every step has a fixed
 * length and the clients a fixed number.
 */
export async function runLoad(target: TargetName, plan: LoadPlan): Promise<TargetRun> {
  const server = await startTarget(target, { env: plan.env ?? {} });
  try {
    return await driveLoad(target, [server], plan);
  } finally {
    await server.stop();
  }
}

/**
 * Drives running servers of one target (several: the nodes of a cluster, clients dealt to
 * them in turn) through a plan. CPU and memory are the servers' together.
 */
export async function driveLoad(
  target: TargetName,
  servers: Target[],
  plan: LoadPlan,
): Promise<TargetRun> {
  const first = servers[0];
  if (first === undefined) throw new Error('no server to drive');
  const cpu = () => servers.reduce((sum, s) => sum + cpuSeconds(s.pid), 0);
  const rss = () => servers.reduce((sum, s) => sum + rssBytes(s.pid), 0);
  const generator = await LoadGenerator.start(plan.workers);
  try {
    const tokens = target === 'hubbub' ? await guestTokens(plan.clients) : [];
    // The first `senders` clients send: consecutive, so they are dealt evenly to the workers.
    const plans: ClientPlan[] = Array.from({ length: plan.clients }, (_, i) => ({
      ...(target === 'hubbub' ? { token: tokens[i] } : {}),
      rooms: plan.rooms(i),
      sender: i < plan.senders,
      ...(servers.length > 1 ? { port: servers[i % servers.length]!.port } : {}),
    }));
    const members = new Map<string, number>();
    for (const p of plans)
      for (const room of p.rooms) members.set(room, (members.get(room) ?? 0) + 1);

    const idleRss = rss();
    const started = performance.now();
    const connected = await generator.connect(first, plans, {
      padding: 'x'.repeat(plan.padding),
      parallel: 50,
      localAddresses: Math.ceil(plan.clients / 20_000) + 1,
    });
    console.log(
      `  ${target}: ${connected} clients connected in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    await sleep(1000);
    const kibPerConnection = (rss() - idleRss) / 1024 / connected;

    const steps: Step[] = [];
    let failures = 0;
    for (const [index, rate] of plan.rates.entries()) {
      const taps = plan.taps?.[index] ?? 0;
      generator.rate(rate, taps);
      await sleep(plan.warmSeconds * 1000);
      await generator.sample();
      const cpuBefore = cpu();
      const total = plan.stepSeconds * 4;
      for (let tick = 1; tick <= total; tick++) {
        await sleep(250);
        progress(
          `  ${plan.label} ${target}`,
          tick,
          total,
          `${rate} msg/s${taps > 0 ? ` + ${taps} taps/s` : ''} offered`,
        );
      }
      const interval = await generator.sample();
      const used = (cpu() - cpuBefore) / interval.seconds;
      const step: Step = {
        offered: rate,
        sent: Math.round(interval.sent / interval.seconds),
        deliveries: Math.round(interval.delivered / interval.seconds),
        ...percentiles(interval.latency),
        duplicates: interval.duplicates,
        gaps: interval.gaps,
        errors: interval.errors,
        closed: interval.closed,
        ...(interval.acks > 0
          ? {
              acks: Math.round(interval.acks / interval.seconds),
              ackP50: percentiles(interval.ackLatency).p50,
              ackP99: percentiles(interval.ackLatency).p99,
            }
          : {}),
        ...(taps > 0
          ? {
              taps: {
                sent: Math.round(interval.taps / interval.seconds),
                seen: Math.round(interval.tapsSeen / interval.seconds),
                frames: Math.round((interval.cheerFrames / interval.seconds) * 10) / 10,
              },
            }
          : {}),
        cpu: Math.round(used * 100) / 100,
        rssMiB: Math.round(rss() / 1048576),
      };
      steps.push(step);
      endProgress();
      console.log(
        `  ${target} ${String(rate).padStart(6)} msg/s → ${String(step.deliveries).padStart(9)} deliveries/s, ` +
          `p50 ${step.p50} ms, p99 ${step.p99} ms, max ${step.max} ms, cpu ${step.cpu}, ` +
          `rss ${step.rssMiB} MiB${step.acks === undefined ? '' : `, acks ${step.acks}/s (p50 ${step.ackP50} ms, p99 ${step.ackP99} ms)`}` +
          `${step.taps === undefined ? '' : `, taps ${step.taps.sent}/s sent, ${step.taps.seen}/s seen in ${step.taps.frames} frames/s`}` +
          `${step.closed > 0 ? `, closed ${step.closed}` : ''}${step.errors > 0 ? `, errors ${step.errors}` : ''}`,
      );
      // Two failing steps in a row end the run: one may be a hiccup of the machine.
      failures = plan.keepGoing === undefined || plan.keepGoing(step) ? 0 : failures + 1;
      if (failures >= 2) break;
    }
    await generator.drain();
    const { expected, lost } = generator.lost((room) => members.get(room) ?? 0);
    return {
      target,
      clients: connected,
      kibPerConnection: Math.round(kibPerConnection * 10) / 10,
      steps,
      expected,
      lost,
    };
  } finally {
    await generator.stop();
  }
}

/** The load steps: BENCH_RATES (comma-separated msg/s) when set, else the scenario's own. */
export function ratesOr(defaults: number[]): number[] {
  return process.env.BENCH_RATES?.split(',').map(Number) ?? defaults;
}

/**
 * Reaction taps/s per step: BENCH_TAPS when set, else the scenario's own while its rates
 * are too; steps of BENCH_RATES without BENCH_TAPS tap nothing.
 */
export function tapsOr(defaults: number[]): number[] {
  const taps = process.env.BENCH_TAPS?.split(',').map(Number);
  if (taps !== undefined) return taps;
  if (process.env.BENCH_RATES === undefined) return defaults;
  return ratesOr(defaults).map(() => 0);
}

/** A step that held: p99 within 100 ms, the generator sent what was asked, nobody was shed. */
export function withinBudget(step: Step): boolean {
  return step.p99 <= 100 && step.sent >= step.offered * 0.9 && step.closed === 0;
}

/**
 * What a stepped scenario shares: short warm-up, 4 s steps (2 s quick), stepping up while
 * steps hold the 100 ms budget, two generator processes, ~170-byte messages.
 */
export function stepped(
  quick: boolean,
): Pick<LoadPlan, 'warmSeconds' | 'stepSeconds' | 'keepGoing' | 'workers' | 'padding'> {
  return {
    warmSeconds: 1,
    stepSeconds: quick ? 2 : 4,
    keepGoing: withinBudget,
    workers: 2,
    padding: 20,
  };
}

/** Runs the plan against each target in turn (never at once: they would share the core). */
export async function runEach(targets: TargetName[], plan: LoadPlan): Promise<TargetRun[]> {
  const runs: TargetRun[] = [];
  for (const target of targets) runs.push(await runLoad(target, plan));
  return runs;
}

/** The highest delivery rate held within a p99 budget, and the step it was measured at. */
export function bestUnder(run: TargetRun, p99Ms: number): Step | undefined {
  return run.steps
    .filter((s) => s.p99 <= p99Ms && s.closed === 0)
    .sort((a, b) => b.deliveries - a.deliveries)[0];
}
