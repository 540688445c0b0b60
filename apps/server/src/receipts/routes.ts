import { ErrorCode, MyRooms, RoomId, RoomReceipts } from '@hubbub/protocol';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Authenticator } from '../auth/authenticator.js';
import type { RoomAccess } from '../channels/access.js';
import { authenticateRequest } from '../http/auth.js';
import { parseOr400, sendError } from '../http/errors.js';
import { doc } from '../http/openapi.js';
import type { ReceiptStore } from './store.js';

const RoomParams = z.object({ room: RoomId });

/** Receipts over REST: a room's pointers when a client opens it, and one's unread counts. */
export function receiptRoutes(
  app: FastifyInstance,
  deps: { authenticator: Authenticator; access: RoomAccess; receipts: ReceiptStore },
): void {
  const { authenticator, access, receipts } = deps;

  app.get(
    '/api/rooms/:room/receipts',
    doc({
      summary: 'Every member’s furthest delivered and read seq in a channel or DM',
      tags: ['receipts'],
      auth: true,
      params: RoomParams,
      response: RoomReceipts,
    }),
    async (request, reply) => {
      const identity = await authenticateRequest(request, reply, authenticator);
      if (identity === undefined) return reply;
      const params = parseOr400(reply, RoomParams, request.params);
      if (params === undefined) return reply;
      const refusal = await access.canRead(identity, params.room);
      if (refusal !== undefined) return sendError(reply, refusal.code, refusal.message);
      if ((await access.channel(params.room)) === null)
        return sendError(reply, ErrorCode.notFound, 'open rooms keep no receipts');
      return { receipts: await receipts.room(params.room) };
    },
  );

  app.get(
    '/api/me/rooms',
    doc({
      summary: 'The caller’s channels and DMs with their latest seq, receipts and unread count',
      tags: ['receipts'],
      auth: true,
      response: MyRooms,
    }),
    async (request, reply) => {
      const identity = await authenticateRequest(request, reply, authenticator);
      if (identity === undefined) return reply;
      if (identity.kind !== 'user') return { rooms: [] };
      return { rooms: await receipts.unread(identity.user.id) };
    },
  );
}
