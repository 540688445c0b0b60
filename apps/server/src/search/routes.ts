import { ErrorCode, SearchQuery, SearchResponse } from '@hubbub/protocol';
import type { FastifyInstance } from 'fastify';
import type { Authenticator } from '../auth/authenticator.js';
import type { RoomAccess } from '../channels/access.js';
import { KeyedLimiter } from '../gateway/rate-limit.js';
import { authenticateRequest } from '../http/auth.js';
import { parseOr400, sendError } from '../http/errors.js';
import { doc } from '../http/openapi.js';
import type { MessageSearch } from './port.js';

/** Full-text search over the history of the rooms the caller may read. */
export function searchRoutes(
  app: FastifyInstance,
  deps: { authenticator: Authenticator; access: RoomAccess; search: MessageSearch },
): void {
  const { authenticator, access, search } = deps;
  // A search costs the database far more than a send: 2 a second per person, bursts of 10
  // (search-as-you-type stays well inside that; a script looping over it does not).
  const searches = new KeyedLimiter(2, 10);
  app.get(
    '/api/search',
    doc({
      summary: 'Messages matching every word, newest first, in rooms the caller may read',
      tags: ['history'],
      auth: true,
      query: SearchQuery,
      response: SearchResponse,
    }),
    async (request, reply) => {
      const identity = await authenticateRequest(request, reply, authenticator);
      if (identity === undefined) return reply;
      const query = parseOr400(reply, SearchQuery, request.query);
      if (query === undefined) return reply;
      if (!searches.take(identity.user.id, Date.now()))
        return sendError(reply, ErrorCode.rateLimited, 'searching too fast; try again shortly');
      let rooms: string[];
      if (query.room !== undefined) {
        const refusal = await access.canRead(identity, query.room);
        if (refusal !== undefined) return sendError(reply, refusal.code, refusal.message);
        rooms = [query.room];
      } else {
        rooms = await access.searchableRooms(identity);
      }
      const hits = await search.search({
        text: query.q,
        rooms,
        before: query.before,
        limit: query.limit + 1,
      });
      return { hits: hits.slice(0, query.limit), hasMore: hits.length > query.limit };
    },
  );
}
