/**
 * Token bucket: `burst` tokens, refilled at `perSecond`. Time is passed in so tests and the
 * hot path share one clock read.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.updatedAt = now;
  }

  /** Takes one token if there is one. */
  take(now: number): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Takes as many of `wanted` tokens as there are; returns how many it took. */
  takeUpTo(wanted: number, now: number): number {
    this.refill(now);
    const taken = Math.min(wanted, Math.floor(this.tokens));
    this.tokens -= taken;
    return taken;
  }

  /** Gives back a token taken for something that turned out not to count. */
  refund(now: number): void {
    this.refill(now);
    this.tokens = Math.min(this.burst, this.tokens + 1);
  }

  /** Milliseconds until the next token is there (0 if one is there now). */
  msUntilNext(now: number): number {
    this.refill(now);
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.perSecond) * 1000);
  }

  /** Whether the bucket is back to full (so its owner can forget it). */
  isFull(now: number): boolean {
    this.refill(now);
    return this.tokens >= this.burst;
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.updatedAt) / 1000;
    this.tokens = Math.min(this.burst, this.tokens + elapsed * this.perSecond);
    this.updatedAt = now;
  }
}

/**
 * One bucket per key (a user, an account name, a client address), so opening more sockets
 * or connections does not buy more attempts. Full buckets are forgotten to bound memory.
 */
export class KeyedLimiter {
  private readonly buckets = new Map<string, TokenBucket>();
  private sweptAt = 0;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
  ) {}

  take(key: string, now: number): boolean {
    return this.bucket(key, now).take(now);
  }

  /**
   * Gives back the token `key` took: an attempt is taken before it is made (so attempts in
   * flight at once cannot overdraw the bucket) and refunded when it proves not to count.
   */
  refund(key: string, now: number): void {
    this.buckets.get(key)?.refund(now);
  }

  /** Milliseconds until `key` may try again. */
  msUntilNext(key: string, now: number): number {
    return this.bucket(key, now).msUntilNext(now);
  }

  private bucket(key: string, now: number): TokenBucket {
    this.sweep(now);
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = new TokenBucket(this.perSecond, this.burst, now);
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  private sweep(now: number): void {
    if (now - this.sweptAt < 60_000) return;
    this.sweptAt = now;
    for (const [key, bucket] of this.buckets) {
      if (bucket.isFull(now)) this.buckets.delete(key);
    }
  }
}
