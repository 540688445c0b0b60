import { discoveryEvent, startFakeDiscovery } from '@hubbub/testing';
import { describe, expect, test } from 'vitest';
import { defaultLength, SourceError } from './source.js';
import { discoveryTime, TicketmasterSource } from './ticketmaster.js';

const now = Date.parse('2026-11-23T18:00:00Z');
const minute = 60_000;

function catalog(count: number) {
  return Array.from({ length: count }, (_, i) =>
    discoveryEvent({ id: `vvG1Z${i}`, name: `Show ${i}`, start: now + (i + 1) * minute }),
  );
}

async function refusal(promise: Promise<unknown>): Promise<SourceError> {
  const error = await promise.then(
    () => new Error('answered'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SourceError);
  return error as SourceError;
}

describe('Ticketmaster Discovery API client', () => {
  test('pages through the 400 most relevant of the next 24 hours, 200 a page, in order', async () => {
    await using fake = await startFakeDiscovery(catalog(450));
    const source = new TicketmasterSource({
      apiKey: fake.apiKey,
      baseUrl: fake.url,
      perSecond: 50,
    });
    const events = await source.current(now, 400);
    expect(events.map((e) => e.sourceId)).toEqual(
      Array.from({ length: 400 }, (_, i) => `vvG1Z${i}`),
    );
    expect(fake.requests.map((r) => r.url.searchParams.get('page'))).toEqual(['0', '1']);
    const params = fake.requests[0]!.url.searchParams;
    expect(params.get('size')).toBe('200');
    expect(params.get('sort')).toBe('relevance,desc');
    expect(params.get('apikey')).toBe(fake.apiKey);
    expect(params.get('startDateTime')).toBe('2026-11-23T18:00:00Z');
    expect(params.get('endDateTime')).toBe('2026-11-24T18:00:00Z');
    expect(discoveryTime(now + 123)).toBe('2026-11-23T18:00:00Z');
  });

  test('never pages past size × page < 1000, and stops at the last page', async () => {
    await using fake = await startFakeDiscovery(catalog(1300));
    const source = new TicketmasterSource({
      apiKey: fake.apiKey,
      baseUrl: fake.url,
      perSecond: 100,
    });
    expect(await source.current(now, 5000)).toHaveLength(1000);
    expect(fake.requests.map((r) => r.url.searchParams.get('page'))).toEqual([
      '0',
      '1',
      '2',
      '3',
      '4',
    ]);
    fake.requests.length = 0;
    fake.events = catalog(250);
    expect(await source.current(now, 400)).toHaveLength(250);
    expect(fake.requests).toHaveLength(2);
  });

  test('an empty listing (no _embedded) and a 404 DIS1004 are both no events', async () => {
    await using fake = await startFakeDiscovery([]);
    const source = new TicketmasterSource({
      apiKey: fake.apiKey,
      baseUrl: fake.url,
      perSecond: 50,
    });
    expect(await source.current(now, 400)).toEqual([]);
    fake.faults.push('not-found');
    expect(await source.search('nothing', now, 50)).toEqual([]);
  });

  test('keeps 5 requests a second across callers', async () => {
    await using fake = await startFakeDiscovery(catalog(10));
    const source = new TicketmasterSource({ apiKey: fake.apiKey, baseUrl: fake.url });
    await Promise.all(Array.from({ length: 6 }, () => source.current(now, 10)));
    // The n-th request may not leave before n × 200 ms after the first: measured from the
    // first arrival, with room for that one request's own delay on a loaded machine (one
    // slow arrival followed by a quick one made gaps between neighbours flaky).
    const arrivals = fake.requests.map((r) => r.at);
    expect(arrivals).toHaveLength(6);
    for (let i = 1; i < arrivals.length; i++)
      expect(arrivals[i]! - arrivals[0]!).toBeGreaterThanOrEqual(i * 200 - 150);
  });

  test('backs off and retries a spike-arrest 429 and a 503', async () => {
    await using fake = await startFakeDiscovery(catalog(3));
    const source = new TicketmasterSource({
      apiKey: fake.apiKey,
      baseUrl: fake.url,
      perSecond: 50,
      backoffMs: 20,
    });
    fake.faults.push('spike', 'server-error', 'server-error');
    expect(await source.current(now, 400)).toHaveLength(3);
    expect(fake.requests).toHaveLength(4);
    fake.faults.push('spike', 'spike', 'spike', 'spike');
    expect((await refusal(source.current(now, 400))).kind).toBe('rate_limited');
  });

  test('a spent daily quota refuses until its reset, without asking again', async () => {
    await using fake = await startFakeDiscovery(catalog(3));
    const source = new TicketmasterSource({
      apiKey: fake.apiKey,
      baseUrl: fake.url,
      perSecond: 50,
    });
    fake.faults.push('quota');
    const error = await refusal(source.current(now, 400));
    expect(error.kind).toBe('quota_exhausted');
    expect(error.retryAt).toBeGreaterThan(Date.now());
    const asked = fake.requests.length;
    expect((await refusal(source.search('show', now, 10))).kind).toBe('quota_exhausted');
    expect(fake.requests).toHaveLength(asked);
  });

  test('a search never queues behind others, never retries, and leaves the last of the quota to ingests', async () => {
    await using fake = await startFakeDiscovery(catalog(10));
    const source = new TicketmasterSource({ apiKey: fake.apiKey, baseUrl: fake.url, perSecond: 2 });
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        source.search(`show ${i}`, now, 10).then(
          () => 'answered',
          (error: SourceError) => error.kind,
        ),
      ),
    );
    // 2 a second: the first three fit within a second's wait, the rest are told at once.
    expect(outcomes).toEqual([
      'answered',
      'answered',
      'answered',
      'rate_limited',
      'rate_limited',
      'rate_limited',
    ]);
    expect(fake.requests).toHaveLength(3);
    fake.faults.push('spike');
    await new Promise((resolve) => setTimeout(resolve, 1600));
    expect((await refusal(source.search('show', now, 10))).kind).toBe('rate_limited');
    expect(fake.requests).toHaveLength(4);
    fake.available = 100;
    await new Promise((resolve) => setTimeout(resolve, 600));
    await source.current(now, 10);
    expect((await refusal(source.search('show', now, 10))).kind).toBe('quota_exhausted');
    expect(await source.current(now, 10)).toHaveLength(10);
  });

  test('a quota violation without the headers still stops asking until the reset', async () => {
    await using fake = await startFakeDiscovery(catalog(3));
    const source = new TicketmasterSource({
      apiKey: fake.apiKey,
      baseUrl: fake.url,
      perSecond: 50,
    });
    fake.faults.push('quota-bare');
    const error = await refusal(source.current(now, 10));
    expect(error.kind).toBe('quota_exhausted');
    expect(error.retryAt).toBeGreaterThan(Date.now());
    expect((await refusal(source.current(now, 10))).kind).toBe('quota_exhausted');
    expect(fake.requests).toHaveLength(1);
  });

  test('a bad key is refused at once, never retried', async () => {
    await using fake = await startFakeDiscovery(catalog(3));
    const source = new TicketmasterSource({
      apiKey: 'not-the-key',
      baseUrl: fake.url,
      perSecond: 50,
    });
    expect((await refusal(source.current(now, 400))).kind).toBe('invalid_key');
    expect(fake.requests).toHaveLength(1);
  });

  test('stopping aborts a request waiting its turn', async () => {
    await using fake = await startFakeDiscovery(catalog(3));
    const source = new TicketmasterSource({
      apiKey: fake.apiKey,
      baseUrl: fake.url,
      perSecond: 0.2,
    });
    await source.current(now, 10);
    const controller = new AbortController();
    const waiting = source.current(now, 10, controller.signal);
    controller.abort();
    expect((await refusal(waiting)).kind).toBe('unavailable');
  });

  test('maps every field, fills gaps, and skips records it cannot place in time', async () => {
    const full = discoveryEvent({
      id: 'full',
      name: 'Beyoncé: Renaissance',
      start: now + minute,
      end: now + 4 * 3600_000,
      venue: 'Stade de France',
      city: 'Saint-Denis',
      countryCode: 'fr',
      latitude: '48.92452',
      longitude: '2.36017',
      status: 'cancelled',
    });
    const noEnd = discoveryEvent({
      id: 'no-end',
      name: 'Derby',
      start: now + minute,
      segment: 'Sports',
    });
    const comedy = discoveryEvent({
      id: 'comedy',
      name: 'Late Laughs',
      start: now + minute,
      segment: 'Arts & Theatre',
      genre: 'Comedy',
      latitude: 'unknown',
    });
    const noVenue = { ...discoveryEvent({ id: 'no-venue', name: 'Stream', start: now + minute }) };
    delete noVenue._embedded;
    delete noVenue.images;
    // Only a local date and time in the venue's zone (19:30 in New York is 00:30 UTC in winter).
    const local = discoveryEvent({ id: 'local', name: 'Local Time', start: now });
    local.dates = {
      start: { localDate: '2026-11-23', localTime: '19:30:00' },
      timezone: 'America/New_York',
      status: { code: 'onsale' },
    };
    const tba = discoveryEvent({ id: 'tba', name: 'Date TBA', start: now });
    tba.dates = { start: { localDate: '2026-11-23', dateTBA: true }, status: { code: 'onsale' } };
    const noId = discoveryEvent({ id: 'x', name: 'No id', start: now + minute });
    delete noId.id;
    const noDates = discoveryEvent({ id: 'no-dates', name: 'No dates', start: now + minute });
    delete noDates.dates;
    await using fake = await startFakeDiscovery([
      full,
      noId,
      noEnd,
      comedy,
      noDates,
      noVenue,
      local,
      tba,
    ]);
    const source = new TicketmasterSource({
      apiKey: fake.apiKey,
      baseUrl: fake.url,
      perSecond: 50,
    });
    const events = new Map((await source.current(now, 400)).map((e) => [e.sourceId, e]));
    expect([...events.keys()]).toEqual(['full', 'no-end', 'comedy', 'no-venue', 'local']);
    expect(events.get('full')).toEqual({
      sourceId: 'full',
      name: 'Beyoncé: Renaissance',
      classification: 'music',
      venue: 'Stade de France',
      city: 'Saint-Denis',
      country: 'FR',
      latitude: 48.92452,
      longitude: 2.36017,
      startsAt: now + minute,
      endsAt: now + 4 * 3600_000,
      endEstimated: false,
      image: 'https://s1.ticketm.net/dam/full_RETINA_LANDSCAPE_16_9.jpg',
      ticketUrl: 'https://www.ticketmaster.com/event/full',
      status: 'cancelled',
    });
    expect(events.get('no-end')).toMatchObject({
      classification: 'sports',
      endsAt: now + minute + defaultLength.sports,
      endEstimated: true,
    });
    expect(events.get('comedy')).toMatchObject({
      classification: 'comedy',
      latitude: null,
      longitude: null,
    });
    expect(events.get('no-venue')).toMatchObject({
      venue: null,
      city: null,
      country: null,
      latitude: null,
      image: null,
    });
    expect(events.get('local')?.startsAt).toBe(Date.parse('2026-11-24T00:30:00Z'));
  });

  test('search asks by keyword and keeps only what matches and has not ended', async () => {
    const events = [
      discoveryEvent({ id: 'a', name: 'Jazz at the Park', start: now + minute }),
      discoveryEvent({
        id: 'b',
        name: 'Jazz Brunch',
        start: now - 5 * 3600_000,
        end: now - 3600_000,
      }),
      discoveryEvent({ id: 'c', name: 'Jazz Night', start: now - 3600_000, end: now + 3600_000 }),
    ];
    await using fake = await startFakeDiscovery(events);
    const source = new TicketmasterSource({
      apiKey: fake.apiKey,
      baseUrl: fake.url,
      perSecond: 50,
    });
    const found = await source.search('  jazz ', now, 50);
    expect(found.map((e) => e.sourceId)).toEqual(['a', 'c']);
    const params = fake.requests[0]!.url.searchParams;
    expect(params.get('keyword')).toBe('jazz');
    expect(params.get('startDateTime')).toBe(discoveryTime(now - 12 * 3600_000));
  });
});
