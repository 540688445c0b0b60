import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import {
  type DashboardListing,
  DashboardSearch,
  type EventsPage,
  type EventsPreload,
  eventsPreloadId,
  firstListing,
} from '@hubbub/protocol';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';

/** The events catalog's first page for the dashboard's first request, read in-process. */
export type FirstEvents = (listing: DashboardListing) => Promise<EventsPage>;

/**
 * How long the page waits for the catalog before it is sent without the listing (the app
 * then asks for it itself): a slow search must not hold back the page and its scripts.
 */
const preloadWaitMs = 1000;

/**
 * Serves the built web app from the same port as the API, so one process is the whole
 * product. Unknown non-API paths get index.html, letting the app route on the client.
 * With `firstEvents`, the page for the events dashboard carries its first listing.
 */
export function webRoutes(app: FastifyInstance, distDir: string, firstEvents?: FirstEvents): void {
  const index = join(distDir, 'index.html');
  if (!existsSync(index)) {
    app.get('/', { schema: { hide: true } }, async (_request, reply) =>
      reply
        .type('text/plain')
        .send(
          'Hubbub is running, but the web app is not built: run `npm run build` (npm start does it).\n',
        ),
    );
    return;
  }
  void app.register(fastifyStatic, {
    root: distDir,
    wildcard: false,
    index: 'index.html',
    cacheControl: false,
  });
  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    if (path.startsWith('/api/') || path === '/ws') {
      return reply
        .code(404)
        .send({ error: { code: 'not_found', message: `no route for ${request.method} ${path}` } });
    }
    // Hashed assets are immutable; the shell is always revalidated so deploys show up.
    reply.header('cache-control', 'no-cache');
    if (firstEvents !== undefined && (path === '/events' || path === '/events/')) {
      const listing = firstListing(DashboardSearch.parse(request.query ?? {}));
      const page = await withinTime(firstEvents(listing), preloadWaitMs, request.log);
      const html = await readFile(index, 'utf8');
      return reply
        .type('text/html; charset=utf-8')
        .send(page === undefined ? html : withPreload(html, { listing, page }));
    }
    return reply.sendFile('index.html');
  });
}

/**
 * The page with the listing inlined as JSON. `<` is escaped so no event name can close the
 * script element; a function replacement, so `$&` and friends in names stay text.
 */
export function withPreload(html: string, preload: EventsPreload): string {
  const json = JSON.stringify(preload).replace(/</g, '\\u003c');
  const script = `<script id="${eventsPreloadId}" type="application/json">${json}</script>`;
  return html.replace('</body>', () => `${script}</body>`);
}

/** The listing if it came in time and without error; otherwise the page goes without it. */
async function withinTime(
  listing: Promise<EventsPage>,
  ms: number,
  log: FastifyBaseLogger,
): Promise<EventsPage | undefined> {
  // Handled here even when it loses the race: a late failure must not go unhandled.
  const settled = listing.catch((error: unknown) => {
    log.warn({ err: error }, 'events listing failed: page sent without it');
    return undefined;
  });
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms);
  });
  const page = await Promise.race([settled, late]);
  clearTimeout(timer);
  if (page !== 'late') return page;
  log.warn('events listing too slow: page sent without it');
  return undefined;
}
