import type { CheerEmoji, CheersFrame } from '@hubbub/protocol';

/**
 * Live reactions as floating emoji. A room's taps arrive added up, a few times a second;
 * one floating emoji per tap would be thousands of nodes in a big crowd, so a tick's taps
 * become a few emoji whose number and size grow with the log of the taps, the lead one of
 * each kind labelled with the count. The number on screen is capped.
 */
export interface Particle {
  id: number;
  emoji: CheerEmoji;
  /** The taps this emoji stands for, shown on the lead one of a kind when more than one. */
  label: number | undefined;
  /** Where it starts across the overlay (%), its sideways drift (px) and size (rem). */
  x: number;
  drift: number;
  size: number;
  /** Spreads a tick's emoji over the tick instead of launching them together (ms). */
  delay: number;
}

/** How long one floats (ms); the CSS animation uses the same. */
export const riseMs = 2400;
/** New emoji per tick at most, shared by the kinds tapped. */
export const perTick = 5;
/** Emoji on screen at most: `perTick` every 250 ms tick for `riseMs`. */
export const maxParticles = 48;

/** Emoji that stand for `taps` taps of one kind in one tick: 1, 2, 3 for a few, then slower. */
export function particlesFor(taps: number): number {
  if (taps <= 0) return 0;
  return Math.min(perTick, taps <= 3 ? taps : 3 + Math.floor(Math.log10(taps)));
}

/** Bigger crowds, bigger emoji (rem). */
export function sizeFor(taps: number): number {
  return 1.5 + Math.min(1.5, Math.log10(Math.max(1, taps)) * 0.5);
}

/**
 * The particles after a `cheers` frame: each kind tapped gets its lead emoji first (most
 * tapped first), then more as the tick's budget allows; past the cap, the oldest go.
 */
export function addCheers(
  alive: readonly Particle[],
  counts: CheersFrame['counts'],
  nextId: () => number,
  random: () => number = Math.random,
): Particle[] {
  const tapped = (Object.entries(counts) as Array<[CheerEmoji, number]>)
    .filter(([, taps]) => taps > 0)
    .sort((a, b) => b[1] - a[1]);
  const wanted = tapped.map(([, taps]) => particlesFor(taps));
  const given = tapped.map(() => 0);
  // Round by round: one more for every kind that wants more, until the budget is spent.
  let budget = perTick;
  for (let round = 0; budget > 0 && round < perTick; round++) {
    for (let i = 0; i < tapped.length && budget > 0; i++) {
      if ((given[i] ?? 0) >= (wanted[i] ?? 0)) continue;
      given[i] = (given[i] ?? 0) + 1;
      budget--;
    }
  }
  const born: Particle[] = [];
  tapped.forEach(([emoji, taps], i) => {
    for (let n = 0; n < (given[i] ?? 0); n++) {
      born.push({
        id: nextId(),
        emoji,
        label: n === 0 && taps > 1 ? taps : undefined,
        x: 55 + random() * 37,
        drift: (random() - 0.5) * 60,
        size: sizeFor(taps) * (n === 0 ? 1 : 0.75),
        delay: Math.floor(random() * 200),
      });
    }
  });
  return [...alive, ...born].slice(-maxParticles);
}
