import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';
import { ROOT } from '../src/harness.js';
import type { TargetRun } from '../src/results.js';

const run = promisify(execFile);

/** Runs `npm run bench -- <args> --quick` in its own process; resolves with its runs. */
async function quick(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<TargetRun[]> {
  const dir = await mkdtemp(join(tmpdir(), 'hubbub-bench-test-'));
  try {
    const out = join(dir, 'runs.json');
    await run(
      process.execPath,
      ['--import', 'tsx', 'bench/src/main.ts', ...args, '--quick', `--out=${out}`],
      { cwd: ROOT, env, timeout: 150_000 },
    );
    return JSON.parse(await readFile(out, 'utf8')) as TargetRun[];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A step in which every delivery owed arrived exactly once and nobody was cut off. */
function expectExact(step: TargetRun['steps'][number]): void {
  expect(step.duplicates).toBe(0);
  expect(step.gaps).toBe(0);
  expect(step.closed).toBe(0);
}

/**
 * The benchmark's own machinery, so it does not rot between runs: a short fan-out against
 * Hubbub and every peer through the real generator, server processes and markers. It
 * asserts what is counted (every delivery owed arrived, once), never how fast.
 */
test('a quick fan-out: every target delivers every message to every member exactly once', async () => {
  const runs = await quick(['fanout-1k'], { ...process.env, BENCH_RATES: '20,50' });
  expect(runs.map((r) => r.target).sort()).toEqual(['hubbub', 'socketio', 'ws', 'ws-turn']);
  for (const target of runs) {
    expect(target.clients).toBe(50);
    expect(target.steps).toHaveLength(2);
    // 10 senders at 20 and 50 msg/s for a few seconds, to 50 members each.
    expect(target.expected).toBeGreaterThan(50 * 50);
    expect(target.lost).toBe(0);
    for (const step of target.steps) {
      expectExact(step);
      expect(step.errors).toBe(0);
      expect(step.deliveries).toBeGreaterThan(0);
    }
  }
}, 180_000);

/**
 * The storm's machinery, and Hubbub's resume under it: 300 clients, a restart, everyone back
 * at once while the first ones back already chat. Hubbub owes every member every message
 * (its resume brings what a member missed while away). The storm table in
 * docs/benchmarks.md shows the same accounting finding the peers' misses.
 */
test('a quick storm: after a restart every Hubbub client is back and missed nothing', async () => {
  const [hubbub] = await quick(['storm', '--targets=hubbub']);
  expect(hubbub?.clients).toBe(300);
  expect(hubbub?.figures?.['clients that did not come back']).toBe(0);
  expect(hubbub?.expected).toBeGreaterThan(300 * 10);
  expect(hubbub?.lost).toBe(0);
}, 180_000);

/** cluster-3's machinery: three Hubbub nodes over Redis and PostgreSQL, clients on each. */
test('a quick cluster-3: three nodes deliver every message to every member exactly once', async () => {
  const [hubbub] = await quick(['cluster-3', '--targets=hubbub']);
  expect(hubbub?.target).toBe('hubbub');
  expect(hubbub?.clients).toBe(60);
  expect(hubbub?.expected).toBeGreaterThan(60 * 60);
  expect(hubbub?.lost).toBe(0);
  expect(hubbub?.steps.length).toBeGreaterThan(0);
  for (const step of hubbub?.steps ?? []) expectExact(step);
}, 180_000);

/** The fuzz scenario's wiring: the protocol fuzzing properties, run from the bench tool. */
test('a quick fuzz: runs of generated frames against a node, none failing', async () => {
  const [hubbub] = await quick(['fuzz', '--minutes=0.25']);
  expect(hubbub?.note).toBe('fuzz');
  expect(hubbub?.figures?.runs).toBeGreaterThan(0);
  expect(hubbub?.figures?.['frames sent']).toBeGreaterThan(0);
  expect(hubbub?.figures?.failures).toBe(0);
}, 120_000);

/**
 * The soak's machinery, as a smoke run (24 s, not a soak): 40 people sending, reacting,
 * typing, joining and leaving, reconnecting with resume, accounts uploading pictures and
 * refreshing their tokens, the server sampled from its /metrics. Every action must have
 * happened, every delivery owed arrived once, and the table and verdict must be there.
 * Whether memory is flat is for the hour's run (docs/benchmarks.md), never asserted.
 */
test('a quick soak (smoke run): the whole mix runs without loss, errors or duplicates', async () => {
  const [hubbub] = await quick(['soak']);
  const figures = hubbub?.figures ?? {};
  expect(hubbub?.target).toBe('hubbub');
  expect(hubbub?.clients).toBe(40);
  expect(hubbub?.lost).toBe(0);
  expect(hubbub?.expected).toBeGreaterThan(1000);
  expect(figures['duplicate deliveries']).toBe(0);
  expect(figures['error frames and failed calls']).toBe(0);
  expect(figures['sends never acked (30 s)']).toBe(0);
  expect(figures['people not back at the end']).toBe(0);
  for (const done of [
    'messages acked',
    'reactions',
    'updated frames seen',
    'typing notices seen',
    'joins',
    'leaves',
    'reconnects (resumed)',
    'of which replayed by a resume',
    'uploads sent as attachments',
    'token refreshes',
  ])
    expect(figures[done], done).toBeGreaterThan(0);
  const soak = hubbub?.soak;
  expect(soak?.rows.length).toBeGreaterThanOrEqual(10);
  for (const row of soak?.rows ?? []) {
    expect(row.rssMiB).toBeGreaterThan(0);
    expect(row.heapMiB).toBeGreaterThan(0);
    expect(row.lagP99Ms).not.toBeNull();
    expect(row.sent).toBeGreaterThan(0);
  }
  expect(soak?.verdict.judged).toBe(false);
  expect(soak?.verdict.clean).toBe(true);
}, 180_000);
