import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for Ticketmaster's Discovery API v2 on 127.0.0.1, answering the way the real
 * one does: `_embedded.events` pages with a `page` object (no `_embedded` when nothing
 * matches), `Rate-Limit-*` headers on every answer, 401 with `oauth.v2.InvalidApiKey` for a
 * wrong key, 429 with `policies.ratelimit.*` when told to or out of quota, 404 `DIS1004`,
 * and 400 for paging past size × page ≥ 1000.
 */

export interface DiscoveryEventSpec {
  id: string;
  name: string;
  /** UTC start, ms. */
  start: number;
  end?: number;
  segment?: 'Music' | 'Sports' | 'Arts & Theatre' | 'Film' | 'Miscellaneous';
  genre?: string;
  venue?: string;
  city?: string;
  countryCode?: string;
  /** As the API sends them: strings. */
  latitude?: string;
  longitude?: string;
  status?: 'onsale' | 'offsale' | 'cancelled' | 'postponed' | 'rescheduled';
}

/** An event in the Discovery API's shape, with the fields Hubbub reads and a few it doesn't. */
export function discoveryEvent(spec: DiscoveryEventSpec): Record<string, unknown> {
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    name: spec.name,
    type: 'event',
    id: spec.id,
    test: false,
    url: `https://www.ticketmaster.com/event/${spec.id}`,
    locale: 'en-us',
    images: [
      {
        ratio: '3_2',
        url: `https://s1.ticketm.net/dam/${spec.id}_RETINA_PORTRAIT_3_2.jpg`,
        width: 640,
        height: 427,
        fallback: false,
      },
      {
        ratio: '16_9',
        url: `https://s1.ticketm.net/dam/${spec.id}_RECOMENDATION_16_9.jpg`,
        width: 100,
        height: 56,
        fallback: false,
      },
      {
        ratio: '16_9',
        url: `https://s1.ticketm.net/dam/${spec.id}_RETINA_LANDSCAPE_16_9.jpg`,
        width: 1136,
        height: 639,
        fallback: false,
      },
    ],
    sales: { public: { startDateTime: '2026-01-01T15:00:00Z', startTBD: false } },
    dates: {
      start: {
        localDate: iso(spec.start).slice(0, 10),
        localTime: iso(spec.start).slice(11, 19),
        dateTime: iso(spec.start),
        dateTBD: false,
        dateTBA: false,
        timeTBA: false,
        noSpecificTime: false,
      },
      ...(spec.end === undefined ? {} : { end: { dateTime: iso(spec.end), approximate: false } }),
      timezone: 'UTC',
      status: { code: spec.status ?? 'onsale' },
      spanMultipleDays: false,
    },
    classifications: [
      {
        primary: true,
        segment: { id: 'KZFzniwnSyZfZ7v7nJ', name: spec.segment ?? 'Music' },
        genre: { id: 'KnvZfZ7vAeA', name: spec.genre ?? 'Rock' },
        family: false,
      },
    ],
    _embedded: {
      venues: [
        {
          name: spec.venue ?? 'Madison Square Garden',
          type: 'venue',
          id: `KovZpZA${spec.id.slice(0, 6)}`,
          timezone: 'America/New_York',
          city: { name: spec.city ?? 'New York' },
          state: { name: 'New York', stateCode: 'NY' },
          country: { name: 'United States Of America', countryCode: spec.countryCode ?? 'US' },
          address: { line1: '7th Ave & 32nd St' },
          location: {
            longitude: spec.longitude ?? '-73.99160060',
            latitude: spec.latitude ?? '40.75072910',
          },
        },
      ],
      attractions: [{ name: spec.name, type: 'attraction' }],
    },
    _links: { self: { href: `/discovery/v2/events/${spec.id}?locale=en-us` } },
  };
}

/** What the fake answers next, before its normal answer: a refusal, then back to normal. */
export type DiscoveryFault = 'spike' | 'quota' | 'quota-bare' | 'server-error' | 'not-found';

export interface FakeDiscovery {
  url: string;
  apiKey: string;
  /** The catalog, most relevant first; replace or push to change what it lists. */
  events: Array<Record<string, unknown>>;
  /** Every request's URL, in order, and when it arrived (ms). */
  readonly requests: Array<{ url: URL; at: number }>;
  /** Refusals to give to the next requests, one each. */
  faults: DiscoveryFault[];
  /** Requests left today; at 0 every request is refused with a quota violation. */
  available: number;
  /** How long each answer takes (a slow API). */
  delayMs: number;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { 'content-type': 'application/json;charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

const startOf = (event: Record<string, unknown>) =>
  Date.parse((event.dates as { start?: { dateTime?: string } } | undefined)?.start?.dateTime ?? '');

const textOf = (event: Record<string, unknown>) => {
  const venue = (
    event._embedded as { venues?: Array<{ name?: string; city?: { name?: string } }> } | undefined
  )?.venues?.[0];
  return `${String(event.name)} ${venue?.name ?? ''} ${venue?.city?.name ?? ''}`.toLowerCase();
};

export async function startFakeDiscovery(
  events: Array<Record<string, unknown>> = [],
): Promise<FakeDiscovery> {
  const resetAt = Date.now() + 12 * 3600_000;
  const fake: FakeDiscovery = {
    url: '',
    apiKey: 'test-discovery-key',
    events,
    requests: [],
    faults: [],
    available: 5000,
    delayMs: 0,
    close: () => new Promise((resolve) => server.close(() => resolve())),
    [Symbol.asyncDispose]: () => fake.close(),
  };
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    fake.requests.push({ url, at: Date.now() });
    const limits = () => ({
      'Rate-Limit': '5000',
      'Rate-Limit-Available': String(Math.max(0, fake.available)),
      'Rate-Limit-Over': String(Math.max(0, -fake.available)),
      'Rate-Limit-Reset': String(resetAt),
    });
    if (url.searchParams.get('apikey') !== fake.apiKey)
      return send(res, 401, {
        fault: { faultstring: 'Invalid ApiKey', detail: { errorcode: 'oauth.v2.InvalidApiKey' } },
      });
    if (fake.available <= 0)
      return send(
        res,
        429,
        {
          fault: {
            faultstring: 'Rate limit quota violation. Quota limit  exceeded. Identifier : test',
            detail: { errorcode: 'policies.ratelimit.QuotaViolation' },
          },
        },
        limits(),
      );
    fake.available -= 1;
    const fault = fake.faults.shift();
    if (fault === 'spike')
      return send(
        res,
        429,
        {
          fault: {
            faultstring: 'Spike arrest violation. Allowed rate : 5ps',
            detail: { errorcode: 'policies.ratelimit.SpikeArrestViolation' },
          },
        },
        { ...limits(), 'Retry-After': '0' },
      );
    if (fault === 'quota') {
      fake.available = 0;
      return send(
        res,
        429,
        {
          fault: {
            faultstring: 'Rate limit quota violation.',
            detail: { errorcode: 'policies.ratelimit.QuotaViolation' },
          },
        },
        limits(),
      );
    }
    if (fault === 'quota-bare')
      // As through a proxy that drops the Rate-Limit-* headers: only the body says why.
      return send(res, 429, {
        fault: {
          faultstring: 'Rate limit quota violation.',
          detail: { errorcode: 'policies.ratelimit.QuotaViolation' },
        },
      });
    if (fault === 'server-error')
      return send(res, 503, { message: 'upstream unavailable' }, limits());
    if (fault === 'not-found' || url.pathname !== '/discovery/v2/events.json')
      return send(
        res,
        404,
        {
          errors: [
            {
              code: 'DIS1004',
              detail: 'Resource not found with provided criteria (locale=en-us)',
              status: '404',
            },
          ],
        },
        limits(),
      );
    const size = Number(url.searchParams.get('size') ?? '20');
    const page = Number(url.searchParams.get('page') ?? '0');
    if (size * page >= 1000 || size > 200)
      return send(
        res,
        400,
        {
          errors: [
            {
              code: 'DIS1035',
              detail:
                'API Limits Exceeded: Max paging depth exceeded. (page * size) must be less than 1,000',
              status: '400',
            },
          ],
        },
        limits(),
      );
    const from = Date.parse(url.searchParams.get('startDateTime') ?? '') || -Infinity;
    const to = Date.parse(url.searchParams.get('endDateTime') ?? '') || Infinity;
    const keyword = url.searchParams.get('keyword')?.toLowerCase();
    const matching = fake.events.filter((event) => {
      const start = startOf(event);
      // Records with no usable start pass the filter: the real API lists TBA dates too.
      const inWindow = Number.isNaN(start) || (start >= from && start <= to);
      return (
        inWindow &&
        (keyword === undefined || keyword.split(/\s+/).every((w) => textOf(event).includes(w)))
      );
    });
    const slice = matching.slice(page * size, page * size + size);
    const totalPages = Math.ceil(matching.length / size);
    return send(
      res,
      200,
      {
        ...(slice.length === 0 ? {} : { _embedded: { events: slice } }),
        _links: { self: { href: `/discovery/v2/events.json?page=${page}&size=${size}` } },
        page: { size, totalElements: matching.length, totalPages, number: page },
      },
      limits(),
    );
  };
  const server = createServer((req, res) => {
    if (fake.delayMs <= 0) return handle(req, res);
    setTimeout(() => handle(req, res), fake.delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
