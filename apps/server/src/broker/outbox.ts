import type { ChatMessage } from '@hubbub/protocol';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { MessageStore, StoredMessage } from '../store/port.js';

export interface OutboxOptions {
  /** A connection of its own: reading blocks it. */
  redis: Redis;
  store: MessageStore;
  /** The outbox streams (RedisBroker.outboxKeys()). */
  streams: readonly string[];
  /** This node's name in the consumer group; unique per process. */
  consumer: string;
  /**
   * Where consumers' leases live: `<leasePrefix><consumer>` (RedisBroker.outboxLeasePrefix(),
   * so that deployments sharing a Redis under different prefixes stay apart).
   */
  leasePrefix: string;
  logger: Logger;
  group?: string;
  batch?: number;
  /**
   * How long this consumer's lease lasts unless renewed (ms; renewed every fifth of it).
   * Once a consumer's lease has lapsed (its process died), any other consumer claims the
   * entries it read and never acknowledged.
   */
  leaseMs?: number;
  /**
   * Entries another consumer read but has not acknowledged for this long are taken over
   * even while it holds a lease (a node alive but stuck): the backstop.
   */
  claimIdleMs?: number;
  /** Told of each successful commit: rows and seconds (for metrics). */
  onCommit?: (rows: number, seconds: number) => void;
}

type Entry = [id: string, fields: string[]];

/**
 * Drains the Redis outbox into the database: every node runs one, all in one consumer
 * group, so each entry is written by one of them. Entries are acknowledged only after
 * their batch is committed (inserts are idempotent on (room, seq), so a retry or a second
 * writer is harmless); a failed commit is retried with backoff from the consumer's own
 * pending entries. The database may be down for a while: the outbox holds everything.
 *
 * A dead node's unfinished work is taken over promptly: each consumer holds a lease in
 * Redis (a key with a TTL of `leaseMs`, renewed every fifth of it while the process lives),
 * and every second or so each consumer looks for others with pending entries whose lease
 * has lapsed and claims those entries (XCLAIM; entries idle for less than half a lease are
 * left, so two claimers do not both take them). A consumer with no lease at all (a node of
 * an older version) counts as lapsed: a second write of its entries is harmless. Entries
 * idle for `claimIdleMs` are claimed from anyone (a live node stuck mid-commit).
 */
export class OutboxPersister {
  private readonly group: string;
  private readonly batch: number;
  private readonly claimIdleMs: number;
  private readonly leaseMs: number;
  /** How often leases are looked at (ms). */
  private readonly leaseCheckMs: number;
  private renewal: NodeJS.Timeout | undefined;
  private running = false;
  private loop: Promise<void> | undefined;
  private failures = 0;

  constructor(private readonly options: OutboxOptions) {
    this.group = options.group ?? 'persisters';
    this.batch = options.batch ?? 500;
    this.claimIdleMs = options.claimIdleMs ?? 30_000;
    this.leaseMs = options.leaseMs ?? 5000;
    this.leaseCheckMs = Math.min(1000, this.leaseMs / 5);
  }

  private leaseKey(consumer: string): string {
    return `${this.options.leasePrefix}${consumer}`;
  }

  /** Holds (or extends) this consumer's lease. */
  private async renew(): Promise<void> {
    await this.options.redis.set(this.leaseKey(this.options.consumer), '1', 'PX', this.leaseMs);
  }

  async start(): Promise<void> {
    // Leased before anything is read: no entry of ours is ever pending without a lease.
    await this.renew();
    this.renewal = setInterval(() => {
      this.renew().catch((error: unknown) =>
        this.options.logger.warn({ err: error }, 'outbox lease not renewed'),
      );
    }, this.leaseMs / 5);
    this.renewal.unref();
    for (const stream of this.options.streams) {
      await this.options.redis
        .xgroup('CREATE', stream, this.group, '0', 'MKSTREAM')
        .catch((error: Error) => {
          if (!error.message.includes('BUSYGROUP')) throw error;
        });
    }
    this.running = true;
    this.loop = this.run();
  }

  /** Entries written to the outbox and not yet committed to the database, all partitions. */
  async lag(): Promise<number> {
    let total = 0;
    for (const stream of this.options.streams) {
      const groups = (await this.options.redis.xinfo('GROUPS', stream)) as unknown[][];
      for (const group of groups) {
        const fields = new Map<string, unknown>();
        for (let i = 0; i + 1 < group.length; i += 2) fields.set(String(group[i]), group[i + 1]);
        if (fields.get('name') !== this.group) continue;
        total += Number(fields.get('pending') ?? 0) + Number(fields.get('lag') ?? 0);
      }
    }
    return total;
  }

  /**
   * Stops after the batch in hand is committed (or given up on), and gives up the lease, so
   * another consumer claims at once whatever is left pending.
   */
  async close(): Promise<void> {
    this.running = false;
    clearInterval(this.renewal);
    await this.loop;
    await this.options.redis.del(this.leaseKey(this.options.consumer)).catch(() => {});
  }

  private async run(): Promise<void> {
    let lastClaim = 0;
    let lastLeaseCheck = 0;
    while (this.running) {
      try {
        // Our own unacknowledged entries first (a failed commit), then those of consumers
        // whose lease lapsed, then stale ones of anyone, then new ones.
        let entries = await this.read('0');
        if (entries.length === 0 && Date.now() - lastLeaseCheck >= this.leaseCheckMs) {
          lastLeaseCheck = Date.now();
          entries = await this.claimLapsed();
        }
        if (entries.length === 0 && Date.now() - lastClaim > this.claimIdleMs / 2) {
          lastClaim = Date.now();
          entries = await this.claim();
        }
        if (entries.length === 0) entries = await this.read('>');
        if (entries.length === 0) continue;
        await this.commit(entries);
        this.failures = 0;
      } catch (error) {
        this.failures += 1;
        const delay = Math.min(5000, 100 * 2 ** Math.min(this.failures, 6));
        this.options.logger.warn({ err: error, retryInMs: delay }, 'outbox commit failed');
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private async read(from: '0' | '>'): Promise<Array<{ stream: string; entry: Entry }>> {
    const { redis, streams, consumer } = this.options;
    const args: Array<string | number> = ['GROUP', this.group, consumer, 'COUNT', this.batch];
    if (from === '>') args.push('BLOCK', 500);
    // The typed overloads cannot spell a variable number of streams; the reply is the same.
    const xreadgroup = redis.xreadgroup.bind(redis) as unknown as (
      ...args: Array<string | number>
    ) => Promise<Array<[string, Entry[]]> | null>;
    const answer = await xreadgroup(...args, 'STREAMS', ...streams, ...streams.map(() => from));
    return (answer ?? []).flatMap(([stream, entries]) =>
      entries.filter(([, fields]) => fields !== null).map((entry) => ({ stream, entry })),
    );
  }

  /** The entries of every other consumer whose lease lapsed, up to a batch. */
  private async claimLapsed(): Promise<Array<{ stream: string; entry: Entry }>> {
    const { redis, streams, consumer } = this.options;
    const listing = redis.pipeline();
    for (const stream of streams) listing.xinfo('CONSUMERS', stream, this.group);
    const answers = (await listing.exec()) ?? [];
    // Each stream's consumers holding pending entries, other than this one.
    const holders: Array<{ stream: string; name: string }> = [];
    for (const [i, [error, reply]] of answers.entries()) {
      const stream = streams[i];
      if (error !== null || stream === undefined || !Array.isArray(reply)) continue;
      for (const fields of reply as unknown[][]) {
        const info = new Map<string, unknown>();
        for (let j = 0; j + 1 < fields.length; j += 2) info.set(String(fields[j]), fields[j + 1]);
        const name = String(info.get('name'));
        if (name !== consumer && Number(info.get('pending') ?? 0) > 0)
          holders.push({ stream, name });
      }
    }
    if (holders.length === 0) return [];
    const names = [...new Set(holders.map((holder) => holder.name))];
    const leases = await redis.mget(...names.map((name) => this.leaseKey(name)));
    const lapsed = new Set(names.filter((_, i) => leases[i] === null));
    const claimed: Array<{ stream: string; entry: Entry }> = [];
    const minIdle = Math.floor(this.leaseMs / 2);
    for (const { stream, name } of holders) {
      if (!lapsed.has(name) || claimed.length >= this.batch) continue;
      const pending = (await redis.xpending(
        stream,
        this.group,
        'IDLE',
        minIdle,
        '-',
        '+',
        this.batch - claimed.length,
        name,
      )) as Array<[string, string, number, number]>;
      if (pending.length === 0) continue;
      const entries = (await redis.xclaim(
        stream,
        this.group,
        consumer,
        minIdle,
        ...pending.map(([id]) => id),
      )) as Entry[];
      for (const entry of entries)
        if (entry !== null && entry[1] !== null) claimed.push({ stream, entry });
      this.options.logger.warn(
        { stream, from: name, entries: entries.length },
        'claimed the outbox entries of a consumer whose lease lapsed',
      );
    }
    return claimed;
  }

  private async claim(): Promise<Array<{ stream: string; entry: Entry }>> {
    const claimed: Array<{ stream: string; entry: Entry }> = [];
    for (const stream of this.options.streams) {
      const [, entries] = (await this.options.redis.xautoclaim(
        stream,
        this.group,
        this.options.consumer,
        this.claimIdleMs,
        '0-0',
        'COUNT',
        this.batch,
      )) as [string, Entry[]];
      for (const entry of entries) if (entry[1] !== null) claimed.push({ stream, entry });
    }
    return claimed;
  }

  private async commit(entries: Array<{ stream: string; entry: Entry }>): Promise<void> {
    const messages: StoredMessage[] = entries.map(({ entry: [, fields] }) => {
      const field = (name: string) => fields[fields.indexOf(name) + 1] ?? '';
      return { ...(JSON.parse(field('m')) as ChatMessage), cid: field('c') };
    });
    const started = performance.now();
    await this.options.store.insertMessages(messages);
    const seconds = (performance.now() - started) / 1000;
    const byStream = new Map<string, string[]>();
    for (const { stream, entry } of entries)
      byStream.set(stream, [...(byStream.get(stream) ?? []), entry[0]]);
    const ack = this.options.redis.pipeline();
    for (const [stream, ids] of byStream) ack.xack(stream, this.group, ...ids).xdel(stream, ...ids);
    await ack.exec();
    // After the acknowledgement: an observer's failure must not leave entries pending.
    this.options.onCommit?.(messages.length, seconds);
  }
}
