import { z } from 'zod';
import { EventClassification, EventsPage } from './events.js';

/**
 * The web app's events dashboard, `/events?q=&classification=&offset=`. Both the app and
 * the server read this URL (the server inlines the first listing into the page it serves),
 * so they parse it with one schema and cannot disagree on what a link shows.
 */

/** Events fetched per scroll step. */
export const dashboardPageSize = 24;
/** The most one `GET /api/events` returns (EventsQuery's `limit`). */
const listingMax = 100;

/**
 * The dashboard's URL state. `offset` is where the last page the person loaded starts, so
 * a copied link shows everything up to it, not that page alone. A bad value is dropped
 * rather than refused: a mangled link still opens the dashboard.
 */
export const DashboardSearch = z.object({
  q: z.string().trim().max(200).optional().catch(undefined),
  classification: EventClassification.optional().catch(undefined),
  offset: z.coerce.number().int().min(0).max(10_000).optional().catch(undefined),
});
export type DashboardSearch = z.infer<typeof DashboardSearch>;

/** The first request for a dashboard URL (a new snapshot, from the top). */
export const DashboardListing = z.object({
  q: z.string(),
  classification: EventClassification.optional(),
  offset: z.literal(0),
  limit: z.number().int().min(1).max(listingMax),
});
export type DashboardListing = z.infer<typeof DashboardListing>;

/**
 * What to ask first for a URL: as much of the list up to the page it names as one request
 * may carry. Deeper links fetch the rest in further requests of the same snapshot.
 */
export function firstListing(search: DashboardSearch): DashboardListing {
  return {
    q: search.q ?? '',
    classification: search.classification,
    offset: 0,
    limit: Math.min(listingMax, (search.offset ?? 0) + dashboardPageSize),
  };
}

/** The id of the `<script type="application/json">` that carries an EventsPreload. */
export const eventsPreloadId = 'hubbub-events';

/**
 * The first listing, inlined into the page served for `/events` so the list shows without
 * another round trip. `listing` is the request it answers: the app uses the page only if it
 * would have asked exactly that.
 */
export const EventsPreload = z.object({ listing: DashboardListing, page: EventsPage });
export type EventsPreload = z.infer<typeof EventsPreload>;
