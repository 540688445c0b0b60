import type { EventClassification, EventStatus, LiveEvent } from '@hubbub/protocol';
import {
  type ExpressionBuilder,
  type Kysely,
  type RawBuilder,
  type Selectable,
  type SqlBool,
  sql,
} from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { Database } from '../store/schema.js';
import type { EventsTable } from './schema.js';
import { queryWords, type SourceEvent } from './source.js';

export type EventRow = Selectable<EventsTable>;

/** The room of an event. */
export const eventRoom = (id: string): string => `event:${id}`;

/** A listing of the catalog as it stood at `asOf` (see EventsQuery in the protocol). */
export interface CatalogQuery {
  /** Folded words, each matched as a prefix of a word of name, venue or city. */
  words: readonly string[];
  statuses: readonly EventStatus[] | undefined;
  classification: EventClassification | undefined;
  near: { lat: number; lng: number; km: number } | undefined;
  asOf: number;
  offset: number;
  limit: number;
}

/** What differs between the engines: how words become a full-text condition on `e`. */
interface FullText {
  matches(words: readonly string[]): RawBuilder<SqlBool>;
}

/** SQLite: the FTS5 table `events_fts` (see migrations.ts); each word a quoted prefix. */
const fts5: FullText = {
  matches: (words) => {
    const query = words.map((word) => `"${word.replaceAll('"', '""')}"*`).join(' ');
    return sql<SqlBool>`e.rowid in (select rowid from events_fts where events_fts match ${query})`;
  },
};

/** PostgreSQL: the GIN index on `to_tsvector('simple', search_text)`; each word a quoted prefix lexeme. */
const tsvector: FullText = {
  matches: (words) => {
    const query = words.map((word) => `'${word.replaceAll("'", "''")}':*`).join(' & ');
    return sql<SqlBool>`to_tsvector('simple', e.search_text) @@ to_tsquery('simple', ${query})`;
  },
};

type Where = ExpressionBuilder<Database & { e: EventsTable }, 'e'>;

/** The condition for one status at `at`: the times decide live and ended, the source the rest. */
function statusIs(eb: Where, status: EventStatus, at: number) {
  switch (status) {
    case 'scheduled':
      return eb.and([eb('e.status', '=', 'scheduled'), eb('e.starts_at', '>', at)]);
    case 'live':
      return eb.and([
        eb('e.status', '=', 'scheduled'),
        eb('e.starts_at', '<=', at),
        eb('e.ends_at', '>', at),
      ]);
    case 'ended':
      return eb.and([eb('e.status', '=', 'scheduled'), eb('e.ends_at', '<=', at)]);
    case 'cancelled':
    case 'postponed':
      return eb('e.status', '=', status);
  }
}

/** An event's status at `at`. */
export function statusAt(row: Pick<EventRow, 'status' | 'starts_at' | 'ends_at'>, at: number) {
  if (row.status !== 'scheduled') return row.status;
  if (row.ends_at <= at) return 'ended';
  return row.starts_at <= at ? 'live' : 'scheduled';
}

/**
 * The REST view of a row: its status at `at`, its room's window and how many people are in
 * the room (which the catalog's caller knows, not the table).
 */
export function toLiveEvent(
  row: EventRow,
  at: number,
  room: { viewers: number; opensAt: number; closesAt: number },
): LiveEvent {
  return {
    id: row.id,
    room: eventRoom(row.id),
    source: row.source,
    name: row.name,
    classification: row.classification,
    venue: row.venue,
    city: row.city,
    country: row.country,
    latitude: row.latitude,
    longitude: row.longitude,
    startsAt: new Date(row.starts_at).toISOString(),
    endsAt: new Date(row.ends_at).toISOString(),
    endEstimated: row.end_estimated === 1,
    image: row.image_url,
    ticketUrl: row.ticket_url,
    rank: row.rank,
    status: statusAt(row, at),
    viewers: room.viewers,
    roomOpensAt: new Date(room.opensAt).toISOString(),
    roomClosesAt: new Date(room.closesAt).toISOString(),
  };
}

/** Kilometres per degree of latitude, and of longitude at the equator. */
const kmPerDegree = { lat: 110.574, lng: 111.32 };

/**
 * The catalog's table on either engine. Upserts are idempotent per (source, source id): an
 * event keeps its id (and so its room) however often it is ingested again.
 */
export class EventStore {
  private readonly fullText: FullText;

  constructor(
    private readonly db: Kysely<Database>,
    engine: 'sqlite' | 'postgres',
  ) {
    this.fullText = engine === 'sqlite' ? fts5 : tsvector;
  }

  /**
   * Stores what a source listed, in its order of relevance (rank from `firstRank`), in one
   * transaction; events already stored are updated in place, or with `onlyNew` left as they
   * are (a search's finds must not re-rank the catalog). Returns how many were new.
   */
  async upsert(
    source: string,
    events: readonly SourceEvent[],
    now: number,
    options: { firstRank?: number; onlyNew?: boolean } = {},
  ): Promise<{ inserted: number; updated: number }> {
    const { firstRank = 1, onlyNew = false } = options;
    if (events.length === 0) return { inserted: 0, updated: 0 };
    const unique = [...new Map(events.map((event) => [event.sourceId, event])).values()];
    return this.db.transaction().execute(async (tx) => {
      let known = 0;
      // Bounded IN lists: SQLite allows 32,766 parameters, PostgreSQL 65,535.
      for (let i = 0; i < unique.length; i += 500) {
        const ids = unique.slice(i, i + 500).map((event) => event.sourceId);
        const rows = await tx
          .selectFrom('events')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('source', '=', source)
          .where('source_id', 'in', ids)
          .executeTakeFirstOrThrow();
        known += Number(rows.n);
      }
      for (let i = 0; i < unique.length; i += 200) {
        const rows = unique.slice(i, i + 200).map((event, j) => ({
          id: uuidv7(),
          source,
          source_id: event.sourceId,
          name: event.name,
          classification: event.classification,
          venue: event.venue,
          city: event.city,
          country: event.country,
          latitude: event.latitude,
          longitude: event.longitude,
          starts_at: event.startsAt,
          ends_at: event.endsAt,
          end_estimated: event.endEstimated ? 1 : 0,
          image_url: event.image,
          ticket_url: event.ticketUrl,
          rank: firstRank + i + j,
          status: event.status,
          // Words only, punctuation gone: the engines' tokenizers then see the same words
          // (PostgreSQL would keep `ac/dc` whole, FTS5 would split it).
          search_text: queryWords([event.name, event.venue, event.city].join(' '), 1000).join(' '),
          created_at: now,
          updated_at: now,
        }));
        await tx
          .insertInto('events')
          .values(rows)
          .onConflict((oc) =>
            onlyNew
              ? oc.columns(['source', 'source_id']).doNothing()
              : oc.columns(['source', 'source_id']).doUpdateSet((eb) => ({
                  name: eb.ref('excluded.name'),
                  classification: eb.ref('excluded.classification'),
                  venue: eb.ref('excluded.venue'),
                  city: eb.ref('excluded.city'),
                  country: eb.ref('excluded.country'),
                  latitude: eb.ref('excluded.latitude'),
                  longitude: eb.ref('excluded.longitude'),
                  starts_at: eb.ref('excluded.starts_at'),
                  // Moved times are announced again when they come.
                  announced_start_at: sql<
                    number | null
                  >`case when events.starts_at = excluded.starts_at then events.announced_start_at end`,
                  announced_end_at: sql<
                    number | null
                  >`case when events.ends_at = excluded.ends_at then events.announced_end_at end`,
                  ends_at: eb.ref('excluded.ends_at'),
                  end_estimated: eb.ref('excluded.end_estimated'),
                  image_url: eb.ref('excluded.image_url'),
                  ticket_url: eb.ref('excluded.ticket_url'),
                  rank: eb.ref('excluded.rank'),
                  status: eb.ref('excluded.status'),
                  search_text: eb.ref('excluded.search_text'),
                  updated_at: eb.ref('excluded.updated_at'),
                })),
          )
          .execute();
      }
      return { inserted: unique.length - known, updated: onlyNew ? 0 : known };
    });
  }

  /**
   * A page of the catalog as it stood at `asOf`, in the listing's order; `limit` at most.
   * Events that go ahead come first (nearest first with `near`), soonest first, so live ones
   * lead; called-off ones (cancelled, postponed) follow them all, in the same order: their
   * date is not when anything happens, and a cancelled show that was due an hour ago must
   * not lead what is coming up.
   */
  async list(query: CatalogQuery): Promise<EventRow[]> {
    const { asOf, near, words, statuses, classification } = query;
    let select = this.db.selectFrom('events as e').selectAll('e').where('e.created_at', '<=', asOf);
    if (words.length > 0) select = select.where(this.fullText.matches(words));
    if (classification !== undefined)
      select = select.where('e.classification', '=', classification);
    select =
      statuses === undefined
        ? select.where('e.ends_at', '>', asOf)
        : select.where((eb) => eb.or(statuses.map((status) => statusIs(eb, status, asOf))));
    select = select.orderBy(sql<number>`case when e.status = 'scheduled' then 0 else 1 end`);
    if (near !== undefined) {
      // Equirectangular distance: plain arithmetic both engines compute alike, exact
      // enough at a city's scale (ignores the antimeridian).
      const kx = kmPerDegree.lng * Math.cos((near.lat * Math.PI) / 180);
      const ky = kmPerDegree.lat;
      const squared = sql<number>`((e.longitude - ${near.lng}) * ${kx}) * ((e.longitude - ${near.lng}) * ${kx}) + ((e.latitude - ${near.lat}) * ${ky}) * ((e.latitude - ${near.lat}) * ${ky})`;
      select = select
        .where('e.latitude', 'is not', null)
        .where(squared, '<=', near.km * near.km)
        .orderBy(squared);
    }
    return select
      .orderBy('e.starts_at')
      .orderBy('e.id')
      .offset(query.offset)
      .limit(query.limit)
      .execute();
  }

  find(id: string): Promise<EventRow | undefined> {
    return this.db.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Events that ended before `cutoff` (ms), at most `limit`, earliest first. */
  endedBefore(cutoff: number, limit: number): Promise<Array<Pick<EventRow, 'id' | 'ends_at'>>> {
    return this.db
      .selectFrom('events')
      .select(['id', 'ends_at'])
      .where('ends_at', '<', cutoff)
      .orderBy('ends_at')
      .limit(limit)
      .execute();
  }

  async remove(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.deleteFrom('events').where('id', 'in', ids).execute();
  }

  /**
   * Events whose start or end has passed without their room being told (scheduled ones:
   * a cancelled event neither starts nor ends), earliest first, `limit` at most.
   */
  dueAnnouncements(now: number, limit: number): Promise<EventRow[]> {
    return this.db
      .selectFrom('events')
      .selectAll()
      .where('status', '=', 'scheduled')
      .where((eb) =>
        eb.or([
          eb.and([eb('announced_start_at', 'is', null), eb('starts_at', '<=', now)]),
          eb.and([eb('announced_end_at', 'is', null), eb('ends_at', '<=', now)]),
        ]),
      )
      .orderBy('starts_at')
      .limit(limit)
      .execute();
  }

  async markAnnounced(id: string, which: 'start' | 'end', at: number): Promise<void> {
    await this.db
      .updateTable('events')
      .set(which === 'start' ? { announced_start_at: at } : { announced_end_at: at })
      .where('id', '=', id)
      .execute();
  }

  /**
   * Deletes everything stored of a room: messages, reactions, mentions, read pointers and
   * its sequence (an event room's history expiring). In slices of `slice` messages, each
   * its own transaction, yielding between them: on SQLite a busy room's history would
   * otherwise hold the event loop. Returns the ids of the uploads its messages carried.
   */
  async dropHistory(room: string, slice = 2000): Promise<string[]> {
    const media: string[] = [];
    for (;;) {
      const first = await this.db
        .selectFrom('messages')
        .select('seq')
        .where('room_id', '=', room)
        .orderBy('seq')
        .limit(1)
        .executeTakeFirst();
      if (first === undefined) break;
      const upTo = first.seq + slice - 1;
      await this.db.transaction().execute(async (tx) => {
        const carried = await tx
          .selectFrom('messages')
          .select('attachments')
          .where('room_id', '=', room)
          .where('seq', '<=', upTo)
          .where('attachments', 'is not', null)
          .execute();
        for (const row of carried)
          for (const file of JSON.parse(row.attachments ?? '[]') as Array<{ id: string }>)
            media.push(file.id);
        for (const table of ['message_reactions', 'message_mentions', 'messages'] as const)
          await tx.deleteFrom(table).where('room_id', '=', room).where('seq', '<=', upTo).execute();
      });
      await new Promise((resolve) => setImmediate(resolve));
    }
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('room_receipts').where('room_id', '=', room).execute();
      await tx.deleteFrom('rooms').where('id', '=', room).execute();
    });
    return media;
  }

  /**
   * Rooms of events that ended before `cutoff` whose history is still stored (the sweep's
   * work), earliest ended first, `limit` at most.
   */
  async expiredHistories(cutoff: number, limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('events as e')
      .innerJoin('rooms as r', (join) => join.on(sql`r.id`, '=', sql`'event:' || e.id`))
      .select('r.id')
      .where('e.ends_at', '<', cutoff)
      .orderBy('e.ends_at')
      .limit(limit)
      .execute();
    return rows.map((row) => row.id);
  }
}
