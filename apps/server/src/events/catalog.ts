import type { EventClassification, EventStatus, LiveEvent } from '@hubbub/protocol';
import type { Logger } from 'pino';
import { TokenBucket } from '../gateway/rate-limit.js';
import { type RoomPolicy, roomWindow } from './rooms.js';
import { type EventSource, queryWords, SourceError } from './source.js';
import { type EventRow, type EventStore, eventRoom, toLiveEvent } from './store.js';

/** The most relevant events each ingest stores. */
export const catalogSize = 400;

export interface CatalogOptions {
  /** Events are removed (with their rooms' history) this long after they end. */
  removeAfterMs: number;
  /** An event room's history is deleted this long after the event ends. */
  historyTtlMs: number;
  /**
   * Whether a search that finds fewer events than a page asks the source too, and stores
   * what it finds (a real source such as Ticketmaster; the demo's schedule is all stored).
   */
  searchThrough: boolean;
  /** When rooms open before their event starts. They close as their history expires. */
  opensBeforeMs: number;
  /** How many people are in a room (every node's). */
  viewers(room: string): Promise<number>;
  /** Drops a room's history from the message bus (its window, its sequence) at `at`. */
  expireRoom(room: string, at: number): Promise<void>;
  /** Takes everyone out of a room that has closed, on every node. */
  closeRoom(room: string): void;
  /** Stops serving uploads whose messages are gone. */
  revokeMedia(ids: readonly string[]): Promise<void>;
  /**
   * How far behind now a new listing's snapshot is taken: rows stamped within it may still
   * be committing (a PostgreSQL transaction stamps before it commits), and a later page
   * would see them when the first did not. 0 in tests that write and list in one breath.
   */
  settleMs: number;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
}

export interface ListRequest {
  q: string;
  offset: number;
  limit: number;
  statuses: readonly EventStatus[] | undefined;
  classification: EventClassification | undefined;
  near: { lat: number; lng: number; km: number } | undefined;
  asOf: number | undefined;
}

/** How long the source is not asked again for the same words. */
const searchedFor = 10 * 60_000;

/**
 * Searches a node passes through to the source: 10 a minute, bursts of 5. A public
 * endpoint must not spend the key's daily quota (5,000) or queue behind its pace
 * (5 a second, shared with ingest); past this, searches use the catalog alone.
 */
const passThroughs = { perSecond: 10 / 60, burst: 5 };

/** A bus's copy of a closed room goes this long after its members were taken out. */
const closeGraceMs = 60_000;

/**
 * The events catalog: filled from a source on a schedule, trimmed of what ended, and
 * listed with an optional pass-through search to the source.
 */
export class EventCatalog {
  /** Words asked of the source lately (folded, joined), and until when not to ask again. */
  private readonly recent = new Map<string, number>();
  /** The source refused; not asked again before this time. */
  private quietUntil = 0;
  private readonly budget = new TokenBucket(passThroughs.perSecond, passThroughs.burst, Date.now());

  constructor(
    private readonly store: EventStore,
    private readonly source: EventSource,
    private readonly options: CatalogOptions,
  ) {}

  /** How old a listing's snapshot may be for its pages to stay consistent. */
  get snapshotTtlMs(): number {
    // Within it, nothing the snapshot listed can have been collected (see `collect`).
    return Math.min(30 * 60_000, this.options.removeAfterMs);
  }

  /** Stores the source's current listing (idempotent). */
  async ingest(
    now = Date.now(),
    signal?: AbortSignal,
  ): Promise<{ fetched: number; inserted: number; updated: number }> {
    const events = await this.source.current(now, catalogSize, signal);
    // Stamped as it is stored, not when the fetch began (seconds earlier): see `settleMs`.
    const stored = await this.store.upsert(this.source.name, events, Date.now());
    return { fetched: events.length, ...stored };
  }

  /**
   * Removes events that ended more than `removeAfterMs` ago with their rooms' history, and
   * deletes the history of event rooms whose event ended more than `historyTtlMs` ago.
   */
  async collect(now = Date.now()): Promise<{ events: number; histories: number }> {
    // Histories first: an event is never removed before its room's history (the config
    // keeps the history's window within the event's).
    let histories = 0;
    for (;;) {
      const rooms = await this.store.expiredHistories(now - this.options.historyTtlMs, 100);
      if (rooms.length === 0) break;
      for (const room of rooms) await this.dropHistory(room, now);
      histories += rooms.length;
    }
    let events = 0;
    for (;;) {
      const ended = await this.store.endedBefore(now - this.options.removeAfterMs, 500);
      if (ended.length === 0) break;
      await this.store.remove(ended.map((event) => event.id));
      events += ended.length;
    }
    return { events, histories };
  }

  /**
   * A closed room's history goes: its members are taken out (on every node), the bus lets
   * go of it a moment later (once no node reads it), the store deletes it, and the
   * uploads its messages carried stop being served.
   */
  private async dropHistory(room: string, now: number): Promise<void> {
    this.options.closeRoom(room);
    await this.options.expireRoom(room, now + closeGraceMs);
    const media = await this.store.dropHistory(room);
    await this.options.revokeMedia(media);
  }

  find(id: string): Promise<EventRow | undefined> {
    return this.store.find(id);
  }

  /** When event rooms open and close. */
  get policy(): RoomPolicy {
    return { opensBeforeMs: this.options.opensBeforeMs, closesAfterMs: this.options.historyTtlMs };
  }

  /** Rows as the API shows them at `at`, with their rooms' windows and viewers now. */
  async view(rows: readonly EventRow[], at: number): Promise<LiveEvent[]> {
    const viewers = await Promise.all(rows.map((row) => this.options.viewers(eventRoom(row.id))));
    return rows.map((row, i) =>
      toLiveEvent(row, at, { viewers: viewers[i] ?? 0, ...roomWindow(row, this.policy) }),
    );
  }

  /**
   * A page of the catalog as of `asOf` (a new snapshot when not given). A first page that
   * finds fewer events than asked asks the source too, stores what is new, and lists again
   * before taking the snapshot, so later pages include the finds.
   */
  async list(request: ListRequest, now = Date.now()): Promise<{ rows: EventRow[]; asOf: number }> {
    const words = queryWords(request.q);
    const query = {
      words,
      statuses: request.statuses,
      classification: request.classification,
      near: request.near,
      offset: request.offset,
      limit: request.limit + 1,
    };
    if (request.asOf !== undefined)
      return { rows: await this.store.list({ ...query, asOf: request.asOf }), asOf: request.asOf };
    const asOf = now - this.options.settleMs;
    const rows = await this.store.list({ ...query, asOf });
    // Only a first page asks the source: a later one would add to what came before it.
    const ask = request.offset === 0 && rows.length < request.limit && words.join('').length >= 3;
    if (!ask || !(await this.searchSource(words, now, asOf))) return { rows, asOf };
    return { rows: await this.store.list({ ...query, asOf }), asOf };
  }

  /** Asks the source for these words unless asked lately; true if it stored new events. */
  private async searchSource(
    words: readonly string[],
    now: number,
    asOf: number,
  ): Promise<boolean> {
    if (!this.options.searchThrough || now < this.quietUntil) return false;
    const key = words.join(' ');
    for (const [k, until] of this.recent) if (until <= now) this.recent.delete(k);
    if (this.recent.has(key) || !this.budget.take(now)) return false;
    if (this.recent.size >= 10_000) this.recent.delete(this.recent.keys().next().value ?? '');
    this.recent.set(key, now + searchedFor);
    try {
      const found = await this.source.search(key, now, 50);
      // Never store what the collector would remove at once.
      const keep = found.filter((event) => event.endsAt > now - this.options.removeAfterMs);
      // Ranked after the catalog's own listing; events already stored keep their rank.
      // Stamped at the snapshot's time, so the snapshot that asked holds them.
      const { inserted } = await this.store.upsert(this.source.name, keep, asOf, {
        firstRank: catalogSize + 1,
        onlyNew: true,
      });
      if (inserted > 0) this.options.logger.info({ inserted }, 'events found by search stored');
      return inserted > 0;
    } catch (error) {
      if (!(error instanceof SourceError)) throw error;
      // Searches go on from the catalog alone meanwhile; said once per refusal.
      this.quietUntil = error.retryAt ?? now + 60_000;
      this.options.logger.warn(
        { kind: error.kind, until: new Date(this.quietUntil).toISOString() },
        `event search on ${this.source.name} refused: ${error.message}`,
      );
      return false;
    }
  }
}
