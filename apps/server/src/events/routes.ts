import { ErrorCode, EventsPage, EventsQuery, LiveEvent } from '@hubbub/protocol';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { KeyedLimiter } from '../gateway/rate-limit.js';
import { parseOr400, sendError } from '../http/errors.js';
import { doc } from '../http/openapi.js';
import type { EventCatalog, ListRequest } from './catalog.js';

const EventParams = z.object({ id: z.string().min(1).max(64) });

/** A page of the catalog as the API answers it (and the dashboard's first page is inlined). */
export async function eventsPage(
  catalog: EventCatalog,
  request: ListRequest,
  now = Date.now(),
): Promise<EventsPage> {
  const { rows, asOf } = await catalog.list(request, now);
  return {
    events: await catalog.view(rows.slice(0, request.limit), asOf),
    offset: request.offset,
    hasMore: rows.length > request.limit,
    asOf,
  };
}

/** The catalog, open to anyone: the dashboard shows it before anyone signs in. */
export function eventRoutes(app: FastifyInstance, deps: { catalog: EventCatalog }): void {
  const { catalog } = deps;
  // Per address, generous: a venue's Wi-Fi puts a crowd behind one. What reaches
  // Ticketmaster (a search pass-through) is paced by its client and cached by words.
  const listings = new KeyedLimiter(20, 60);
  app.get(
    '/api/events',
    doc({
      summary: 'The events catalog: search, filter, page (offsets into one snapshot)',
      tags: ['events'],
      query: EventsQuery,
      response: EventsPage,
    }),
    async (request, reply) => {
      const query = parseOr400(reply, EventsQuery, request.query);
      if (query === undefined) return reply;
      const now = Date.now();
      if (!listings.take(request.ip, now))
        return sendError(
          reply,
          ErrorCode.rateLimited,
          'listing events too fast; try again shortly',
        );
      if (
        query.asOf !== undefined &&
        (query.asOf > now + 1000 || query.asOf < now - catalog.snapshotTtlMs)
      )
        return sendError(
          reply,
          ErrorCode.staleSnapshot,
          'this listing is too old to page through; start again from the first page',
        );
      return eventsPage(
        catalog,
        {
          q: query.q,
          offset: query.offset,
          limit: query.limit,
          statuses: query.status,
          classification: query.classification,
          near: query.near,
          asOf: query.asOf,
        },
        now,
      );
    },
  );
  app.get(
    '/api/events/:id',
    doc({ summary: 'One event', tags: ['events'], params: EventParams, response: LiveEvent }),
    async (request, reply) => {
      const params = parseOr400(reply, EventParams, request.params);
      if (params === undefined) return reply;
      const row = await catalog.find(params.id);
      if (row === undefined) return sendError(reply, ErrorCode.notFound, 'no such event');
      const [event] = await catalog.view([row], Date.now());
      return event;
    },
  );
}
