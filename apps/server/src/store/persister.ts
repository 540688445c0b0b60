import type { RoomId } from '@hubbub/protocol';
import type { MessageStore, StoredMessage } from './port.js';

export interface PersisterLogger {
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
  info(object: object, message: string): void;
}

export interface PersisterOptions {
  logger: PersisterLogger;
  /** Most rows in one commit: bounds how long one synchronous SQLite commit holds the loop. */
  maxBatch?: number;
  /** Writes refused (code `unavailable`) beyond this backlog. */
  maxQueue?: number;
  /**
   * Commits in flight at once (1 for SQLite, whose one connection runs them one by one
   * anyway; a few for PostgreSQL, whose pool runs them side by side).
   */
  concurrency?: number;
  /** Told of each successful commit: rows and seconds (for metrics). */
  onCommit?: (rows: number, seconds: number) => void;
}

/** An error with a protocol error code, so callers can tell the client what happened. */
export class PersisterError extends Error {
  constructor(
    readonly code: 'unavailable' | 'shutting_down',
    message: string,
  ) {
    super(message);
    this.name = 'PersisterError';
  }
}

interface Pending {
  message: StoredMessage;
  resolve(): void;
}

const FIRST_RETRY_MS = 50;
const MAX_RETRY_MS = 2000;

/**
 * One lane of commits: whatever is queued is committed in one transaction as soon as the
 * previous commit finishes, so an idle room commits at once and a busy one in batches.
 * Writes resolve strictly in the order they were made, and only after their commit
 * succeeded; a failed commit is retried (with backoff) until it succeeds, never skipped or
 * reordered.
 */
class Lane {
  private queue: Pending[] = [];
  private committing = 0;
  private running = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly commit: (messages: StoredMessage[]) => Promise<void>,
    private readonly maxBatch: number,
  ) {}

  get backlog(): number {
    return this.queue.length + this.committing;
  }

  push(pending: Pending): void {
    this.queue.push(pending);
    if (!this.running) {
      this.running = true;
      // Start on the next turn rather than now, so every write made while handling this
      // turn's frames shares the first commit too.
      setImmediate(() => void this.run());
    }
  }

  private async run(): Promise<void> {
    while (this.queue.length > 0) {
      // At most maxBatch at a time, each resolved as soon as it is durable.
      const batch = this.queue.splice(0, this.maxBatch);
      this.committing = batch.length;
      await this.commit(batch.map((pending) => pending.message));
      this.committing = 0;
      for (const pending of batch) pending.resolve();
    }
    this.running = false;
    for (const wake of this.idleWaiters.splice(0)) wake();
  }

  drain(): Promise<void> {
    if (!this.running && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}

/** Which lane a room's writes take: always the same one (FNV-1a over its id). */
export function laneOf(room: RoomId, lanes: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < room.length; i++) hash = Math.imul(hash ^ room.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % lanes;
}

/**
 * Group commit over `concurrency` lanes: each room always takes the same lane, so a room's
 * rows are committed, and its writes resolve, strictly in the order they were made, and
 * what is durable of a room is always a prefix of what was written, even after a crash
 * mid-way. Lanes commit side by side; a lane whose commit keeps failing holds up only its
 * own rooms.
 */
export class GroupCommitPersister {
  private readonly store: MessageStore;
  private readonly logger: PersisterLogger;
  private readonly maxBatch: number;
  private readonly maxQueue: number;
  private readonly onCommit: (rows: number, seconds: number) => void;
  private readonly lanes: Lane[];
  private closed = false;

  constructor(store: MessageStore, options: PersisterOptions) {
    this.store = store;
    this.logger = options.logger;
    this.maxBatch = options.maxBatch ?? 500;
    this.maxQueue = options.maxQueue ?? 100_000;
    this.onCommit = options.onCommit ?? (() => {});
    this.lanes = Array.from(
      { length: Math.max(1, options.concurrency ?? 1) },
      () => new Lane((messages) => this.commit(messages), this.maxBatch),
    );
  }

  /** Messages queued or being committed. */
  get backlog(): number {
    let total = 0;
    for (const lane of this.lanes) total += lane.backlog;
    return total;
  }

  /** Queues the message; resolves once it is committed. */
  write(message: StoredMessage): Promise<void> {
    if (this.closed) {
      return Promise.reject(new PersisterError('shutting_down', 'persister is closed'));
    }
    if (this.backlog >= this.maxQueue) {
      return Promise.reject(new PersisterError('unavailable', 'persister backlog is full'));
    }
    const lane = this.lanes[laneOf(message.room, this.lanes.length)]!;
    return new Promise<void>((resolve) => lane.push({ message, resolve }));
  }

  private async commit(messages: StoredMessage[]): Promise<void> {
    let delay = FIRST_RETRY_MS;
    let seconds = 0;
    for (let attempt = 1; ; attempt++) {
      try {
        const started = performance.now();
        await this.store.insertMessages(messages);
        seconds = (performance.now() - started) / 1000;
        if (attempt > 1)
          this.logger.info({ attempt, rows: messages.length }, 'commit succeeded after retrying');
        break;
      } catch (error) {
        // Logged once per failure streak, not once per retry.
        if (attempt === 1)
          this.logger.error({ err: error, rows: messages.length }, 'commit failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, MAX_RETRY_MS);
      }
    }
    // Outside the retry: an observer's failure is not a failed commit, nor a stuck lane.
    try {
      this.onCommit(messages.length, seconds);
    } catch (error) {
      this.logger.warn({ err: error }, 'commit observer failed');
    }
  }

  /** Resolves once everything written so far is committed. */
  async drain(): Promise<void> {
    await Promise.all(this.lanes.map((lane) => lane.drain()));
  }

  /** Refuses new writes and waits for the queued ones to commit. */
  async close(): Promise<void> {
    this.closed = true;
    await this.drain();
  }
}
