import type { Histogram } from 'hdr-histogram-js';
import type { TargetName } from './dialects.js';

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
