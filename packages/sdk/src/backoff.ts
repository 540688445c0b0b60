export interface BackoffOptions {
  /** The cap of the first retry's delay. */
  initialDelayMs: number;
  /** No delay is ever longer than this. */
  maxDelayMs: number;
}

export const defaultBackoff: BackoffOptions = { initialDelayMs: 500, maxDelayMs: 30_000 };

/**
 * Exponential backoff with full jitter: a uniformly random delay between 0 and
 * min(max, initial · 2^attempt). The randomness spreads a crowd of clients that all lost the
 * same server, so they do not come back in one thundering herd.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}
