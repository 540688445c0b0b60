import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface WatchdogOptions {
  /** How often a probe is published (ms). */
  intervalMs?: number;
  /** No probe back for this long: the subscriber is wedged (ms). */
  deadMs?: number;
  /** Told once per wedge, before the connection is dropped. */
  onWedged?: () => void;
}

/**
 * Pub/sub can stay connected and deliver nothing: a failover that kept the TCP connection,
 * a proxy that stopped forwarding. A probe published every `intervalMs` on a channel of this
 * subscriber's own must come back; when none has for `deadMs`, the subscriber is wedged:
 * `healthy()` turns false (readiness goes red) and its socket is destroyed, so ioredis
 * reconnects and resubscribes. What it missed meanwhile is for its owner to fill (the
 * broker's position check does).
 */
export class PubSubWatchdog {
  private readonly channel: string;
  private readonly intervalMs: number;
  private readonly deadMs: number;
  private readonly timer: NodeJS.Timeout;
  private lastHeard = Date.now();
  /** When the connection last became ready: a new one gets a full period before judging. */
  private connectedAt = Date.now();
  /** When the connection was last dropped for a wedge. */
  private droppedAt = 0;
  /** Drops in a row without a probe back: each waits twice as long before the next. */
  private drops = 0;

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    prefix: string,
    private readonly options: WatchdogOptions = {},
  ) {
    this.channel = `${prefix}:probe:${randomBytes(8).toString('hex')}`;
    this.intervalMs = options.intervalMs ?? 1000;
    this.deadMs = options.deadMs ?? 5000;
    subscriber.on('message', (channel: string) => {
      if (channel !== this.channel) return;
      this.lastHeard = Date.now();
      this.drops = 0;
    });
    // Every (re)connection starts a fresh period, and subscribes the probe again: ioredis
    // resubscribes only what once succeeded, and a SUBSCRIBE while Redis was down did not.
    subscriber.on('ready', () => {
      this.connectedAt = Date.now();
      subscriber.subscribe(this.channel).catch(() => {});
    });
    if (subscriber.status === 'ready') subscriber.subscribe(this.channel).catch(() => {});
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }

  /** Whether a probe came back within the last `deadMs`. */
  healthy(): boolean {
    return Date.now() - this.lastHeard <= this.deadMs;
  }

  private recovering(now: number): boolean {
    return now - this.droppedAt <= this.deadMs * 2 ** Math.min(this.drops, 4);
  }

  stop(): void {
    clearInterval(this.timer);
  }
  private tick(): void {
    this.publisher.publish(this.channel, '1').catch(() => {});
    // Judged after the socket reads already waiting: a busy event loop is not a wedge.
    setImmediate(() => this.judge());
  }

  private judge(): void {
    // Only a connection that claims to be fine can be wedged (one that is down reconnects by
    // itself), and a fresh one gets a full period; readiness stays red until a probe is back.
    const now = Date.now();
    const silentFor = now - Math.max(this.lastHeard, this.connectedAt);
    if (silentFor <= this.deadMs || this.subscriber.status !== 'ready' || this.recovering(now))
      return;
    this.options.onWedged?.();
    this.droppedAt = now;
    this.drops += 1;
    // Destroyed, not ended: a wedged peer may never answer a FIN (and a socket that stopped
    // reading never sees the end), so only a destroyed socket surely closes, and ioredis
    // then reconnects and resubscribes.
    this.subscriber.stream.destroy();
  }
}
