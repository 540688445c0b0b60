import type { EventsPage, LiveEvent, RestError } from '@hubbub/protocol';
import {
  clusterEnv,
  discoveryEvent,
  get,
  startFakeDiscovery,
  startServer,
  usePostgres,
  useRedis,
} from '@hubbub/testing';
import { describe, expect, test } from 'vitest';

const hour = 3600_000;

/** The catalog over real HTTP: the demo schedule by default, Ticketmaster with a key. */
describe('events API', () => {
  test('a fresh node lists the demo schedule: some live, the rest later, soonest first', async () => {
    await using server = await startServer();
    let page: EventsPage | undefined;
    await expect
      .poll(async () => {
        page = (await get<EventsPage>(server, '/api/events?limit=100')).body;
        return page.events.length;
      })
      .toBeGreaterThan(20);
    const events = page!.events;
    const statuses = new Set(events.map((e) => e.status));
    expect(statuses.has('live')).toBe(true);
    expect(statuses.has('scheduled')).toBe(true);
    expect(statuses.has('ended')).toBe(false);
    // Soonest first; called-off events (cancelled, postponed) after all that go ahead.
    const calledOff = (e: LiveEvent) => e.status === 'cancelled' || e.status === 'postponed';
    const order = events.map((e) => [calledOff(e) ? 1 : 0, Date.parse(e.startsAt)] as const);
    expect(order).toEqual([...order].sort((a, b) => a[0] - b[0] || a[1] - b[1]));
    expect(events[0]!.room).toBe(`event:${events[0]!.id}`);
    // One event by id; an unknown one is a typed 404.
    const one = await get<LiveEvent>(server, `/api/events/${events[0]!.id}`);
    expect(one.body).toEqual(events[0]);
    expect((await get<RestError>(server, '/api/events/nope')).body.error.code).toBe('not_found');
    // Only the live ones.
    const live = await get<EventsPage>(server, '/api/events?status=live');
    expect(live.body.events.length).toBeGreaterThan(0);
    expect(live.body.events.every((e) => e.status === 'live')).toBe(true);
  });

  test('pages are offsets into one snapshot; a bad query or a stale snapshot is refused', async () => {
    await using server = await startServer();
    await expect
      .poll(async () => (await get<EventsPage>(server, '/api/events')).body.events.length)
      .toBeGreaterThan(20);
    const whole = (await get<EventsPage>(server, '/api/events?limit=100')).body;
    const first = (await get<EventsPage>(server, `/api/events?limit=10&asOf=${whole.asOf}`)).body;
    const second = (
      await get<EventsPage>(server, `/api/events?limit=10&offset=10&asOf=${whole.asOf}`)
    ).body;
    expect([...first.events, ...second.events].map((e) => e.id)).toEqual(
      whole.events.slice(0, 20).map((e) => e.id),
    );
    expect(second).toMatchObject({ offset: 10, hasMore: true, asOf: whole.asOf });
    for (const query of [
      'status=over',
      'near=here',
      'limit=1000',
      'offset=-1',
      'classification=opera',
    ]) {
      const refused = await get<RestError>(server, `/api/events?${query}`);
      expect(refused.status, query).toBe(400);
      expect(refused.body.error.code).toBe('invalid_request');
    }
    const stale = await get<RestError>(
      server,
      `/api/events?offset=10&asOf=${Date.now() - 2 * hour}`,
    );
    expect(stale.status).toBe(410);
    expect(stale.body.error.code).toBe('stale_snapshot');
  });

  test('with a Ticketmaster key: ingested after start without holding up readiness; searches pass through', async () => {
    const now = Date.now();
    await using fake = await startFakeDiscovery([
      ...Array.from({ length: 250 }, (_, i) =>
        discoveryEvent({ id: `tm${i}`, name: `Headliner ${i}`, start: now + (i + 1) * 5 * 60_000 }),
      ),
      discoveryEvent({ id: 'far', name: 'Obscure Band Reunion', start: now + 72 * hour }),
    ]);
    fake.delayMs = 1500;
    await using server = await startServer({
      env: { TICKETMASTER_API_KEY: fake.apiKey, TICKETMASTER_URL: fake.url },
    });
    // Up and ready while Ticketmaster is still answering.
    expect((await fetch(`${server.httpUrl}/ready`)).status).toBe(200);
    expect((await get<EventsPage>(server, '/api/events')).body.events).toEqual([]);
    await expect
      .poll(
        async () => (await get<EventsPage>(server, '/api/events?limit=100')).body.events.length,
        {
          timeout: 15_000,
        },
      )
      .toBe(100);
    const listings = fake.requests.filter((r) => !r.url.searchParams.has('keyword'));
    expect(listings.map((r) => r.url.searchParams.get('page'))).toEqual(['0', '1']);
    fake.delayMs = 0;
    const found = (await get<EventsPage>(server, '/api/events?q=obscure')).body;
    expect(found.events.map((e) => e.name)).toEqual(['Obscure Band Reunion']);
    expect(found.events[0]).toMatchObject({ source: 'ticketmaster', endEstimated: true });
    const again = (await get<EventsPage>(server, '/api/events?q=reunion')).body;
    expect(again.events.map((e) => e.id)).toEqual(found.events.map((e) => e.id));
  });
});

const postgres = usePostgres();
const redis = useRedis();
describe.runIf(postgres.enabled && redis.enabled)('events on a cluster', () => {
  test('nodes starting together ingest once (the Redis claim)', async () => {
    await using fake = await startFakeDiscovery([
      discoveryEvent({ id: 'one', name: 'Only Show', start: Date.now() + hour }),
    ]);
    const env = await clusterEnv(postgres.server(), redis.server(), {
      TICKETMASTER_API_KEY: fake.apiKey,
      TICKETMASTER_URL: fake.url,
    });
    await using a = await startServer({ env });
    await using b = await startServer({ env });
    for (const node of [a, b])
      await expect
        .poll(async () => (await get<EventsPage>(node, '/api/events')).body.events.length)
        .toBe(1);
    expect(fake.requests).toHaveLength(1);
  });
});
