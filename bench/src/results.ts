import type { Histogram } from 'hdr-histogram-js';
import type { TargetName } from './dialects.js';
import type { SoakMix } from './ipc.js';

/** One load level of a run: what was offered, what came out, what it cost the server. */
export interface Step {
  /** Messages per second offered to the server, and actually sent. */
  offered: number;
  sent: number;
  /** Distinct deliveries per second, all clients together. */
  deliveries: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  duplicates: number;
  gaps: number;
  errors: number;
  closed: number;
  /** Acknowledged sends per second and their latency (send → ack), where the target acks. */
  acks?: number;
  ackP50?: number;
  ackP99?: number;
  /**
   * Live reactions, where the step had taps: taps sent per second, the taps one viewer saw
   * in the room's added-up frames per second, and those frames per second.
   */
  taps?: { sent: number; seen: number; frames: number };
  /** Server CPU use over the step (1.0 = one core) and its resident memory (MiB). */
  cpu: number;
  rssMiB: number;
}

export interface TargetRun {
  target: TargetName;
  clients: number;
  /** Memory the clients added to the server, per connection (KiB). */
  kibPerConnection: number;
  steps: Step[];
  lost: number;
  expected: number;
  /** Extra figures a scenario reports (time to resume, acks per second...). */
  figures?: Record<string, number>;
  note?: string;
  /** The soak's table over time and its verdict. */
  soak?: SoakReport;
}

export interface ScenarioResult {
  scenario: string;
  date: string;
  command: string;
  machine: string;
  versions: Record<string, string>;
  runs: TargetRun[];
  summary: string[];
}

/** Latency figures in milliseconds from a µs histogram. */
export function percentiles(histogram: Histogram): Pick<Step, 'p50' | 'p95' | 'p99' | 'max'> {
  const ms = (us: number) => Math.round(us / 10) / 100;
  return {
    p50: ms(histogram.getValueAtPercentile(50)),
    p95: ms(histogram.getValueAtPercentile(95)),
    p99: ms(histogram.getValueAtPercentile(99)),
    max: ms(histogram.maxValue),
  };
}

/** One row of a soak's table: a stretch of the run (one sample, or a minute in long runs). */
export interface SoakRow {
  /** Seconds since the mix started, at the row's end. */
  at: number;
  /** People connected and in their rooms (generator), and the server's open connections. */
  up: number;
  connections: number | null;
  /** Per second over the row: messages sent and acked, distinct deliveries, reactions, typing. */
  sent: number;
  acked: number;
  deliveries: number;
  reactions: number;
  typing: number;
  /** In the row: room joins plus leaves, reconnects (resumed), uploads sent as attachments. */
  joinsLeaves: number;
  reconnects: number;
  uploads: number;
  /** Milliseconds: send → ack, and send → delivery (live messages; replays not timed). */
  ackP50: number;
  ackP99: number;
  deliveryP50: number;
  deliveryP99: number;
  /** The server at the row's end: resident memory and V8 heap used (MiB). */
  rssMiB: number | null;
  heapMiB: number | null;
  /** The worst of the row's samples of event-loop delay p99, and the longest (ms). */
  lagP99Ms: number | null;
  lagMaxMs: number | null;
  /** Server CPU over the row (1.0 = one core). */
  cpu: number;
  /**
   * Milliseconds per second the server's event loop was runnable but waiting for a CPU (the
   * machine's share of a stall: other processes on its core).
   */
  cpuWaitMs: number;
  /** The generator's resident memory (MiB): it must stay bounded too. */
  generatorMiB: number;
  /** In the row: error frames and failed REST calls, duplicates, sockets the server closed. */
  errors: number;
  duplicates: number;
  drops: number;
  /** Deliveries owed and not (yet) made, since the start. */
  missing: number;
}

/** Whether the soak stayed flat: memory slope and p99 drift against stated limits. */
export interface SoakVerdict {
  /** Long enough to judge (at least `judgeMinutes`); shorter runs give the numbers only. */
  judged: boolean;
  judgeMinutes: number;
  /** Least-squares slopes over the second half of the run (MiB per hour), and their limits. */
  rssSlope: number;
  heapSlope: number;
  rssLimit: number;
  heapLimit: number;
  /** Grows: either slope above its limit (a leak); shrinks: either below minus its limit. */
  memory: 'flat' | 'grows' | 'shrinks';
  /** Median p99 (ms) of the first and last quarter of the samples. */
  deliveryP99: { first: number; last: number };
  ackP99: { first: number; last: number };
  latencyFlat: boolean;
  /** Zero loss, duplicates, errors and drops, everyone back, and the mix sent as offered. */
  clean: boolean;
}

export interface SoakReport {
  /** Minutes asked for, and seconds the mix actually ran. */
  minutes: number;
  seconds: number;
  engine: string;
  people: number;
  accounts: number;
  rooms: number;
  /** What was offered per second. */
  mix: SoakMix;
  sampleSeconds: number;
  rowSeconds: number;
  rows: SoakRow[];
  verdict: SoakVerdict;
}
