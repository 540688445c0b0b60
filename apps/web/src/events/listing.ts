import {
  dashboardPageSize,
  type EventStatus,
  type EventsPage,
  type LiveEvent,
} from '@hubbub/protocol';

/** One request of a listing: a window of one snapshot (`asOf` from the first page on). */
export interface ListingPage {
  offset: number;
  limit: number;
  asOf?: number | undefined;
  /**
   * Where a restored link pointed (the end of the page its `offset` names): pages are
   * fetched by themselves until the list reaches it. Carried from the first request on.
   */
  until: number;
}

/** The most one request may ask for (EventsQuery's `limit`). */
const requestMax = 100;

/**
 * The pages loaded so far as one list. Pages of one snapshot do not overlap, but a refetch
 * or a retried page can bring an event twice: it is shown once, where it first came.
 */
export function mergePages(pages: readonly EventsPage[]): LiveEvent[] {
  const seen = new Set<string>();
  const events: LiveEvent[] = [];
  for (const page of pages) {
    for (const event of page.events) {
      if (seen.has(event.id)) continue;
      seen.add(event.id);
      events.push(event);
    }
  }
  return events;
}

/** Where the loaded pages end in the snapshot (the next page's offset). */
function endOf(pages: readonly EventsPage[]): number {
  const last = pages.at(-1);
  return last === undefined ? 0 : last.offset + last.events.length;
}

/**
 * The page after `pages`, or undefined at the end. While a restored link is still short of
 * where it pointed (`until`), pages are as big as a request may be, so a deep link fills in
 * a few requests rather than many.
 */
export function nextPage(pages: readonly EventsPage[], until: number): ListingPage | undefined {
  const last = pages.at(-1);
  const first = pages[0];
  if (last === undefined || first === undefined || !last.hasMore) return undefined;
  const end = endOf(pages);
  const limit = Math.min(requestMax, Math.max(dashboardPageSize, until - end));
  return { offset: end, limit, asOf: first.asOf, until };
}

/** Whether a restored link is still filling in: more to come, and short of `until`. */
export function filling(pages: readonly EventsPage[], until: number): boolean {
  return (pages.at(-1)?.hasMore ?? false) && endOf(pages) < until;
}

/**
 * The URL's `offset` for what is loaded: where the last page-size step starts, so the link
 * reloads everything up to it (see DashboardSearch). Undefined (left out) at the top.
 */
export function urlOffset(pages: readonly EventsPage[]): number | undefined {
  const offset = Math.max(0, endOf(pages) - dashboardPageSize);
  return offset === 0 ? undefined : offset;
}

export type Section = 'live' | 'upcoming' | 'ended';

/** Which part of the dashboard an event is listed in. Called-off events keep their date. */
export function sectionOf(status: EventStatus): Section {
  switch (status) {
    case 'live':
      return 'live';
    case 'scheduled':
    case 'postponed':
    case 'cancelled':
      return 'upcoming';
    case 'ended':
      return 'ended';
    default: {
      const unknown: never = status;
      return unknown;
    }
  }
}

/** The events by section, in the catalog's order within each; empty sections left out. */
export function bySection(
  events: readonly LiveEvent[],
): Array<{ section: Section; events: LiveEvent[] }> {
  const order: Section[] = ['live', 'upcoming', 'ended'];
  const grouped = new Map<Section, LiveEvent[]>(order.map((s) => [s, []]));
  for (const event of events) grouped.get(sectionOf(event.status))?.push(event);
  return order
    .map((section) => ({ section, events: grouped.get(section) ?? [] }))
    .filter((group) => group.events.length > 0);
}

/**
 * The event's status at `now`: the snapshot's, moved on by the clock (it goes live at its
 * start and ends at its end), unless it was called off, which the clock does not change.
 */
export function statusAt(event: LiveEvent, now: number): EventStatus {
  if (event.status === 'cancelled' || event.status === 'postponed') return event.status;
  if (now >= Date.parse(event.endsAt)) return 'ended';
  if (now >= Date.parse(event.startsAt)) return 'live';
  return 'scheduled';
}
