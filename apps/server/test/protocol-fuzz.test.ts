import { clientFrameTypes, decodeClientFrame } from '@hubbub/protocol';
import {
  Entries,
  type FuzzMix,
  type FuzzOutcome,
  FuzzWorld,
  frameArbitrary,
  fuzz,
  mutatedFrameArbitrary,
  replayHint,
  resolve,
  serialize,
} from '@hubbub/testing/fuzz';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

/**
 * Protocol fuzzing (docs/operations.md, "Security"): generated, near-valid, mutated and
 * random frames from several real clients at a real node, every invariant checked after
 * each run. Bounded for CI: about a minute in all. A failure prints its seed and path;
 * HUBBUB_FUZZ_MIX=frames|chaos HUBBUB_FUZZ_SEED=… HUBBUB_FUZZ_PATH=… replays it (that
 * property only). `npm run bench -- fuzz --minutes 10` runs the same properties longer.
 */

if (![undefined, 'frames', 'chaos'].includes(process.env.HUBBUB_FUZZ_MIX))
  throw new Error('HUBBUB_FUZZ_MIX is frames or chaos');
const replay = {
  mix: process.env.HUBBUB_FUZZ_MIX as FuzzMix | undefined,
  seed:
    process.env.HUBBUB_FUZZ_SEED === undefined ? undefined : Number(process.env.HUBBUB_FUZZ_SEED),
  path: process.env.HUBBUB_FUZZ_PATH,
};

function expectPassed(outcome: FuzzOutcome): void {
  console.log(
    `fuzz ${outcome.mix}: ${outcome.runs} runs, seed ${outcome.seed}${outcome.failed ? ' FAILED' : ''}`,
  );
  if (outcome.failed)
    throw new Error(`${outcome.error}\n${replayHint(outcome)}\n\n${outcome.report}`);
  expect(outcome.runs).toBeGreaterThan(0);
}

describe('protocol fuzzing', () => {
  test('the arbitraries come from the protocol: every frame type, mostly decodable, never a decoder crash', () => {
    const targets = { rooms: ['global', 'fuzz-private'] };
    const placeholder = (name: string) => (name === 'seq' ? 1 : `x-${name}`);
    const types = new Set<string>();
    let valid = 0;
    const samples = fc.sample(frameArbitrary(targets), { numRuns: 2000, seed: 7 });
    for (const tree of samples) {
      const text = serialize(resolve(tree, (ref) => placeholder(ref.name)));
      if (tree instanceof Entries) types.add(String(tree.get('type')));
      if (decodeClientFrame(text).ok) valid += 1;
    }
    expect([...types].sort()).toEqual([...clientFrameTypes].sort());
    // Near-valid values at the bounds are part of the mix; most frames still pass.
    expect(valid / samples.length).toBeGreaterThan(0.5);
    for (const tree of fc.sample(mutatedFrameArbitrary(targets), { numRuns: 2000, seed: 8 })) {
      const decoded = decodeClientFrame(serialize(resolve(tree, (ref) => placeholder(ref.name))));
      expect(typeof decoded.ok).toBe('boolean');
    }
  });

  describe('against a real node', () => {
    let world: FuzzWorld;
    beforeAll(async () => {
      world = await FuzzWorld.open();
    });
    afterAll(async () => {
      console.log(
        `fuzz rooms: ${world?.targets.rooms.join(', ')}; totals: ${JSON.stringify(world?.stats)}`,
      );
      await world?.close();
    });

    test.skipIf(replay.mix === 'chaos')(
      'schema-derived and mutated frames from guests, a channel owner and a stranger',
      async () => {
        expectPassed(
          await fuzz(world, {
            mix: 'frames',
            numRuns: 200,
            timeLimitMs: 30_000,
            ...(replay.mix === 'frames' ? replay : {}),
            ...(replay.mix === undefined && replay.seed !== undefined ? { seed: replay.seed } : {}),
          }),
        );
      },
      90_000,
    );

    test.skipIf(replay.mix === 'frames')(
      'bytes, invalid JSON and UTF-8, frames at and over the size limit, deep nesting, raw peers',
      async () => {
        expectPassed(
          await fuzz(world, {
            mix: 'chaos',
            numRuns: 120,
            timeLimitMs: 15_000,
            ...(replay.mix === 'chaos' ? replay : {}),
            ...(replay.mix === undefined && replay.seed !== undefined ? { seed: replay.seed } : {}),
          }),
        );
      },
      60_000,
    );

    test('afterwards: whole histories gapless, connections at baseline, heap bounded', async () => {
      await world.finalCheck();
    });
  });
});
