import { randomBytes } from 'node:crypto';
import { type ChatMessage, type Epoch, ErrorCode, type RoomId, type Seq } from '@hubbub/protocol';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { HistoryRange, MessageStore } from '../store/port.js';
import { BrokerError } from './local.js';
import type { Broker, DraftMessage, Replay, RoomListener } from './port.js';
import { HEAD, LOSS_GAP, PUBLISH, refusal } from './scripts.js';
import { PubSubWatchdog } from './watchdog.js';

export interface RedisBrokerOptions {
  /** Commands; the broker makes its own subscriber connection from it. */
  redis: Redis;
  /** History beyond the log (and the restart case): the database the outbox fills. */
  store: MessageStore;
  prefix?: string;
  /** Messages per room kept in the Redis log: the resume window without the database. */
  logLength?: number;
  /** Most messages one resume replays; older gaps get a reset. */
  resumeWindow?: number;
  /** Outbox streams the rooms are spread over (persisters drain each with a group). */
  outboxPartitions?: number;
  /** How often each subscribed room's position is compared with Redis (ms). */
  positionCheckMs?: number;
  /**
   * Each sender's budget across all nodes (sends per second, burst); absent: none beyond
   * what each node counts for itself.
   */
  userRate?: { perSecond: number; burst: number };
  /** How pub/sub is probed for a wedge (defaults: every 1 s, wedged after 5 s silent). */
  watchdog?: { intervalMs: number; deadMs: number };
  /** Where a feed that lost messages is reported (once per loss, not per member). */
  logger?: Pick<Logger, 'warn'>;
}

interface Subscriber {
  deliver: RoomListener;
  lost: () => void;
}

/** One room this node listens to: who, how far delivered, and what waits to be. */
interface Feed {
  subscribers: Set<Subscriber>;
  /** The room's epoch the feed follows; undefined until the subscription is live. */
  epoch: Epoch | undefined;
  /** Delivered up to here; undefined until the subscription is live. */
  delivered: Seq | undefined;
  /** Messages received ahead of `delivered + 1`, by seq. */
  held: Map<Seq, ChatMessage>;
  draining: boolean;
  /** An `open` is under way (the position check must not start a second). */
  opening: boolean;
}

/**
 * The scale-out broker: every node sequences through Redis (one Lua script per publish,
 * see PUBLISH), delivers from Redis pub/sub, and serves joins and resumes from the room's
 * log stream, falling back to the database beyond it. A node subscribes to a room's
 * channel only while it has members there. Pub/sub can lose messages (a reconnect, a
 * failover); every gap in the seqs, and a periodic comparison with the room's seq in
 * Redis, is filled from the log, so listeners still get every message once and in order.
 *
 * Durability: a publish resolves once Redis has executed the script. Run Redis with
 * `appendonly yes` and `appendfsync always` for "acknowledged means on disk"; Redis writes
 * and fsyncs the AOF before it answers, and before it delivers the PUBLISH.
 *
 * Readable at once: the database gets a message a moment after its ack (the outbox), or
 * later when the node that read its outbox entry died (until another claims it). Joins,
 * resumes and REST history never show that as a hole: every seq above the room's base (see
 * HEAD) up to its head exists, so whatever a page should hold and the database does not
 * have yet is read from the log, and a seq in neither is refused as `unavailable`.
 */
export class RedisBroker implements Broker {
  private readonly redis: Redis;
  private readonly subscriber: Redis;
  private readonly store: MessageStore;
  private readonly prefix: string;
  private readonly logLength: number;
  private readonly resumeWindow: number;
  private readonly partitions: number;
  private readonly feeds = new Map<RoomId, Feed>();
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly positionCheck: NodeJS.Timeout;
  private readonly watchdog: PubSubWatchdog;
  private readonly logger: Pick<Logger, 'warn'> | undefined;
  private readonly userRate: { perSecond: number; burst: number };
  private closed = false;

  constructor(options: RedisBrokerOptions) {
    this.redis = options.redis;
    this.store = options.store;
    this.prefix = options.prefix ?? 'hubbub';
    this.resumeWindow = options.resumeWindow ?? 1000;
    this.logLength = Math.max(options.logLength ?? 1000, this.resumeWindow);
    this.partitions = options.outboxPartitions ?? 4;
    this.logger = options.logger;
    this.userRate = options.userRate ?? { perSecond: 0, burst: 0 };
    this.subscriber = this.redis.duplicate();
    this.subscriber.on('error', () => {});
    this.subscriber.on('message', (channel: string, json: string) => this.received(channel, json));
    this.positionCheck = setInterval(
      () => void this.checkPositions(),
      options.positionCheckMs ?? 5000,
    );
    this.positionCheck.unref();
    this.watchdog = new PubSubWatchdog(this.redis, this.subscriber, this.prefix, {
      ...options.watchdog,
      onWedged: () => this.logger?.warn('pub/sub delivered nothing: reconnecting it'),
    });
  }

  /** Whether pub/sub delivers (a probe came back lately): part of the node's readiness. */
  healthy(): boolean {
    return this.watchdog.healthy();
  }

  /**
   * The connection room channels arrive on, for RedisSignals to share: notices published
   * after a message then arrive after it. The broker probes and closes it.
   */
  get subscriberConnection(): Redis {
    return this.subscriber;
  }

  /** The outbox stream of each partition, for the persisters. */
  outboxKeys(): string[] {
    return Array.from({ length: this.partitions }, (_, i) => `${this.prefix}:outbox:${i}`);
  }

  /** Where the persisters keep their leases (a key per consumer after this prefix). */
  outboxLeasePrefix(): string {
    return `${this.prefix}:outbox-lease:`;
  }

  publish(draft: DraftMessage): Promise<ChatMessage> {
    if (this.closed)
      return Promise.reject(new BrokerError(ErrorCode.shuttingDown, 'server is shutting down'));
    const publishing = this.run(draft);
    this.inflight.add(publishing);
    void publishing.finally(() => this.inflight.delete(publishing)).catch(() => {});
    return publishing;
  }

  private async run(draft: DraftMessage): Promise<ChatMessage> {
    const { cid, replyTo, attachments, slowModeMs, unmetered, ...fields } = draft;
    const body = {
      ...fields,
      ...(attachments === undefined || attachments.length === 0 ? {} : { attachments }),
    };
    const keys = this.keys(draft.room);
    const publish = () =>
      this.redis.eval(
        PUBLISH,
        6,
        keys.meta,
        keys.log,
        `${keys.cids}:${draft.user.id}:${cid}`,
        this.outboxOf(draft.room),
        `${keys.slow}:${draft.user.id}`,
        `${this.prefix}:rate:${draft.user.id}`,
        Math.ceil(slowModeMs ?? 0),
        JSON.stringify(replyTo === undefined ? body : { ...body, replyTo }),
        JSON.stringify(body),
        replyTo ?? 0,
        this.logLength,
        unmetered === true ? 0 : this.userRate.perSecond,
        keys.channel,
        24 * 3600,
        cid,
        this.userRate.burst,
      ) as Promise<string | null>;
    let json: string | null;
    try {
      json = await publish();
      if (json === null) {
        // The room has no seq in Redis yet: seed it, once, and publish again.
        await this.head(draft.room);
        json = await publish();
      }
      if (json === null) throw new Error('room was not seeded');
    } catch (error) {
      if (error instanceof BrokerError) throw error;
      throw new BrokerError(
        ErrorCode.unavailable,
        `message not stored (${error instanceof Error ? error.message : 'redis'}); resend with the same cid`,
      );
    }
    if (json.startsWith('!')) throw refusal(json);
    return JSON.parse(json) as ChatMessage;
  }

  subscribe(room: RoomId, listener: RoomListener, lost: () => void = () => {}): () => void {
    let feed = this.feeds.get(room);
    if (feed === undefined) {
      const created: Feed = {
        subscribers: new Set(),
        epoch: undefined,
        delivered: undefined,
        held: new Map(),
        draining: false,
        opening: false,
      };
      feed = created;
      this.feeds.set(room, created);
      void this.open(room, created);
    }
    const subscriber: Subscriber = { deliver: listener, lost };
    feed.subscribers.add(subscriber);
    const mine = feed;
    return () => {
      mine.subscribers.delete(subscriber);
      if (mine.subscribers.size > 0 || this.feeds.get(room) !== mine) return;
      this.feeds.delete(room);
      void this.subscriber.unsubscribe(this.keys(room).channel).catch(() => {});
    };
  }

  /**
   * Starts a room's feed: the room's seq is read on the command connection as the channel
   * is subscribed, so whatever is published after this call has a higher seq, and whatever
   * was published before the subscription took effect is read back from the log.
   */
  private async open(room: RoomId, feed: Feed): Promise<void> {
    if (feed.opening) return;
    feed.opening = true;
    const start = this.head(room);
    const subscribed = this.subscriber.subscribe(this.keys(room).channel);
    try {
      // The first position read is the floor for good: a retry must not move it.
      const position = await start;
      if (feed.delivered === undefined) {
        feed.delivered = position.seq;
        feed.epoch = position.epoch;
      }
      await subscribed;
      await this.catchUp(room, feed);
    } catch {
      // Redis is unreachable: the position check tries again.
    } finally {
      feed.opening = false;
    }
  }

  private received(channel: string, payload: string): void {
    const room = this.roomOf(channel);
    const feed = room === undefined ? undefined : this.feeds.get(room);
    if (room === undefined || feed === undefined) return;
    // `<epoch>\n<json>`; a bare JSON payload (a node of an older version) has no epoch.
    const split = payload.startsWith('{') ? -1 : payload.indexOf('\n');
    const epoch = split < 0 ? undefined : payload.slice(0, split);
    if (epoch !== undefined && feed.epoch !== undefined && epoch !== feed.epoch) {
      this.lose(room, feed, `a message of epoch ${epoch}, not ${feed.epoch}`);
      return;
    }
    let message: ChatMessage;
    try {
      message = JSON.parse(payload.slice(split + 1)) as ChatMessage;
    } catch {
      return; // Not ours; the position check reads the log if it was.
    }
    if (typeof message.seq !== 'number') return;
    feed.held.set(message.seq, message);
    void this.drain(room, feed);
  }

  /**
   * The feed cannot deliver every message (a gap the log no longer holds, or a new epoch):
   * its subscribers are told, and it starts over from the room's position now.
   */
  private lose(room: RoomId, feed: Feed, reason: string): void {
    this.logger?.warn(
      { room, delivered: feed.delivered, members: feed.subscribers.size, reason },
      'room feed lost messages (trimmed log or Redis data loss): members must resume',
    );
    feed.delivered = undefined;
    feed.epoch = undefined;
    feed.held.clear();
    for (const subscriber of [...feed.subscribers]) subscriber.lost();
    if (this.feeds.get(room) === feed) void this.open(room, feed);
  }

  /** Delivers what is held, in order; a gap before it is read from the log first. */
  private async drain(room: RoomId, feed: Feed): Promise<void> {
    if (feed.draining || feed.delivered === undefined) return;
    feed.draining = true;
    try {
      while (feed.held.size > 0 && this.feeds.get(room) === feed) {
        const delivered: Seq = feed.delivered ?? 0;
        for (const seq of feed.held.keys()) if (seq <= delivered) feed.held.delete(seq);
        let next = Number.POSITIVE_INFINITY;
        for (const seq of feed.held.keys()) if (seq < next) next = seq;
        if (!Number.isFinite(next)) break;
        if (next > delivered + 1) {
          for (const missing of await this.logRange(room, delivered + 1, next - 1))
            feed.held.set(missing.seq, missing);
          if (!feed.held.has(delivered + 1)) {
            // Gone from the log too: never skip silently.
            this.lose(room, feed, `seqs ${delivered + 1}..${next - 1} are not in the log`);
            return;
          }
        }
        const run: ChatMessage[] = [];
        for (let seq = delivered + 1; feed.held.has(seq); seq++) {
          run.push(feed.held.get(seq) as ChatMessage);
          feed.held.delete(seq);
        }
        feed.delivered = run.at(-1)?.seq ?? delivered;
        for (const subscriber of feed.subscribers) subscriber.deliver(run);
      }
    } catch {
      // Redis went away mid-fill: what is held stays held for the next attempt.
    } finally {
      feed.draining = false;
    }
  }

  /** Reads whatever the log holds after the feed's position, and delivers it. */
  private async catchUp(room: RoomId, feed: Feed): Promise<void> {
    if (feed.delivered === undefined) return;
    for (const message of await this.logRange(room, feed.delivered + 1))
      feed.held.set(message.seq, message);
    await this.drain(room, feed);
  }

  /** Catches what pub/sub silently lost: any room whose seq in Redis is past its feed. */
  private async checkPositions(): Promise<void> {
    for (const [room, feed] of this.feeds) {
      try {
        if (feed.delivered === undefined || feed.opening) {
          await this.open(room, feed);
          continue;
        }
        // What was delivered before asking: the feed keeps delivering from the subscriber
        // connection while this reading comes back on another, so only a seq below what was
        // delivered before it was asked for says Redis went backwards.
        const delivered = feed.delivered;
        const following = feed.epoch;
        const [epoch, position] = await this.redis.hmget(this.keys(room).meta, 'epoch', 'seq');
        if (feed.epoch !== following || feed.delivered === undefined) continue; // started over
        const seq = Number(position ?? 0);
        // A missing or new epoch, or a seq below what was delivered: Redis lost the room.
        if (epoch !== following || seq < delivered)
          this.lose(room, feed, `Redis has epoch ${epoch} seq ${seq}`);
        else if (seq > feed.delivered) await this.catchUp(room, feed);
      } catch {
        // Unreachable now; next round.
      }
    }
  }

  async head(room: RoomId): Promise<{ epoch: Epoch; seq: Seq }> {
    const { epoch, seq } = await this.position(room);
    return { epoch, seq };
  }

  /** The room's epoch, head and base (HEAD), seeding a room Redis has no seq for. */
  private async position(room: RoomId): Promise<{ epoch: Epoch; seq: Seq; base: string | null }> {
    const { meta, log } = this.keys(room);
    const read = (storeHead: string) =>
      this.redis.eval(HEAD, 2, meta, log, storeHead, newEpoch(), LOSS_GAP) as Promise<
        [string, string, string | null] | null
      >;
    // The database is read only for a room Redis has no seq for (new, or lost).
    const head = (await read('')) ?? (await read(String((await this.store.openRoom(room)).seq)));
    if (head === null) throw new Error('room head unavailable');
    return { epoch: head[0], seq: Number(head[1]), base: head[2] ?? null };
  }

  async replay(room: RoomId, since: Seq, epoch?: Epoch): Promise<Replay> {
    const { base, ...head } = await this.position(room);
    const reset: Replay = { kind: 'reset', ...head };
    if ((epoch !== undefined && epoch !== head.epoch) || since > head.seq) return reset;
    if (head.seq - since > this.resumeWindow) return reset;
    const messages = await this.range(room, since, head.seq, base);
    if (messages.length !== head.seq - since) return reset;
    return { kind: 'messages', ...head, messages };
  }

  async recent(
    room: RoomId,
    limit: number,
  ): Promise<{ epoch: Epoch; seq: Seq; messages: ChatMessage[] }> {
    const { base, ...head } = await this.position(room);
    const messages = await this.range(room, Math.max(0, head.seq - limit), head.seq, base);
    return { ...head, messages };
  }

  /**
   * A REST page: the database's, checked. A full page of consecutive seqs starting right
   * after `after` (or ending right below `before`) is that page whatever else holds: one
   * query. Any other (the newest page, a short one, one with a hole) is checked against the
   * room's head in Redis: the part of it above the room's base must hold every seq of its
   * span; rows the database lacks are read from the log (see `fill`), and the page is cut
   * again to its size.
   */
  async history(room: RoomId, range: HistoryRange): Promise<ChatMessage[]> {
    const rows = await this.store.roomMessages(room, range);
    if (whole(rows, range)) return rows;
    const [position, base] = await this.bus(this.redis.hmget(this.keys(room).meta, 'seq', 'base'));
    // Redis holds nothing of the room (never used here, or expired): the database is all.
    if (position === null || position === undefined) return rows;
    const head = Number(position);
    // The database has no seq above the head yet (the head is read after it): the page is
    // cut as if `before` were at most just above the head.
    const before = Math.min(range.before ?? head + 1, head + 1);
    const floor = await this.floor(room, head, base ?? null);
    // The span of seqs above the floor the page must hold, each of which exists.
    let from: Seq;
    let to: Seq;
    if (range.after !== undefined) {
      // Oldest first: the database's rows up to the floor, then the floor's successors.
      const below = rows.filter((m) => m.seq <= floor).length;
      from = Math.max(range.after, floor) + 1;
      to = Math.min(before - 1, from + (range.limit - below) - 1);
    } else {
      // Newest first: the seqs below `before`, down to the floor, then older rows.
      to = before - 1;
      from = Math.max(floor + 1, before - range.limit);
    }
    if (to < from) return rows;
    const filled = await this.fill(room, rows, from, to);
    if (filled === rows) return rows;
    // Rows the database gave in place of the missing ones lie beyond the page: cut them.
    if (range.after !== undefined) return filled.filter((m) => m.seq <= to);
    const older = filled.filter((m) => m.seq < from);
    const keep = range.limit - (to - from + 1);
    return [
      ...older.slice(Math.max(0, older.length - keep)),
      ...filled.filter((m) => m.seq >= from),
    ];
  }

  /**
   * Messages with after < seq <= upTo: from the log, and from the database for what the
   * log no longer holds; each with its latest revision. Gapless above the room's base.
   */
  private async range(
    room: RoomId,
    after: Seq,
    upTo: Seq,
    base: string | null,
  ): Promise<ChatMessage[]> {
    if (upTo <= after) return [];
    const fromLog = await this.logRange(room, after + 1, upTo);
    const firstInLog = fromLog[0]?.seq ?? upTo + 1;
    const older =
      firstInLog > after + 1
        ? (await this.store.roomMessages(room, { after, limit: firstInLog - after - 1 })).filter(
            (m) => m.seq < firstInLog,
          )
        : [];
    const floor = await this.floor(room, upTo, base, firstInLog);
    return this.fill(room, [...older, ...fromLog], Math.max(after, floor) + 1, upTo);
  }

  /**
   * Where the room's promise starts: every seq above it up to the head exists. That is the
   * base HEAD keeps. A room seeded by an older version has none: if its seq is below
   * LOSS_GAP it was never re-seeded after a loss, so it is 0; otherwise what the log holds
   * (gapless up to the head) is all that is known to exist (`firstInLog`, when the caller
   * read it, is the log's first seq in the range it read).
   */
  private async floor(
    room: RoomId,
    head: Seq,
    base: string | null,
    firstInLog?: Seq,
  ): Promise<Seq> {
    if (base !== null) return Number(base);
    if (head < LOSS_GAP) return 0;
    if (firstInLog !== undefined) return firstInLog - 1;
    const [first] = await this.bus(this.redis.xrange(this.keys(room).log, '-', '+', 'COUNT', 1));
    return first === undefined ? head : Number(first[0].slice(0, -2)) - 1;
  }

  /**
   * `messages` (ascending, one per seq) with every seq from `from` to `to`: as they are when
   * nothing is missing; otherwise the missing ones are read from the log, then, as the
   * outbox may have written them meanwhile, from the database. A seq in neither (a node's
   * outbox entries not yet claimed and already trimmed from the log) is refused as
   * `unavailable`, to be asked again shortly: never a silent gap.
   */
  private async fill(
    room: RoomId,
    messages: ChatMessage[],
    from: Seq,
    to: Seq,
  ): Promise<ChatMessage[]> {
    if (to < from) return messages;
    const have = new Set<Seq>();
    for (const message of messages)
      if (message.seq >= from && message.seq <= to) have.add(message.seq);
    if (have.size === to - from + 1) return messages;
    const found = new Map<Seq, ChatMessage>();
    const missing = () => {
      const seqs: Seq[] = [];
      for (let seq = from; seq <= to; seq++) if (!have.has(seq) && !found.has(seq)) seqs.push(seq);
      return seqs;
    };
    let gaps = missing();
    const [low, high] = [gaps[0] ?? from, gaps.at(-1) ?? to];
    for (const message of await this.bus(this.logRange(room, low, high)))
      if (!have.has(message.seq)) found.set(message.seq, message);
    gaps = missing();
    if (gaps.length > 0) {
      const [first, last] = [gaps[0] ?? from, gaps.at(-1) ?? to];
      const rows = await this.store.roomMessages(room, {
        after: first - 1,
        before: last + 1,
        limit: last - first + 1,
      });
      for (const message of rows)
        if (!have.has(message.seq) && !found.has(message.seq)) found.set(message.seq, message);
      gaps = missing();
    }
    if (gaps.length > 0) {
      const span = `${gaps[0]}${gaps.length > 1 ? `..${gaps.at(-1)}` : ''}`;
      this.logger?.warn(
        { room, missing: gaps.length, first: gaps[0], last: gaps.at(-1) },
        'acknowledged messages are neither in the database nor in the log yet',
      );
      throw new BrokerError(
        ErrorCode.unavailable,
        `messages ${span} of this room are not readable yet; try again shortly`,
      );
    }
    return [...messages, ...found.values()].sort((a, b) => a.seq - b.seq);
  }

  /** A Redis call whose failure is the bus being unreachable: `unavailable`, to retry. */
  private async bus<T>(call: Promise<T>): Promise<T> {
    try {
      return await call;
    } catch (error) {
      throw new BrokerError(
        ErrorCode.unavailable,
        `the message bus is unreachable (${error instanceof Error ? error.message : 'redis'}); try again`,
      );
    }
  }

  /** The log's messages from seq `from` to `to` (inclusive), revised where edited. */
  private async logRange(room: RoomId, from: Seq, to?: Seq): Promise<ChatMessage[]> {
    const { log, revised } = this.keys(room);
    const entries = await this.redis.xrange(log, `${from}-0`, to === undefined ? '+' : `${to}-0`);
    if (entries.length === 0) return [];
    const seqs = entries.map(([id]) => id.slice(0, -2));
    const revisions = await this.redis.hmget(revised, ...seqs);
    return entries.map(
      ([, fields], i) => JSON.parse(revisions[i] ?? fields[1] ?? '{}') as ChatMessage,
    );
  }

  revise(message: ChatMessage): void {
    const { revised } = this.keys(message.room);
    void this.redis
      .multi()
      .hset(revised, String(message.seq), JSON.stringify(message))
      .expire(revised, 7 * 24 * 3600)
      .exec()
      .catch(() => {});
  }

  async expire(room: RoomId, at: number): Promise<void> {
    const { meta, log, revised } = this.keys(room);
    // A time already past deletes the keys at once.
    const when = Math.ceil(at);
    await this.redis
      .multi()
      .pexpireat(meta, when)
      .pexpireat(log, when)
      .pexpireat(revised, when)
      .exec();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.positionCheck);
    this.watchdog.stop();
    // In-flight publishes settle (or time out with the connection's command timeout).
    await Promise.allSettled([...this.inflight]);
    this.feeds.clear();
    await this.subscriber.quit().catch(() => this.subscriber.disconnect());
  }

  private outboxOf(room: RoomId): string {
    let hash = 0;
    for (let i = 0; i < room.length; i++) hash = (hash * 31 + room.charCodeAt(i)) >>> 0;
    return `${this.prefix}:outbox:${hash % this.partitions}`;
  }

  private keys(room: RoomId) {
    // One hash tag per room: a room's keys share a Redis Cluster slot.
    const base = `${this.prefix}:{${room}}`;
    return {
      meta: `${base}:meta`,
      log: `${base}:log`,
      cids: `${base}:cids`,
      slow: `${base}:slow`,
      revised: `${base}:revised`,
      channel: `${base}:live`,
    };
  }

  private roomOf(channel: string): RoomId | undefined {
    const match = /^.*?:\{(.+)\}:live$/.exec(channel);
    return match?.[1];
  }
}

/**
 * Whether `rows` (ascending) are a whole page by themselves: `limit` consecutive seqs from
 * right after `after`, or up to right below `before`. No seq can be missing inside them,
 * and none is left out at the end that was asked for.
 */
function whole(rows: readonly ChatMessage[], range: HistoryRange): boolean {
  const first = rows[0]?.seq;
  const last = rows.at(-1)?.seq;
  if (first === undefined || last === undefined || rows.length !== range.limit) return false;
  if (last - first !== rows.length - 1) return false;
  if (range.after !== undefined) return first === range.after + 1;
  return range.before !== undefined && last === range.before - 1;
}

function newEpoch(): string {
  return randomBytes(12).toString('base64url');
}
