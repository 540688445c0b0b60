import { describe, expect, test } from 'vitest';
import {
  addCheers,
  maxParticles,
  type Particle,
  particlesFor,
  perTick,
  sizeFor,
} from '../src/events/cheer-burst.js';

function counter() {
  let id = 0;
  return () => ++id;
}
const half = () => 0.5;

describe('live reactions as floating emoji', () => {
  test('a few taps show one by one; a crowd shows as a few, bigger, never one per tap', () => {
    expect([0, 1, 2, 3].map(particlesFor)).toEqual([0, 1, 2, 3]);
    expect(particlesFor(10)).toBe(4);
    expect(particlesFor(10_000)).toBe(perTick);
    expect(particlesFor(10_000_000)).toBe(perTick);
    expect(sizeFor(1)).toBeLessThan(sizeFor(100));
    expect(sizeFor(1_000_000)).toBe(sizeFor(1_000_000_000));
  });

  test("a tick's budget goes first to every kind tapped, the most tapped first", () => {
    const born = addCheers(
      [],
      { '🔥': 5000, '👏': 2, '🎉': 900, '😂': 1, '⚽': 40, '🎸': 3 },
      counter(),
      half,
    );
    expect(born).toHaveLength(perTick);
    expect(born.map((p) => p.emoji)).toEqual(['🔥', '🎉', '⚽', '🎸', '👏']);
    // The lead of each kind carries its count when more than one tapped.
    expect(born.find((p) => p.emoji === '🔥')?.label).toBe(5000);
  });

  test('one kind tapped by a crowd gets the whole budget, labelled once', () => {
    const born = addCheers([], { '🔥': 10_000 }, counter(), half);
    expect(born).toHaveLength(perTick);
    expect(born.filter((p) => p.label !== undefined).map((p) => p.label)).toEqual([10_000]);
    expect(addCheers([], { '❤️': 1 }, counter(), half)[0]?.label).toBeUndefined();
  });

  test('what is on screen is capped: the oldest make way', () => {
    const next = counter();
    let alive: Particle[] = [];
    for (let tick = 0; tick < 100; tick++) alive = addCheers(alive, { '🔥': 10_000 }, next, half);
    expect(alive).toHaveLength(maxParticles);
    expect(alive.at(-1)?.id).toBe(100 * perTick);
    expect(alive[0]?.id).toBe(100 * perTick - maxParticles + 1);
  });
});
