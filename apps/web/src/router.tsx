import { DashboardSearch, RoomId } from '@hubbub/protocol';
import { createRootRoute, createRoute, createRouter } from '@tanstack/react-router';
import { z } from 'zod';
import { App } from './App.js';
import { AnalyticsPage } from './analytics/AnalyticsPage.js';
import { Dashboard } from './events/Dashboard.js';
import { plainSearch } from './lib/search-params.js';

/**
 * One screen, with its state in the URL: `/?room=general` opens that room (`&at=42` at that
 * message), so a link or a
 * reload lands where the person was. The search params are validated like any other input.
 */
const Search = z.object({
  room: RoomId.optional().catch(undefined),
  /** A message to show in context (a search hit): its seq. */
  at: z.coerce.number().int().positive().optional().catch(undefined),
});

const root = createRootRoute();
export const chatRoute = createRoute({
  getParentRoute: () => root,
  path: '/',
  validateSearch: (search: Record<string, unknown>) => Search.parse(search),
  component: App,
});

/** Live figures for the cluster (admins). */
const analyticsRoute = createRoute({
  getParentRoute: () => root,
  path: '/analytics',
  component: AnalyticsPage,
});

/**
 * The live events dashboard: `/events?q=&classification=&offset=`. An event's room is the
 * chat screen's `/?room=event:<id>`, so it has the chat's sidebar, session and composer.
 */
export const eventsRoute = createRoute({
  getParentRoute: () => root,
  path: '/events',
  validateSearch: (search: Record<string, unknown>) => DashboardSearch.parse(search),
  component: Dashboard,
});

export const router = createRouter({
  routeTree: root.addChildren([chatRoute, analyticsRoute, eventsRoute]),
  ...plainSearch,
});

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}
