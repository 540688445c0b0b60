import { startPostgres } from '@hubbub/testing';
import type { TargetName } from '../dialects.js';
import { type LoadPlan, ratesOr, runLoad, stepped } from '../load.js';
import type { TargetRun } from '../results.js';

/**
 * ingest: how many messages a second Hubbub makes durable, and how long the sender waits
 * for the ack, on SQLite (the embedded default) and on PostgreSQL (DATABASE_URL, the ack
 * after the commit). 200 senders, each alone in its room, so the work is storing, not
 * fanning out; the rate steps up while ack p99 stays within 20 ms.
 */
export async function ingest(
  targets: TargetName[],
  quick: boolean,
): Promise<{ runs: TargetRun[]; summary: string[] }> {
  const senders = quick ? 20 : 200;
  const plan: LoadPlan = {
    label: 'ingest',
    clients: senders,
    rooms: (i) => [`ingest${i}`],
    senders,
    rates: ratesOr(quick ? [200, 1000] : [100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000]),
    ...stepped(quick),
    // Past the 20 ms budget too, to find the most it sustains at all.
    keepGoing: (step) => (step.ackP99 ?? 0) <= 250 && step.sent >= step.offered * 0.9,
  };
  const runs: TargetRun[] = [];
  if (!targets.includes('hubbub')) return { runs, summary: ['ingest measures Hubbub only'] };
  // BENCH_ENGINES=sqlite or =postgres measures one engine only.
  const engines = process.env.BENCH_ENGINES?.split(',') ?? ['sqlite', 'postgres'];
  if (engines.includes('sqlite')) {
    runs.push({ ...(await runLoad('hubbub', plan)), note: 'SQLite' });
  }
  if (engines.includes('postgres')) {
    await using postgres = await startPostgres();
    const pg = await runLoad('hubbub', {
      ...plan,
      env: { DATABASE_URL: await postgres.createDatabase(), ...plan.env },
    });
    runs.push({ ...pg, note: 'PostgreSQL' });
  }
  const most = (run: TargetRun, p99: number) =>
    run.steps
      .filter((s) => (s.ackP99 ?? Number.POSITIVE_INFINITY) <= p99 && s.errors === 0)
      .sort((a, b) => (b.acks ?? 0) - (a.acks ?? 0))[0];
  const summary = runs.map((run) => {
    const held = most(run, 20);
    const top = most(run, 250);
    return (
      `hubbub on ${run.note}: ${held?.acks?.toLocaleString('en-US') ?? 'none'} durable msgs/s ` +
      `with ack p99 <= 20 ms (p50 ${held?.ackP50 ?? '-'} ms, p99 ${held?.ackP99 ?? '-'} ms); at most ` +
      `${top?.acks?.toLocaleString('en-US') ?? 'none'} msgs/s (ack p99 ${top?.ackP99 ?? '-'} ms); lost ${run.lost}`
    );
  });
  return { runs, summary };
}
