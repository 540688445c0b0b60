import { Cron } from 'croner';
import type { Logger } from 'pino';
import type { JobClaims } from './port.js';

export interface Job {
  /** Unique per job: the claim key. */
  name: string;
  /** A cron pattern (croner; six fields for seconds), in UTC. */
  pattern: string;
  /** `signal` aborts when the node stops: long work should give up then. */
  run(signal: AbortSignal): Promise<void>;
}

/**
 * Runs scheduled jobs on every node, each occurrence on exactly one: at each tick a node
 * claims the occurrence (its scheduled time by the pattern), and only the node that got
 * the claim runs it. The claim is held until the next occurrence, so a node whose clock or
 * timer is late cannot run the same one again. A job that is still running when its next
 * tick comes is skipped on that node for that tick (croner's `protect`).
 */
export class Scheduler {
  private readonly crons: Cron[] = [];
  private readonly running = new Set<Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(
    private readonly claims: JobClaims,
    private readonly logger: Pick<Logger, 'info' | 'error'>,
  ) {}

  add(job: Job): void {
    const cron = new Cron(
      job.pattern,
      { timezone: 'UTC', protect: true, unref: true },
      async (self: Cron) => {
        const run = this.tick(job, self);
        this.running.add(run);
        await run.finally(() => this.running.delete(run));
      },
    );
    this.crons.push(cron);
  }

  /**
   * Runs a job once now, on one node of those starting within the same `windowMs` (a
   * cluster starting together runs it once), without holding up the caller.
   */
  runSoon(job: Omit<Job, 'pattern'>, windowMs: number): void {
    const bucket = Math.floor(Date.now() / windowMs) * windowMs;
    const run = this.attempt(job, `start:${new Date(bucket).toISOString()}`, windowMs);
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
  }

  /** Stops scheduling and waits for the jobs that are running to finish. */
  async stop(): Promise<void> {
    for (const cron of this.crons) cron.stop();
    this.stopping.abort();
    await Promise.allSettled([...this.running]);
  }

  private async tick(job: Job, cron: Cron): Promise<void> {
    // The scheduled time, not the firing time: a node whose timer fires late (a busy event
    // loop, a GC pause) names the same occurrence as the others.
    const scheduled = cron.previousRuns(1, new Date(Date.now() + 1))[0] ?? new Date();
    await this.attempt(job, scheduled.toISOString(), Math.max(1000, cron.msToNext() ?? 60_000));
  }

  /** Runs the occurrence if this node gets its claim; failures are logged, never thrown. */
  private async attempt(job: Omit<Job, 'pattern'>, occurrence: string, holdMs: number) {
    try {
      if (!(await this.claims.claim(job.name, occurrence, holdMs))) return;
      const started = Date.now();
      await job.run(this.stopping.signal);
      this.logger.info({ job: job.name, occurrence, ms: Date.now() - started }, 'job ran');
    } catch (error) {
      this.logger.error({ err: error, job: job.name, occurrence }, 'job failed');
    }
  }
}
