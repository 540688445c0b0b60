/**
 * When the tokens of a node's connections run out, in one-second buckets swept by one
 * timer. A timer per connection costs an idle connection ~200 bytes (the Timeout, its
 * closure and context); an entry here costs a Set slot. A token is acted on within a second
 * after its `exp`, never before.
 */
export class Expiries<T> {
  /** Second (since the epoch) → what expires in it. */
  private readonly buckets = new Map<number, Set<T>>();
  /** The last second swept: the next sweep takes every bucket after it up to now. */
  private swept: number;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly expire: (item: T) => void,
    now = Date.now(),
  ) {
    this.swept = Math.floor(now / 1000) - 1;
    this.timer = setInterval(() => this.sweep(Date.now()), 1000);
    this.timer.unref();
  }

  /** `item` expires at `atSeconds` (a token's `exp`); one already past goes at the next sweep. */
  add(item: T, atSeconds: number): void {
    const second = Math.max(atSeconds, this.swept + 1);
    let bucket = this.buckets.get(second);
    if (bucket === undefined) {
      bucket = new Set();
      this.buckets.set(second, bucket);
    }
    bucket.add(item);
  }

  /** Forgets `item`'s expiry at `atSeconds` (the second it was added with). */
  remove(item: T, atSeconds: number): void {
    const second = Math.max(atSeconds, this.swept + 1);
    const bucket = this.buckets.get(second);
    if (bucket === undefined) return;
    bucket.delete(item);
    if (bucket.size === 0) this.buckets.delete(second);
  }

  /** Expires everything due by `now`. Public for tests, which pass their own clock. */
  sweep(now: number): void {
    const due = Math.floor(now / 1000);
    for (let second = this.swept + 1; second <= due; second++) {
      const bucket = this.buckets.get(second);
      if (bucket === undefined) continue;
      this.buckets.delete(second);
      for (const item of bucket) this.expire(item);
    }
    this.swept = Math.max(this.swept, due);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
