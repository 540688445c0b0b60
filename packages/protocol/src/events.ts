import { z } from 'zod';

/**
 * The author of the messages the server itself posts in a room (an event going live or
 * ending). No account has this id.
 */
export const systemUser = { id: 'system', name: 'Hubbub' } as const;

/** What kind of live event: the dashboard's filters. */
export const EventClassification = z.enum([
  'music',
  'sports',
  'arts',
  'film',
  'family',
  'comedy',
  'other',
]);
export type EventClassification = z.infer<typeof EventClassification>;

/**
 * Where an event stands. `live` and `ended` follow from its times; `cancelled` and
 * `postponed` come from its source and win over the times.
 */
export const EventStatus = z.enum(['scheduled', 'live', 'ended', 'cancelled', 'postponed']);
export type EventStatus = z.infer<typeof EventStatus>;

/** An event as the REST API returns it. Times are ISO 8601 in UTC. */
export const LiveEvent = z.object({
  id: z.string(),
  /** Its chat room (kind `event`). */
  room: z.string(),
  /** Where the catalog got it (`ticketmaster`, `demo`). */
  source: z.string(),
  name: z.string(),
  classification: EventClassification,
  venue: z.string().nullable(),
  city: z.string().nullable(),
  /** ISO 3166-1 alpha-2. */
  country: z.string().nullable(),
  latitude: z.number().nullable(),
  longitude: z.number().nullable(),
  startsAt: z.string(),
  endsAt: z.string(),
  /** The source gave no end: `endsAt` is the start plus a usual length for its kind. */
  endEstimated: z.boolean(),
  image: z.string().nullable(),
  ticketUrl: z.string().nullable(),
  /** Position by relevance in its source's last listing (1 = most relevant). */
  rank: z.number().int(),
  status: EventStatus,
  /** People in its room right now (every node's). */
  viewers: z.number().int().nonnegative(),
  /** When its room opens and closes (joining outside is refused). */
  roomOpensAt: z.string(),
  roomClosesAt: z.string(),
});
export type LiveEvent = z.infer<typeof LiveEvent>;

/** `near=lat,lng` or `near=lat,lng,km` (default radius 50 km). */
const Near = z
  .string()
  .trim()
  .regex(/^-?\d+(\.\d+)?,-?\d+(\.\d+)?(,\d+(\.\d+)?)?$/, 'near is lat,lng or lat,lng,km')
  .transform((value) => {
    const [lat = 0, lng = 0, km = 50] = value.split(',').map(Number);
    return { lat, lng, km };
  })
  .refine(
    (n) => Math.abs(n.lat) <= 90 && Math.abs(n.lng) <= 180 && n.km > 0 && n.km <= 20_000,
    'near: latitude within ±90, longitude within ±180, radius 0-20000 km',
  );

/**
 * `GET /api/events`: the catalog, soonest first (live events, which started earlier, lead),
 * events called off (cancelled, postponed) after every event that goes ahead.
 * `q` matches every word against name, venue and city (each word also as a prefix);
 * `status` is a comma-separated list (default: every event that has not ended);
 * `near` keeps events within a radius and orders them nearest first. Pages are offsets
 * into one snapshot: pass the first page's `asOf` with the next pages so events added or
 * changing state meanwhile neither repeat nor skip.
 */
export const EventsQuery = z.object({
  q: z.string().trim().max(200).default(''),
  offset: z.coerce.number().int().min(0).max(10_000).default(0),
  limit: z.coerce.number().int().min(1).max(100).default(24),
  status: z
    .string()
    .trim()
    .transform((value) => value.split(',').filter((s) => s.length > 0))
    .pipe(z.array(EventStatus).min(1).max(5))
    .optional(),
  classification: EventClassification.optional(),
  near: Near.optional(),
  asOf: z.coerce.number().int().positive().optional(),
});
export type EventsQuery = z.input<typeof EventsQuery>;

export const EventsPage = z.object({
  events: z.array(LiveEvent),
  offset: z.number().int(),
  hasMore: z.boolean(),
  /** The snapshot these pages are of (ms since the epoch): pass it back with `offset`. */
  asOf: z.number().int(),
});
export type EventsPage = z.infer<typeof EventsPage>;
