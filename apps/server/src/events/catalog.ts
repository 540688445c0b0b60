import type { EventClassification, EventStatus, LiveEvent } from '@hubbub/protocol';
import type { Logger } from 'pino';
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
 * The events catalog: filled from a source on a schedule, trimmed of what ended, and
 * listed with an optional pass-through search to the source.
 */
export class EventCatalog {
  /** Words asked of the source lately (folded, joined), and until when not to ask again. */
  private readonly recent = new Map<string, number>();
  /** The source refused; not asked again before this time. */
  private quietUntil = 0;

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
    const stored = await this.store.upsert(this.source.name, events, now);
    return { fetched: events.length, ...stored };
  }

  /**
   * Removes events that ended more than `removeAfterMs` ago with their rooms' history, and
   * deletes the history of event rooms whose event ended more than `historyTtlMs` ago.
   */
  async collect(now = Date.now()): Promise<{ events: number; histories: number }> {
    let events = 0;
    for (;;) {
      const ended = await this.store.endedBefore(now - this.options.removeAfterMs, 500);
      if (ended.length === 0) break;
      await this.dropHistory(
        ended.map((event) => eventRoom(event.id)),
        now,
      );
      await this.store.remove(ended.map((event) => event.id));
      events += ended.length;
    }
    let histories = 0;
    const expired = await this.store.endedBefore(now - this.options.historyTtlMs, 10_000);
    for (let i = 0; i < expired.length; i += 500) {
      const rooms = expired.slice(i, i + 500).map((event) => eventRoom(event.id));
      const held = await this.store.roomsWithHistory(rooms);
      await this.dropHistory(held, now);
      histories += held.length;
    }
    return { events, histories };
  }

  /** The bus first: what it still holds must not outlive what the store dropped. */
  private async dropHistory(rooms: readonly string[], now: number): Promise<void> {
    for (const room of rooms) await this.options.expireRoom(room, now);
    await this.store.dropHistory(rooms);
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
    const rows = await this.store.list({ ...query, asOf: now });
    if (
      rows.length >= request.limit ||
      words.length === 0 ||
      !(await this.searchSource(words, now))
    )
      return { rows, asOf: now };
    const asOf = Date.now();
    return { rows: await this.store.list({ ...query, asOf }), asOf };
  }

  /** Asks the source for these words unless asked lately; true if it stored new events. */
  private async searchSource(words: readonly string[], now: number): Promise<boolean> {
    if (!this.options.searchThrough || now < this.quietUntil) return false;
    const key = words.join(' ');
    for (const [k, until] of this.recent) if (until <= now) this.recent.delete(k);
    if (this.recent.has(key)) return false;
    if (this.recent.size >= 10_000) this.recent.delete(this.recent.keys().next().value ?? '');
    this.recent.set(key, now + searchedFor);
    try {
      const found = await this.source.search(key, now, 50);
      // Never store what the collector would remove at once.
      const keep = found.filter((event) => event.endsAt > now - this.options.removeAfterMs);
      // Ranked after the catalog's own listing; events already stored keep their rank.
      const { inserted } = await this.store.upsert(this.source.name, keep, Date.now(), {
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
