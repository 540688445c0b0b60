import type { ChatMessage, Epoch, RoomId, Seq } from '@hubbub/protocol';
import { ErrorCode } from '@hubbub/protocol';
import type { HistoryRange, MessageStore, StoredMessage } from '../store/port.js';
import { CidLookups } from './cid-lookups.js';
import type { Broker, DraftMessage, Replay, RoomListener } from './port.js';

/** The group-commit persister as the broker sees it. */
export interface DurableWriter {
  /** Resolves once the message is committed; resolutions come in call order. */
  write(message: StoredMessage): Promise<void>;
  /** Messages queued or being committed. */
  readonly backlog: number;
}

export interface LocalBrokerOptions {
  store: MessageStore;
  writer: DurableWriter;
  /** Messages per room kept in memory to serve joins and short resumes without the store. */
  windowSize?: number;
  /** Most messages one resume replays; older gaps get a reset. */
  resumeWindow?: number;
  /** Publishes refused with `unavailable` while the persister is this far behind. */
  maxBacklog?: number;
  /** How many recent (room, user, cid) answers are remembered without asking the store. */
  cidMemory?: number;
}

export class BrokerError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'BrokerError';
  }
}

interface RoomLog {
  epoch: Epoch;
  /** The last seq handed out; ahead of `durable` while commits are in flight. */
  assigned: Seq;
  /** The last seq committed and delivered. Everything up to it is in the store. */
  durable: Seq;
  /** Committed messages waiting for an earlier seq's commit before they may be delivered. */
  committed: Map<Seq, ChatMessage>;
  /** The newest delivered messages, oldest first. */
  window: ChatMessage[];
  /** Settles when the previous publish has taken (or declined) its seq. */
  turn: Promise<void>;
}

/**
 * The embedded broker: one process (or several test servers in one process) over the
 * store. A seq becomes visible only after its row is committed, so a crash can never make
 * a client hold a message the restarted server does not know, nor reuse its seq.
 */
export class LocalBroker implements Broker {
  private readonly store: MessageStore;
  private readonly cids: CidLookups;
  private readonly writer: DurableWriter;
  private readonly windowSize: number;
  private readonly resumeWindow: number;
  private readonly maxBacklog: number;
  private readonly cidMemory: number;
  private readonly logs = new Map<RoomId, Promise<RoomLog>>();
  private readonly listeners = new Map<RoomId, Set<RoomListener>>();
  private readonly inflight = new Map<string, Promise<ChatMessage>>();
  private readonly recentCids = new Map<string, ChatMessage>();
  private closed = false;

  constructor(options: LocalBrokerOptions) {
    this.store = options.store;
    this.cids = new CidLookups((keys) => options.store.findByCids(keys));
    this.writer = options.writer;
    this.windowSize = options.windowSize ?? 256;
    this.resumeWindow = options.resumeWindow ?? 1000;
    this.maxBacklog = options.maxBacklog ?? 5000;
    this.cidMemory = options.cidMemory ?? 100_000;
  }

  publish(draft: DraftMessage): Promise<ChatMessage> {
    const key = `${draft.room}\u0000${draft.user.id}\u0000${draft.cid}`;
    const known = this.recentCids.get(key);
    if (known !== undefined) return Promise.resolve(known);
    const pending = this.inflight.get(key);
    if (pending !== undefined) return pending;
    if (this.closed) {
      return Promise.reject(new BrokerError(ErrorCode.shuttingDown, 'server is shutting down'));
    }
    const publishing = this.sequenceAndCommit(key, draft).finally(() => this.inflight.delete(key));
    this.inflight.set(key, publishing);
    return publishing;
  }

  private async sequenceAndCommit(key: string, draft: DraftMessage): Promise<ChatMessage> {
    // Refused before anything is queued as well as before the seq (below): with storage
    // behind, lookups must not pile up either.
    this.refuseIfBehind();
    const log = await this.log(draft.room);
    // The store lookups of concurrent publishes run in parallel, but seqs are handed out in
    // arrival order, so one sender's messages keep the order they were sent in.
    const earlierLookup = this.cids.find({
      room: draft.room,
      userId: draft.user.id,
      cid: draft.cid,
    });
    // Awaited below; this keeps a failure that lands while we wait from counting as unhandled.
    earlierLookup.catch(() => {});
    const myTurn = log.turn;
    let endTurn = () => {};
    log.turn = new Promise<void>((resolve) => {
      endTurn = resolve;
    });
    let message: ChatMessage;
    try {
      await myTurn;
      const earlier = await earlierLookup;
      if (earlier !== undefined) return this.remember(key, withoutCid(earlier));
      // Refuse before a seq is taken: a seq that is handed out must be committed, or the
      // room would have a gap.
      this.refuseIfBehind();
      message = this.assign(log, draft);
    } finally {
      endTurn();
    }
    // Called in the same turn as `assign`, so the persister queues rows in seq order. It
    // retries failed commits until they succeed; it rejects only once closed, and the broker
    // is closed (waiting for in-flight publishes) before it.
    await this.writer.write({ ...message, cid: draft.cid });
    log.committed.set(message.seq, message);
    this.deliverCommitted(draft.room, log);
    return this.remember(key, message);
  }

  /** Refuses a publish while the persister is too far behind to take more. */
  private refuseIfBehind(): void {
    if (this.writer.backlog >= this.maxBacklog) {
      throw new BrokerError(ErrorCode.unavailable, 'storage is behind; resend with the same cid');
    }
  }

  private assign(log: RoomLog, draft: DraftMessage): ChatMessage {
    log.assigned += 1;
    const seq = log.assigned;
    return {
      room: draft.room,
      seq,
      id: draft.id,
      user: draft.user,
      content: draft.content,
      ts: draft.ts,
      // A reply can only answer what came before it.
      ...(draft.replyTo !== undefined && draft.replyTo < seq ? { replyTo: draft.replyTo } : {}),
      ...(draft.attachments === undefined || draft.attachments.length === 0
        ? {}
        : { attachments: draft.attachments }),
    };
  }

  /** Delivers every committed message that directly follows the last delivered one. */
  private deliverCommitted(room: RoomId, log: RoomLog): void {
    const ready: ChatMessage[] = [];
    for (let next = log.committed.get(log.durable + 1); next !== undefined; ) {
      log.committed.delete(next.seq);
      log.durable = next.seq;
      ready.push(next);
      next = log.committed.get(log.durable + 1);
    }
    if (ready.length === 0) return;
    log.window.push(...ready);
    if (log.window.length > this.windowSize)
      log.window.splice(0, log.window.length - this.windowSize);
    for (const listener of this.listeners.get(room) ?? []) listener(ready);
  }

  private remember(key: string, message: ChatMessage): ChatMessage {
    this.recentCids.set(key, message);
    if (this.recentCids.size > this.cidMemory) {
      const oldest = this.recentCids.keys().next().value;
      if (oldest !== undefined) this.recentCids.delete(oldest);
    }
    return message;
  }

  private log(room: RoomId): Promise<RoomLog> {
    let log = this.logs.get(room);
    if (log === undefined) {
      log = this.store.openRoom(room).then(async (head) => ({
        epoch: head.epoch,
        assigned: head.seq,
        durable: head.seq,
        committed: new Map(),
        // The newest messages from the start, so that joins and short resumes after a
        // restart are answered from memory: then every client resumes at once, and one query
        // per room beats one per client (the storm benchmark).
        window:
          head.seq === 0
            ? []
            : await this.store.roomMessages(room, {
                after: Math.max(0, head.seq - this.windowSize),
                limit: this.windowSize,
              }),
        turn: Promise.resolve(),
      }));
      // A failed load must not poison the room forever: the next call tries again.
      log.catch(() => this.logs.delete(room));
      this.logs.set(room, log);
    }
    return log;
  }

  /** One process never misses a message, so `lost` is never called. */
  subscribe(room: RoomId, listener: RoomListener): () => void {
    let set = this.listeners.get(room);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(room, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(room) === set) this.listeners.delete(room);
    };
  }

  async head(room: RoomId): Promise<{ epoch: Epoch; seq: Seq }> {
    const log = await this.log(room);
    return { epoch: log.epoch, seq: log.durable };
  }

  async replay(room: RoomId, since: Seq, epoch?: Epoch): Promise<Replay> {
    const log = await this.log(room);
    const head = log.durable;
    const reset: Replay = { kind: 'reset', epoch: log.epoch, seq: head };
    if ((epoch !== undefined && epoch !== log.epoch) || since > head) return reset;
    if (head - since > this.resumeWindow) return reset;
    const messages = await this.range(room, log, since, head);
    return { kind: 'messages', epoch: log.epoch, seq: head, messages };
  }

  async recent(
    room: RoomId,
    limit: number,
  ): Promise<{ epoch: Epoch; seq: Seq; messages: ChatMessage[] }> {
    const log = await this.log(room);
    const head = log.durable;
    const messages = await this.range(room, log, Math.max(0, head - limit), head);
    return { epoch: log.epoch, seq: head, messages };
  }

  /** The store's page as it is: a seq is acknowledged only once its row is committed. */
  history(room: RoomId, range: HistoryRange): Promise<ChatMessage[]> {
    return this.store.roomMessages(room, range);
  }

  /** Messages with after < seq <= upTo, from memory when the window reaches back far enough. */
  private async range(room: RoomId, log: RoomLog, after: Seq, upTo: Seq): Promise<ChatMessage[]> {
    if (upTo <= after) return [];
    const first = log.window[0];
    if (first !== undefined && first.seq <= after + 1) {
      return log.window.filter((m) => m.seq > after && m.seq <= upTo);
    }
    const rows = await this.store.roomMessages(room, { after, limit: upTo - after });
    return rows.filter((m) => m.seq <= upTo);
  }

  revise(message: ChatMessage): void {
    // A log that failed to load has no window to revise (and must not become an
    // unhandled rejection here).
    void this.logs.get(message.room)?.then(
      (log) => {
        const index = log.window.findIndex((m) => m.seq === message.seq);
        if (index >= 0) log.window[index] = message;
      },
      () => {},
    );
    for (const [key, known] of this.recentCids) {
      if (known.room === message.room && known.seq === message.seq)
        this.recentCids.set(key, message);
    }
  }

  async expire(room: RoomId, at: number): Promise<void> {
    const wait = at - Date.now();
    if (wait > 0) {
      // Timers cap at 2^31 - 1 ms (~24.8 days); a longer wait sets another then.
      setTimeout(() => void this.expire(room, at), Math.min(wait, 2 ** 31 - 1)).unref();
      return;
    }
    // The next use loads the room afresh from the store (which its owner emptied). Its
    // recent cids age out of their bounded memory by themselves.
    this.logs.delete(room);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.inflight.values()]);
    this.listeners.clear();
  }
}

function withoutCid({ cid: _cid, ...message }: StoredMessage): ChatMessage {
  return message;
}
