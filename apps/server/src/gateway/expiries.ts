/**
 * When the tokens of a node's connections run out, in one-second buckets swept by one
 * timer. A timer per connection costs an idle connection ~200 bytes (the Timeout, its
 * closure and context); an entry here costs a Set slot. A token is acted on within a second
 * after its `exp` (a JWT date, so wall-clock seconds, fractions allowed), never before. If
 * the wall clock steps back, what was already due goes at the next sweep, and what is due
 * after the step goes that much later.
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
    const second = this.bucketOf(atSeconds);
    let bucket = this.buckets.get(second);
    if (bucket === undefined) {
      bucket = new Set();
      this.buckets.set(second, bucket);
    }
    bucket.add(item);
  }

  /** Forgets `item`'s expiry at `atSeconds` (the second it was added with). */
  remove(item: T, atSeconds: number): void {
    const second = this.bucketOf(atSeconds);
    const bucket = this.buckets.get(second);
    if (bucket === undefined) return;
    bucket.delete(item);
    if (bucket.size === 0) this.buckets.delete(second);
  }

  /** The bucket of a time: its second rounded up, or the next to be swept if that passed. */
  private bucketOf(atSeconds: number): number {
    return Math.max(Math.ceil(atSeconds), this.swept + 1);
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
