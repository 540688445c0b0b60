import type { EventClassification } from '@hubbub/protocol';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { SourceStatus } from './schema.js';
import {
  defaultLength,
  type EventSource,
  foldText,
  queryWords,
  SourceError,
  type SourceEvent,
} from './source.js';

/**
 * Ticketmaster's Discovery API v2 (`GET /discovery/v2/events.json`). Its rules, which this
 * client keeps: at most 5 requests a second and 5,000 a day per key (the `Rate-Limit-*`
 * headers say how many are left and when the day resets), 429 when either is passed, and
 * deep paging only while size × page < 1000.
 */

const Text = z.string().trim().min(1);
const Coordinate = z.union([z.string(), z.number()]).transform((value) => {
  const n = typeof value === 'number' ? value : Number.parseFloat(value);
  return Number.isFinite(n) ? n : null;
});

/** One event of a listing; every field but id, name and start may be missing. */
const RawEvent = z.object({
  id: Text,
  name: Text,
  url: z.string().optional().catch(undefined),
  images: z
    .array(
      z.object({
        url: z.string(),
        ratio: z.string().optional(),
        width: z.number().optional(),
        fallback: z.boolean().optional(),
      }),
    )
    .optional()
    .catch(undefined),
  dates: z.object({
    start: z.object({
      dateTime: z.string().optional(),
      localDate: z.string().optional(),
      localTime: z.string().optional(),
    }),
    end: z.object({ dateTime: z.string().optional() }).optional().catch(undefined),
    timezone: z.string().optional(),
    status: z.object({ code: z.string() }).optional().catch(undefined),
  }),
  classifications: z
    .array(
      z.object({
        primary: z.boolean().optional(),
        family: z.boolean().optional(),
        segment: z.object({ name: z.string() }).optional(),
        genre: z.object({ name: z.string() }).optional(),
      }),
    )
    .optional()
    .catch(undefined),
  _embedded: z
    .object({
      venues: z
        .array(
          z.object({
            name: z.string().optional(),
            city: z.object({ name: z.string() }).optional(),
            country: z.object({ countryCode: z.string() }).optional(),
            location: z
              .object({ latitude: Coordinate, longitude: Coordinate })
              .optional()
              .catch(undefined),
          }),
        )
        .optional(),
    })
    .optional()
    .catch(undefined),
});
type RawEvent = z.infer<typeof RawEvent>;

/** A page of a listing. An empty result has no `_embedded` at all. */
const Listing = z.object({
  _embedded: z.object({ events: z.array(z.unknown()) }).optional(),
  page: z
    .object({ size: z.number(), totalElements: z.number(), totalPages: z.number() })
    .optional(),
});

/** Discovery API times: `YYYY-MM-DDTHH:mm:ssZ`, no milliseconds. */
export const discoveryTime = (ms: number): string =>
  new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The UTC instant of a wall-clock time in an IANA zone (for events given only locally). */
function zonedToUtc(date: string, time: string, timeZone: string): number | null {
  const wall = Date.parse(`${date}T${time}Z`);
  if (Number.isNaN(wall)) return null;
  try {
    const format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    const offsetAt = (instant: number) => {
      const p = Object.fromEntries(format.formatToParts(instant).map((x) => [x.type, x.value]));
      return Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!, +p.second!) - instant;
    };
    // Twice: the offset at the guess may differ from the offset at the answer (DST).
    const first = wall - offsetAt(wall);
    return wall - offsetAt(first);
  } catch {
    return null; // an unknown zone
  }
}

function classify(raw: RawEvent): EventClassification {
  const c = raw.classifications?.find((x) => x.primary) ?? raw.classifications?.[0];
  if (c === undefined) return 'other';
  if (c.genre?.name === 'Comedy') return 'comedy';
  if (c.family === true) return 'family';
  switch (c.segment?.name) {
    case 'Music':
      return 'music';
    case 'Sports':
      return 'sports';
    case 'Arts & Theatre':
      return 'arts';
    case 'Film':
      return 'film';
    default:
      return 'other';
  }
}

function statusOf(code: string | undefined): SourceStatus {
  if (code === 'cancelled' || code === 'canceled') return 'cancelled';
  if (code === 'postponed') return 'postponed';
  return 'scheduled';
}

/** The widest 16:9 picture (what the dashboard's cards show), else the widest of any shape. */
function pickImage(images: RawEvent['images']): string | null {
  if (images === undefined || images.length === 0) return null;
  const usable = images.filter((image) => /^https:\/\//.test(image.url));
  const wide = usable.filter((image) => image.ratio === '16_9' && image.fallback !== true);
  const pool = wide.length > 0 ? wide : usable;
  const best = pool.reduce<(typeof pool)[number] | undefined>(
    (a, b) => (a === undefined || (b.width ?? 0) > (a.width ?? 0) ? b : a),
    undefined,
  );
  return best?.url ?? null;
}

/** Maps one listed event; null when it cannot be placed in time (no start, a bad date). */
export function mapEvent(value: unknown): SourceEvent | null {
  const parsed = RawEvent.safeParse(value);
  if (!parsed.success) return null;
  const raw = parsed.data;
  const start = raw.dates.start;
  const startsAt =
    start.dateTime !== undefined
      ? Date.parse(start.dateTime)
      : start.localDate !== undefined &&
          start.localTime !== undefined &&
          raw.dates.timezone !== undefined
        ? zonedToUtc(start.localDate, start.localTime, raw.dates.timezone)
        : null;
  if (startsAt === null || Number.isNaN(startsAt)) return null;
  const classification = classify(raw);
  const end =
    raw.dates.end?.dateTime === undefined ? Number.NaN : Date.parse(raw.dates.end.dateTime);
  const endKnown = Number.isFinite(end) && end > startsAt;
  const venue = raw._embedded?.venues?.[0];
  const latitude = venue?.location?.latitude ?? null;
  const longitude = venue?.location?.longitude ?? null;
  const placed =
    latitude !== null &&
    longitude !== null &&
    Math.abs(latitude) <= 90 &&
    Math.abs(longitude) <= 180 &&
    !(latitude === 0 && longitude === 0);
  return {
    sourceId: raw.id,
    name: raw.name,
    classification,
    venue: venue?.name?.trim() || null,
    city: venue?.city?.name.trim() || null,
    country: venue?.country?.countryCode.trim().toUpperCase().slice(0, 2) || null,
    latitude: placed ? latitude : null,
    longitude: placed ? longitude : null,
    startsAt,
    endsAt: endKnown ? end : startsAt + defaultLength[classification],
    endEstimated: !endKnown,
    image: pickImage(raw.images),
    ticketUrl: raw.url !== undefined && /^https:\/\//.test(raw.url) ? raw.url : null,
    status: statusOf(raw.dates.status?.code),
  };
}

/** The error code inside a refusal's body: `fault.detail.errorcode` or `errors[].code`. */
function errorCode(body: unknown): string | undefined {
  const b = body as {
    fault?: { detail?: { errorcode?: unknown } };
    errors?: Array<{ code?: unknown }>;
  } | null;
  const code = b?.fault?.detail?.errorcode ?? b?.errors?.[0]?.code;
  return typeof code === 'string' ? code : undefined;
}

export interface TicketmasterOptions {
  apiKey: string;
  /** Where the API is (a test's own server); Ticketmaster's by default. */
  baseUrl?: string;
  /** Requests a second at most (Ticketmaster allows 5). */
  perSecond?: number;
  /** Retries of a request refused with 429 or failed with 5xx, after backing off. */
  retries?: number;
  /** The first backoff; it doubles with each retry (with jitter), unless Retry-After says. */
  backoffMs?: number;
  timeoutMs?: number;
  logger?: Pick<Logger, 'warn' | 'info'>;
}

const pageSize = 200;

/** Requests of the day's quota that searches leave for the catalog's own ingests. */
const ingestReserve = 250;

/**
 * How a request is made: an ingest waits its turn and retries; a search made while
 * someone waits for the answer neither queues behind others (more than a second) nor
 * backs off, and leaves the last of the day's quota to ingests.
 */
type Patience = 'ingest' | 'search';

export class TicketmasterSource implements EventSource {
  readonly name = 'ticketmaster';
  private readonly baseUrl: string;
  private readonly spacingMs: number;
  private nextSlot = 0;
  /** What the last answer's headers said of the day's quota. */
  private quota: { available: number; resetAt: number } | undefined;

  constructor(private readonly options: TicketmasterOptions) {
    this.baseUrl = (options.baseUrl ?? 'https://app.ticketmaster.com').replace(/\/$/, '');
    this.spacingMs = 1000 / (options.perSecond ?? 5);
  }

  /** The most relevant events starting in the next 24 hours, `max` at most. */
  async current(now: number, max: number, signal?: AbortSignal): Promise<SourceEvent[]> {
    return this.listing(
      { startDateTime: discoveryTime(now), endDateTime: discoveryTime(now + 24 * 3600_000) },
      max,
      signal,
    );
  }

  /** Events matching the keyword that have not ended (including those under way). */
  async search(
    keyword: string,
    now: number,
    max: number,
    signal?: AbortSignal,
  ): Promise<SourceEvent[]> {
    const words = queryWords(keyword);
    if (words.length === 0) return [];
    // Those started in the last half day too: the ones under way are what people look for.
    const found = await this.listing(
      { keyword: keyword.trim(), startDateTime: discoveryTime(now - 12 * 3600_000) },
      max,
      signal,
      'search',
    );
    return found.filter((event) => {
      if (event.endsAt <= now) return false;
      const text = foldText([event.name, event.venue, event.city].filter(Boolean).join(' '));
      return words.every((word) => text.includes(word));
    });
  }

  /** Pages through one listing, most relevant first, within the deep-paging rule. */
  private async listing(
    params: Record<string, string>,
    max: number,
    signal: AbortSignal | undefined,
    patience: Patience = 'ingest',
  ): Promise<SourceEvent[]> {
    const events = new Map<string, SourceEvent>();
    let skipped = 0;
    const size = Math.min(pageSize, max);
    for (let page = 0; size * page < 1000 && events.size < max; page++) {
      const body = await this.request(
        {
          ...params,
          sort: 'relevance,desc',
          size: String(size),
          page: String(page),
        },
        signal,
        patience,
      );
      const listing = Listing.safeParse(body);
      if (!listing.success)
        throw new SourceError('bad_reply', 'Ticketmaster answered a listing of an unknown shape');
      const raws = listing.data._embedded?.events ?? [];
      for (const raw of raws) {
        const event = mapEvent(raw);
        if (event === null) skipped += 1;
        else if (events.size < max && !events.has(event.sourceId))
          events.set(event.sourceId, event);
      }
      const totalPages = listing.data.page?.totalPages ?? 0;
      if (raws.length < size || page + 1 >= totalPages) break;
    }
    if (skipped > 0)
      this.options.logger?.info({ skipped }, 'ticketmaster events without a usable start skipped');
    return [...events.values()];
  }

  /** Waits for this client's next request slot (5 a second, across every caller). */
  private async slot(signal: AbortSignal | undefined, patience: Patience): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, this.nextSlot);
    if (patience === 'search' && at - now > 1000)
      throw new SourceError('rate_limited', 'Ticketmaster is busy with other requests');
    this.nextSlot = at + this.spacingMs;
    if (at > now) await sleep(at - now, signal);
  }

  private async request(
    params: Record<string, string>,
    signal: AbortSignal | undefined,
    patience: Patience,
  ): Promise<unknown> {
    const retries = patience === 'search' ? 0 : (this.options.retries ?? 3);
    const url = new URL(`${this.baseUrl}/discovery/v2/events.json`);
    url.searchParams.set('apikey', this.options.apiKey);
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    for (let attempt = 0; ; attempt++) {
      if (this.quota !== undefined && this.quota.available <= 0) {
        if (Date.now() < this.quota.resetAt)
          throw new SourceError(
            'quota_exhausted',
            "Ticketmaster's daily quota is spent",
            this.quota.resetAt,
          );
        this.quota = undefined;
      }
      if (patience === 'search' && this.quota !== undefined && this.quota.available < ingestReserve)
        throw new SourceError(
          'quota_exhausted',
          "the rest of Ticketmaster's daily quota is kept for ingests",
          this.quota.resetAt,
        );
      await this.slot(signal, patience);
      const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 10_000);
      let response: Response;
      try {
        response = await fetch(url, {
          headers: { accept: 'application/json' },
          signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
        });
      } catch (error) {
        if (attempt < retries && signal?.aborted !== true) {
          await sleep(this.backoff(attempt, undefined), signal);
          continue;
        }
        throw new SourceError('unavailable', `Ticketmaster unreachable: ${String(error)}`);
      }
      this.readQuota(response.headers);
      const body: unknown = await response.json().catch(() => undefined);
      if (response.ok) {
        if (body === undefined) throw new SourceError('bad_reply', 'Ticketmaster answered no JSON');
        return body;
      }
      const code = errorCode(body);
      if (response.status === 401 || code === 'oauth.v2.InvalidApiKey')
        throw new SourceError('invalid_key', 'Ticketmaster refused the API key');
      // "Nothing matches" (the page or resource does not exist): an empty listing.
      if (response.status === 404 && code === 'DIS1004') return {};
      if (
        response.status === 429 &&
        (this.quota?.available === 0 || code === 'policies.ratelimit.QuotaViolation')
      ) {
        const resetAt = this.quota?.resetAt ?? Date.now() + 3600_000;
        this.quota = { available: 0, resetAt };
        throw new SourceError('quota_exhausted', "Ticketmaster's daily quota is spent", resetAt);
      }
      const transient = response.status === 429 || response.status >= 500;
      if (transient && attempt < retries) {
        const wait = this.backoff(attempt, response.headers.get('retry-after'));
        this.options.logger?.warn(
          { status: response.status, code, waitMs: wait },
          'ticketmaster refused; backing off',
        );
        // Everyone else waits too: the limit is the key's, not the request's.
        this.nextSlot = Math.max(this.nextSlot, Date.now() + wait);
        continue;
      }
      if (response.status === 429)
        throw new SourceError('rate_limited', `Ticketmaster rate limit (${code ?? 'no code'})`);
      throw new SourceError(
        transient ? 'unavailable' : 'bad_reply',
        `Ticketmaster answered HTTP ${response.status} (${code ?? 'no code'})`,
      );
    }
  }

  private backoff(attempt: number, retryAfter: string | null | undefined): number {
    const seconds =
      retryAfter === null || retryAfter === undefined ? Number.NaN : Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, 60_000);
    const base = (this.options.backoffMs ?? 1000) * 2 ** attempt;
    return base / 2 + Math.random() * (base / 2);
  }

  private readQuota(headers: Headers): void {
    const available = Number(headers.get('rate-limit-available') ?? Number.NaN);
    const resetAt = Number(headers.get('rate-limit-reset') ?? Number.NaN);
    if (!Number.isFinite(available)) return;
    this.quota = {
      available,
      resetAt: Number.isFinite(resetAt) ? resetAt : Date.now() + 3600_000,
    };
  }
}

/** Waits, or rejects with a SourceError as soon as `signal` aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const stopped = () => {
      clearTimeout(timer);
      reject(new SourceError('unavailable', 'stopped'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', stopped);
      resolve();
    }, ms);
    if (signal?.aborted === true) stopped();
    else signal?.addEventListener('abort', stopped, { once: true });
  });
}
