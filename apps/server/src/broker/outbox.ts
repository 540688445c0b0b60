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
  logger: Logger;
  group?: string;
  batch?: number;
  /** Entries another consumer read but has not acknowledged for this long are taken over. */
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
 * pending entries; entries a dead node read and never acknowledged are claimed after
 * `claimIdleMs`. The database may be down for a while: the outbox holds everything.
 */
export class OutboxPersister {
  private readonly group: string;
  private readonly batch: number;
  private readonly claimIdleMs: number;
  private running = false;
  private loop: Promise<void> | undefined;
  private failures = 0;

  constructor(private readonly options: OutboxOptions) {
    this.group = options.group ?? 'persisters';
    this.batch = options.batch ?? 500;
    this.claimIdleMs = options.claimIdleMs ?? 30_000;
  }

  async start(): Promise<void> {
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

  /** Stops after the batch in hand is committed (or given up on, to be claimed later). */
  async close(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    let lastClaim = 0;
    while (this.running) {
      try {
        // Our own unacknowledged entries first (a failed commit), then stale ones of dead
        // consumers, then new ones.
        let entries = await this.read('0');
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
