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
 * One bucket per user across all of the user's connections on this node, so opening more
 * sockets does not buy more sends. Full buckets are forgotten to bound memory.
 */
export class PerUserLimiter {
  private readonly buckets = new Map<string, TokenBucket>();
  private sweptAt = 0;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
  ) {}

  take(userId: string, now: number): boolean {
    this.sweep(now);
    let bucket = this.buckets.get(userId);
    if (bucket === undefined) {
      bucket = new TokenBucket(this.perSecond, this.burst, now);
      this.buckets.set(userId, bucket);
    }
    return bucket.take(now);
  }

  private sweep(now: number): void {
    if (now - this.sweptAt < 60_000) return;
    this.sweptAt = now;
    for (const [userId, bucket] of this.buckets) {
      if (bucket.isFull(now)) this.buckets.delete(userId);
    }
  }
}
