import {
  type DashboardListing,
  type EventsPage,
  EventsPreload,
  eventsPreloadId,
} from '@hubbub/protocol';

/**
 * The listing the server inlined into the page (see webRoutes), read once: it describes
 * the URL the page was loaded at, so after the first use it would only be stale. A page
 * from the service worker's cache has none, and the app fetches as usual.
 */
let preload: EventsPreload | undefined = read();

function read(): EventsPreload | undefined {
  const element = document.getElementById(eventsPreloadId);
  element?.remove();
  if (element?.textContent == null) return undefined;
  try {
    const parsed = EventsPreload.safeParse(JSON.parse(element.textContent));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The inlined first page if it answers exactly `listing`; consumed either way. */
export function takePreload(listing: DashboardListing): EventsPage | undefined {
  const taken = preload;
  preload = undefined;
  if (taken === undefined) return undefined;
  const asked = taken.listing;
  const same =
    asked.q === listing.q &&
    asked.classification === listing.classification &&
    asked.limit === listing.limit;
  return same ? taken.page : undefined;
}
