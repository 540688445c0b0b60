import { RoomId } from '@hubbub/protocol';
import { createRootRoute, createRoute, createRouter } from '@tanstack/react-router';
import { z } from 'zod';
import { App } from './App.js';
import { AnalyticsPage } from './analytics/AnalyticsPage.js';

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

export const router = createRouter({ routeTree: root.addChildren([chatRoute, analyticsRoute]) });

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}
