import * as fc from 'fast-check';
import { type FuzzMix, scenarioArbitrary } from './arbitraries.js';
import type { FuzzWorld } from './world.js';

export interface FuzzOptions {
  mix: FuzzMix;
  /** Most runs; the time limit usually ends the set first. */
  numRuns: number;
  /** Stops starting runs after this long (fast-check's interruptAfterTimeLimit). */
  timeLimitMs: number;
  /** Replays a failure: the seed and path a failing report printed. */
  seed?: number;
  path?: string;
  /**
   * Shrink a failing scenario. Off by default: the node keeps its state from run to run, so
   * a shrunk scenario may pass or fail for another reason; the first failure is the finding.
   */
  shrink?: boolean;
  /** Most actions in one run. */
  maxSteps?: number;
}

export interface FuzzOutcome {
  mix: FuzzMix;
  seed: number;
  /** Runs played (up to and including a failing one). */
  runs: number;
  failed: boolean;
  interrupted: boolean;
  /** What broke (the failing run's error message). */
  error?: string;
  /** fast-check's report: the seed, the path, the counterexample and the error. */
  report?: string;
  path?: string;
}

/** A seed for a run set: the one asked for, or a fresh one (printed, so it can be replayed). */
export function freshSeed(): number {
  return (Date.now() ^ Math.floor(Math.random() * 0x1_0000_0000)) | 0;
}

/**
 * Plays generated scenarios against the world's node until `numRuns` or the time limit,
 * with fast-check's asyncProperty: each run is one scenario and every invariant after it.
 */
export async function fuzz(world: FuzzWorld, options: FuzzOptions): Promise<FuzzOutcome> {
  const seed = options.seed ?? freshSeed();
  const property = fc.asyncProperty(
    scenarioArbitrary(world.targets, options.mix, options.maxSteps),
    (scenario) => world.run(scenario),
  );
  const details = await fc.check(property, {
    seed,
    numRuns: options.numRuns,
    endOnFailure: options.shrink !== true,
    includeErrorInReport: true,
    ...(options.path === undefined ? {} : { path: options.path }),
    plugins: [fc.interruptAfterTimeLimit(options.timeLimitMs)],
  });
  const report = details.failed ? fc.defaultReportMessage(details) : undefined;
  const cause = details.errorInstance;
  const error = cause === null ? undefined : cause instanceof Error ? cause.message : String(cause);
  return {
    mix: options.mix,
    seed,
    runs: details.numRuns,
    failed: details.failed,
    interrupted: details.interrupted,
    ...(report === undefined ? {} : { report }),
    ...(error === undefined ? {} : { error }),
    ...(details.counterexamplePath === null ? {} : { path: details.counterexamplePath }),
  };
}

/** How to replay a failure, for the report. */
export function replayHint(outcome: FuzzOutcome): string {
  const path = outcome.path === undefined ? '' : ` HUBBUB_FUZZ_PATH=${outcome.path}`;
  return `replay: HUBBUB_FUZZ_MIX=${outcome.mix} HUBBUB_FUZZ_SEED=${outcome.seed}${path} npx vitest run apps/server/test/protocol-fuzz.test.ts (or npm run bench -- fuzz --mix=${outcome.mix} --seed=${outcome.seed}${outcome.path === undefined ? '' : ` --path=${outcome.path}`})`;
}
