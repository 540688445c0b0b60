import { type ChatMessage, HistoryPage, HistoryQuery, PageLimit, RoomId } from '@hubbub/protocol';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Authenticator, Identity } from '../auth/authenticator.js';
import { BrokerError } from '../broker/local.js';
import type { Broker } from '../broker/port.js';
import type { Refusal } from '../gateway/guard.js';
import type { MessageStore } from '../store/port.js';
import { authenticateRequest } from './auth.js';
import { parseOr400, sendError } from './errors.js';
import { doc } from './openapi.js';

const RoomParams = z.object({ room: RoomId });
const UserParams = z.object({ id: z.string().min(1).max(100) });
const UserHistoryQuery = z.object({
  before: z.string().min(1).max(100).optional(),
  limit: PageLimit,
});

/**
 * History over REST, for scrolling back and for clients told to `reset`. Keyset pages by
 * seq (rooms) or message id (users), oldest first; `hasMore` says a further page exists.
 * A room's pages come from the broker: the store's rows, with no hole below the room's
 * head (what is acknowledged and not yet stored is read from the bus), or 503
 * `unavailable` to retry, never a silent gap.
 */
export function historyRoutes(
  app: FastifyInstance,
  store: MessageStore,
  broker: Pick<Broker, 'history'>,
  authenticator: Authenticator,
  canRead: (identity: Identity, room: RoomId) => Promise<Refusal | undefined>,
): void {
  app.get(
    '/api/rooms/:room/messages',
    doc({
      summary: 'A page of a room’s history by seq, oldest first',
      tags: ['history'],
      auth: true,
      params: RoomParams,
      query: HistoryQuery,
      response: HistoryPage,
    }),
    async (request, reply) => {
      const identity = await authenticateRequest(request, reply, authenticator);
      if (identity === undefined) return reply;
      const params = parseOr400(reply, RoomParams, request.params);
      if (params === undefined) return reply;
      const refusal = await canRead(identity, params.room);
      if (refusal !== undefined) return sendError(reply, refusal.code, refusal.message);
      const query = parseOr400(reply, HistoryQuery, request.query);
      if (query === undefined) return reply;
      let rows: ChatMessage[];
      try {
        rows = await broker.history(params.room, {
          ...(query.before === undefined ? {} : { before: query.before }),
          ...(query.after === undefined ? {} : { after: query.after }),
          limit: query.limit + 1,
        });
      } catch (error) {
        if (!(error instanceof BrokerError)) throw error;
        return sendError(reply, error.code, error.message);
      }
      // One row more than asked tells whether another page exists; which end it is cut from
      // depends on the direction of travel.
      const hasMore = rows.length > query.limit;
      const messages = !hasMore
        ? rows
        : query.after !== undefined
          ? rows.slice(0, query.limit)
          : rows.slice(1);
      return { messages, hasMore };
    },
  );

  app.get(
    '/api/users/:id/messages',
    doc({
      summary: 'A user’s messages in rooms the caller can read, oldest first',
      tags: ['history'],
      auth: true,
      params: UserParams,
      query: UserHistoryQuery,
      response: HistoryPage,
    }),
    async (request, reply) => {
      const identity = await authenticateRequest(request, reply, authenticator);
      if (identity === undefined) return reply;
      const params = parseOr400(reply, UserParams, request.params);
      if (params === undefined) return reply;
      const query = parseOr400(reply, UserHistoryQuery, request.query);
      if (query === undefined) return reply;
      const rows = await store.userMessages(params.id, {
        ...(query.before === undefined ? {} : { before: query.before }),
        limit: query.limit + 1,
      });
      const hasMore = rows.length > query.limit;
      // Only what the caller could read in the room itself: private channels and DMs stay private.
      const readable = new Map<RoomId, boolean>();
      for (const room of new Set(rows.map((m) => m.room))) {
        readable.set(room, (await canRead(identity, room)) === undefined);
      }
      const page = hasMore ? rows.slice(1) : rows;
      return { messages: page.filter((m) => readable.get(m.room)), hasMore };
    },
  );
}
