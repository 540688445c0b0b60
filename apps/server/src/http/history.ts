import { HistoryQuery, PageLimit, RoomId } from '@hubbub/protocol';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Authenticator } from '../auth/authenticator.js';
import type { MessageStore } from '../store/port.js';
import { authenticateRequest } from './auth.js';
import { parseOr400 } from './errors.js';

const RoomParams = z.object({ room: RoomId });
const UserParams = z.object({ id: z.string().min(1).max(100) });
const UserHistoryQuery = z.object({
  before: z.string().min(1).max(100).optional(),
  limit: PageLimit,
});

/**
 * History over REST, for scrolling back and for clients told to `reset`. Keyset pages by
 * seq (rooms) or message id (users), oldest first; `hasMore` says a further page exists.
 */
export function historyRoutes(
  app: FastifyInstance,
  store: MessageStore,
  authenticator: Authenticator,
): void {
  app.get('/api/rooms/:room/messages', async (request, reply) => {
    if ((await authenticateRequest(request, reply, authenticator)) === undefined) return reply;
    const params = parseOr400(reply, RoomParams, request.params);
    if (params === undefined) return reply;
    const query = parseOr400(reply, HistoryQuery, request.query);
    if (query === undefined) return reply;
    const rows = await store.roomMessages(params.room, {
      ...(query.before === undefined ? {} : { before: query.before }),
      ...(query.after === undefined ? {} : { after: query.after }),
      limit: query.limit + 1,
    });
    // One row more than asked tells whether another page exists; which end it is cut from
    // depends on the direction of travel.
    const hasMore = rows.length > query.limit;
    const messages = !hasMore
      ? rows
      : query.after !== undefined
        ? rows.slice(0, query.limit)
        : rows.slice(1);
    return { messages, hasMore };
  });

  app.get('/api/users/:id/messages', async (request, reply) => {
    if ((await authenticateRequest(request, reply, authenticator)) === undefined) return reply;
    const params = parseOr400(reply, UserParams, request.params);
    if (params === undefined) return reply;
    const query = parseOr400(reply, UserHistoryQuery, request.query);
    if (query === undefined) return reply;
    const rows = await store.userMessages(params.id, {
      ...(query.before === undefined ? {} : { before: query.before }),
      limit: query.limit + 1,
    });
    const hasMore = rows.length > query.limit;
    return { messages: hasMore ? rows.slice(1) : rows, hasMore };
  });
}
