import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type DiscoveryEventSpec,
  discoveryEvent,
  type FakeDiscovery,
  harnesses,
  startFakeDiscovery,
  usePostgres,
} from '@hubbub/testing';
import type { Kysely } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { describe, expect, test } from 'vitest';
import { KyselyMessageStore } from '../store/kysely-store.js';
import { openPostgresDatabase } from '../store/postgres.js';
import type { Database } from '../store/schema.js';
import { openSqliteDatabase } from '../store/sqlite.js';
import { EventCatalog, type ListRequest } from './catalog.js';
import type { SourceEvent } from './source.js';
import { EventStore, eventRoom, statusAt } from './store.js';
import { TicketmasterSource } from './ticketmaster.js';

const hour = 3600_000;
const minute = 60_000;
const now = Date.now();

interface Engine {
  db: Kysely<Database>;
  engine: 'sqlite' | 'postgres';
  cleanup(): Promise<void>;
}

const postgres = usePostgres();
const engines: Array<[string, () => Promise<Engine>]> = [
  [
    'SQLite',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'hubbub-events-'));
      const db = openSqliteDatabase({ file: join(dir, 'hubbub.sqlite'), synchronous: 'NORMAL' });
      return {
        db,
        engine: 'sqlite',
        cleanup: async () => {
          await db.destroy();
          await rm(dir, { recursive: true, force: true });
        },
      };
    },
  ],
  ...(postgres.enabled
    ? [
        [
          'PostgreSQL',
          async () => {
            const db = openPostgresDatabase({ url: await postgres.server().createDatabase() });
            return { db, engine: 'postgres', cleanup: () => db.destroy() };
          },
        ] as [string, () => Promise<Engine>],
      ]
    : []),
];

/** A source event, for storing directly. */
function event(sourceId: string, overrides: Partial<SourceEvent> = {}): SourceEvent {
  return {
    sourceId,
    name: `Event ${sourceId}`,
    classification: 'music',
    venue: 'Madison Square Garden',
    city: 'New York',
    country: 'US',
    latitude: 40.7505,
    longitude: -73.9934,
    startsAt: now + hour,
    endsAt: now + 4 * hour,
    endEstimated: false,
    image: null,
    ticketUrl: null,
    status: 'scheduled',
    ...overrides,
  };
}

const listing = (overrides: Partial<ListRequest> = {}): ListRequest => ({
  q: '',
  offset: 0,
  limit: 100,
  statuses: undefined,
  classification: undefined,
  near: undefined,
  asOf: undefined,
  ...overrides,
});

const silent = { info() {}, warn() {}, error() {} };

/** A message of a room's history, for storing directly: the `seq`th, under cid `cid`. */
const stored = (room: string, seq: number, cid: string, content = `line ${seq}`) => ({
  room,
  seq,
  id: uuidv7(),
  user: { id: 'u', name: 'U' },
  content,
  ts: new Date(now).toISOString(),
  cid,
});

describe.each(engines)('the events catalog on %s', (_name, open) => {
  const start = harnesses(async () => {
    const engine = await open();
    await new KyselyMessageStore(engine.db).migrate();
    const fake = await startFakeDiscovery();
    const store = new EventStore(engine.db, engine.engine);
    const source = new TicketmasterSource({
      apiKey: fake.apiKey,
      baseUrl: fake.url,
      perSecond: 100,
    });
    // What collection asked of the rest of the node: rooms closed, bus keys expired,
    // uploads revoked.
    const effects = { closed: [] as string[], expired: [] as string[], revoked: [] as string[] };
    const catalog = (options: { searchThrough?: boolean; historyTtlMs?: number } = {}) =>
      new EventCatalog(store, source, {
        removeAfterMs: hour,
        historyTtlMs: options.historyTtlMs ?? hour,
        searchThrough: options.searchThrough ?? true,
        opensBeforeMs: hour,
        viewers: async () => 0,
        expireRoom: async (room) => {
          effects.expired.push(room);
        },
        closeRoom: (room) => {
          effects.closed.push(room);
        },
        revokeMedia: async (ids) => {
          effects.revoked.push(...ids);
        },
        settleMs: 0,
        logger: silent,
      });
    const messages = new KyselyMessageStore(engine.db);
    return {
      ...engine,
      fake,
      store,
      catalog,
      messages,
      effects,
      cleanup: async () => {
        await fake.close();
        await engine.cleanup();
      },
    };
  });

  const names = (rows: Array<{ name: string }>) => rows.map((row) => row.name);

  function fill(fake: FakeDiscovery, specs: DiscoveryEventSpec[]) {
    fake.events = specs.map((spec) => discoveryEvent(spec));
  }

  test('ingest is idempotent: an event keeps its id and room, and is updated in place', async () => {
    const { fake, catalog, store } = await start();
    fill(
      fake,
      Array.from({ length: 30 }, (_, i) => ({
        id: `tm${i}`,
        name: `Show ${i}`,
        start: now + (i + 1) * minute,
      })),
    );
    const events = catalog();
    expect(await events.ingest(now)).toEqual({ fetched: 30, inserted: 30, updated: 0 });
    const first = (await store.list({ ...listing(), words: [], asOf: Date.now(), limit: 100 })).map(
      (r) => [r.source_id, r.id],
    );
    fake.events.reverse();
    (fake.events[0] as { name: string }).name = 'Show 29 (moved)';
    expect(await events.ingest(now)).toEqual({ fetched: 30, inserted: 0, updated: 30 });
    const again = await store.list({ ...listing(), words: [], asOf: Date.now(), limit: 100 });
    expect(again.map((r) => [r.source_id, r.id])).toEqual(first);
    const moved = again.find((r) => r.source_id === 'tm29');
    expect(moved?.name).toBe('Show 29 (moved)');
    // Ranks follow the latest listing's order.
    expect(moved?.rank).toBe(1);
    expect(again.find((r) => r.source_id === 'tm0')?.rank).toBe(30);
  });

  test('collect removes what ended more than an hour ago (61 min) with its history, keeps 59 min', async () => {
    const { store, catalog, messages, effects } = await start();
    await store.upsert(
      'ticketmaster',
      [
        event('ended-61', { startsAt: now - 4 * hour, endsAt: now - 61 * minute }),
        event('ended-59', { startsAt: now - 4 * hour, endsAt: now - 59 * minute }),
        event('upcoming'),
      ],
      now,
    );
    const rows = await store.list({
      ...listing(),
      words: [],
      statuses: ['ended', 'scheduled'],
      asOf: now,
      limit: 10,
    });
    const idOf = (sourceId: string) => rows.find((r) => r.source_id === sourceId)!.id;
    const say = async (sourceId: string) => {
      const room = eventRoom(idOf(sourceId));
      await messages.openRoom(room);
      await messages.insertMessages([
        {
          ...stored(room, 1, `c-${sourceId}`, 'what a show'),
          attachments: [
            {
              id: `file-${sourceId}`,
              kind: 'file',
              mime: 'application/pdf',
              name: 'setlist.pdf',
              size: 10,
            },
          ],
        },
        ...Array.from({ length: 2500 }, (_, i) =>
          stored(room, i + 2, `c-${sourceId}-${i}`, `encore ${i}`),
        ),
      ]);
      return room;
    };
    const gone = await say('ended-61');
    const kept = await say('ended-59');
    await messages.openRoom('global');
    await messages.insertMessages([stored('global', 1, 'g', 'hi')]);
    expect(await catalog().collect(now)).toEqual({ events: 1, histories: 1 });
    // Its members were taken out, the bus let go of it, its uploads stopped being served,
    // and the store kept nothing of it (2,501 messages, deleted in slices).
    expect(effects.closed).toEqual([gone]);
    expect(effects.expired).toEqual([gone]);
    expect(effects.revoked).toEqual(['file-ended-61']);
    expect(await store.find(idOf('ended-61'))).toBeUndefined();
    expect(await store.find(idOf('ended-59'))).toBeDefined();
    expect(await messages.roomMessages(gone, { limit: 10 })).toEqual([]);
    expect(await messages.roomMessages(kept, { limit: 10 })).toHaveLength(10);
    expect((await messages.openRoom(gone)).seq).toBe(0);
    expect(await messages.roomMessages('global', { limit: 10 })).toHaveLength(1);
    // Two minutes later the other has gone too.
    expect(await catalog().collect(now + 2 * minute)).toEqual({ events: 1, histories: 1 });
    expect(await messages.roomMessages(kept, { limit: 10 })).toEqual([]);
  });

  test('history expires on its own window, before the event leaves the catalog', async () => {
    const { store, catalog, messages } = await start();
    await store.upsert(
      'ticketmaster',
      [event('ended-45', { startsAt: now - 3 * hour, endsAt: now - 45 * minute })],
      now,
    );
    const [row] = await store.list({
      ...listing(),
      words: [],
      statuses: ['ended'],
      asOf: now,
      limit: 10,
    });
    const room = eventRoom(row!.id);
    await messages.openRoom(room);
    await messages.insertMessages([stored(room, 1, 'c', 'gg')]);
    expect(await catalog({ historyTtlMs: 30 * minute }).collect(now)).toEqual({
      events: 0,
      histories: 1,
    });
    expect(await messages.roomMessages(room, { limit: 10 })).toEqual([]);
    expect(await store.find(row!.id)).toBeDefined();
    // Nothing left to delete: the next sweep finds nothing.
    expect(await catalog({ historyTtlMs: 30 * minute }).collect(now)).toEqual({
      events: 0,
      histories: 0,
    });
  });

  test('full-text search: every word as a prefix of name, venue or city, accents folded', async () => {
    const { store, catalog } = await start();
    await store.upsert(
      'ticketmaster',
      [
        event('b', { name: 'Beyoncé: Renaissance', venue: 'Stade de France', city: 'Saint-Denis' }),
        event('m', { name: 'The Midnight Arcade' }),
        event('z', { name: 'Zürich Opera Night', venue: 'Opernhaus', city: 'Zürich' }),
      ],
      now,
    );
    const find = async (q: string) =>
      names((await catalog({ searchThrough: false }).list(listing({ q }), now)).rows);
    expect(await find('beyonce')).toEqual(['Beyoncé: Renaissance']);
    expect(await find('BEYON stade')).toEqual(['Beyoncé: Renaissance']);
    expect(await find('madi squ')).toEqual(['The Midnight Arcade']);
    expect(await find('zurich')).toEqual(['Zürich Opera Night']);
    expect(await find('mid arc')).toEqual(['The Midnight Arcade']);
    expect(await find('arcade zürich')).toEqual([]);
    // Query syntax of either engine is just text.
    expect(await find('"* OR \' & :* NEAR(')).toEqual(expect.any(Array));
    expect(await find('new york')).toEqual(['The Midnight Arcade']);
  });

  test('statuses are read at the snapshot: live, scheduled, ended, cancelled; default hides ended; called-off events come last', async () => {
    const { store, catalog } = await start();
    await store.upsert(
      'ticketmaster',
      [
        event('live', { name: 'Live', startsAt: now - hour, endsAt: now + hour }),
        event('later', { name: 'Later', startsAt: now + hour }),
        event('ended', { name: 'Ended', startsAt: now - 3 * hour, endsAt: now - 10 * minute }),
        // Called off, though due before the others: after every event that goes ahead.
        event('off', { name: 'Off', status: 'cancelled', startsAt: now - 2 * hour }),
        event('moved', { name: 'Moved', status: 'postponed', startsAt: now + 10 * minute }),
      ],
      now,
    );
    const list = async (statuses?: ListRequest['statuses']) =>
      names((await catalog().list(listing({ statuses }), now)).rows);
    expect(await list()).toEqual(['Live', 'Later', 'Off', 'Moved']);
    expect(
      names(
        (await catalog().list(listing({ near: { lat: 40.75, lng: -73.99, km: 5 } }), now)).rows,
      ),
    ).toEqual(['Live', 'Later', 'Off', 'Moved']);
    expect(await list(['live'])).toEqual(['Live']);
    expect(await list(['scheduled', 'ended'])).toEqual(['Ended', 'Later']);
    expect(await list(['cancelled'])).toEqual(['Off']);
    expect(statusAt({ status: 'scheduled', starts_at: now - hour, ends_at: now + hour }, now)).toBe(
      'live',
    );
  });

  test('near keeps what is within the radius, nearest first', async () => {
    const { store, catalog } = await start();
    await store.upsert(
      'ticketmaster',
      [
        event('nyc', { name: 'NYC', latitude: 40.7505, longitude: -73.9934 }),
        event('brooklyn', { name: 'Brooklyn', latitude: 40.6826, longitude: -73.9754 }),
        event('london', { name: 'London', latitude: 51.503, longitude: 0.0032 }),
        event('nowhere', { name: 'Nowhere', latitude: null, longitude: null }),
      ],
      now,
    );
    const near = async (lat: number, lng: number, km: number) =>
      names((await catalog().list(listing({ near: { lat, lng, km } }), now)).rows);
    expect(await near(40.69, -73.98, 50)).toEqual(['Brooklyn', 'NYC']);
    expect(await near(40.75, -73.99, 2)).toEqual(['NYC']);
    expect(await near(51.5, 0, 20)).toEqual(['London']);
  });

  test('pages of one snapshot neither repeat nor skip while events arrive and change state', async () => {
    const { store, catalog } = await start();
    await store.upsert(
      'ticketmaster',
      Array.from({ length: 40 }, (_, i) =>
        event(`e${i}`, {
          name: `E${i}`,
          startsAt: now + (i - 5) * 10 * minute,
          endsAt: now + (i - 5) * 10 * minute + 55 * minute,
        }),
      ),
      now - 1000,
    );
    const events = catalog();
    const whole = names((await events.list(listing({ limit: 100 }), now)).rows);
    const first = await events.list(listing({ limit: 15 }), now);
    // Meanwhile: new events that would sort first, and time passes (some end).
    await store.upsert(
      'ticketmaster',
      Array.from({ length: 5 }, (_, i) =>
        event(`new${i}`, { name: `New${i}`, startsAt: now - hour, endsAt: now + 2 * hour }),
      ),
      now + 1000,
    );
    const pages = [first.rows.slice(0, 15)];
    for (let offset = 15; ; offset += 15) {
      const page = await events.list(
        listing({ limit: 15, offset, asOf: first.asOf }),
        now + 30 * minute,
      );
      pages.push(page.rows.slice(0, 15));
      if (page.rows.length <= 15) break;
    }
    const paged = names(pages.flat());
    expect(paged).toEqual(whole);
    expect(new Set(paged).size).toBe(paged.length);
    // A new snapshot has the new events.
    expect(names((await events.list(listing({ limit: 100 }), now + 2000)).rows)).toContain('New0');
  });

  test('a search finding too little asks Ticketmaster, stores the finds once, and lists them', async () => {
    const { fake, catalog, store } = await start();
    fill(fake, [
      { id: 'tm-near', name: 'Harbour Lights Festival', start: now + hour },
      // Outside the 24 hours ingest covers: only a search finds it.
      {
        id: 'tm-far',
        name: 'Obscure Band Reunion',
        start: now + 3 * 24 * hour,
        venue: 'Lodge',
        city: 'Duluth',
      },
    ]);
    const events = catalog();
    await events.ingest(now);
    expect(fake.requests).toHaveLength(1);
    const found = await events.list(listing({ q: 'obscure band' }), Date.now());
    expect(names(found.rows)).toEqual(['Obscure Band Reunion']);
    expect(fake.requests.at(-1)?.url.searchParams.get('keyword')).toBe('obscure band');
    // The same words again: answered from the catalog, the source not asked.
    const asked = fake.requests.length;
    expect(names((await events.list(listing({ q: 'Obscure  BAND' }), Date.now())).rows)).toEqual([
      'Obscure Band Reunion',
    ]);
    expect(fake.requests).toHaveLength(asked);
    // Other words finding the same event: asked, stored still once, the catalog's rank kept.
    expect(names((await events.list(listing({ q: 'duluth' }), Date.now())).rows)).toEqual([
      'Obscure Band Reunion',
    ]);
    expect(fake.requests).toHaveLength(asked + 1);
    const all = await store.list({ ...listing(), words: [], asOf: Date.now(), limit: 100 });
    expect(all.map((row) => row.source_id).sort()).toEqual(['tm-far', 'tm-near']);
    // A full first page does not ask.
    await events.list(listing({ q: 'harbour', limit: 1 }), Date.now());
    expect(fake.requests).toHaveLength(asked + 1);
  });

  test('a refusing source leaves search to the catalog, and is not asked again meanwhile', async () => {
    const { fake, catalog } = await start();
    const events = catalog();
    fake.faults.push('quota');
    expect((await events.list(listing({ q: 'anything' }), now)).rows).toEqual([]);
    const asked = fake.requests.length;
    expect((await events.list(listing({ q: 'something else' }), now)).rows).toEqual([]);
    expect(fake.requests).toHaveLength(asked);
    // Without pass-through (the demo) the source is never asked.
    const quiet = catalog({ searchThrough: false });
    fake.available = 100;
    await quiet.list(listing({ q: 'third words' }), now);
    expect(fake.requests).toHaveLength(asked);
  });
});
