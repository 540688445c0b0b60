import { ModerationFrame, RoomId } from '@hubbub/protocol';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Authenticator } from '../auth/authenticator.js';
import { Refused } from '../gateway/guard.js';
import { authenticateRequest } from '../http/auth.js';
import { parseOr400, sendError } from '../http/errors.js';
import type { ModerationService } from './moderation.js';
import type { ChannelService } from './service.js';
import type { ChannelRow } from './store.js';

const ChannelName = RoomId.refine(
  (name) => !name.includes(':'),
  'channel names cannot contain ":"',
);
const CreateChannel = z.object({
  name: ChannelName,
  visibility: z.enum(['public', 'private']).default('public'),
  topic: z.string().max(250).default(''),
});
const Role = z.enum(['owner', 'moderator', 'member']);
const RoomParams = z.object({ room: RoomId });
const MemberParams = z.object({ room: RoomId, userId: z.string().min(1).max(100) });
const MessageParams = z.object({ room: RoomId, id: z.string().min(1).max(64) });

function channelView(row: ChannelRow) {
  return {
    room: row.room_id,
    kind: row.kind,
    visibility: row.visibility,
    topic: row.topic,
    slowModeSeconds: row.slow_mode_seconds,
    createdAt: new Date(Number(row.created_at)).toISOString(),
  };
}

/** Channels, DMs, membership and moderation over REST; the same rules as the WebSocket frames. */
export function channelRoutes(
  app: FastifyInstance,
  deps: { authenticator: Authenticator; channels: ChannelService; moderation: ModerationService },
): void {
  const { authenticator, channels, moderation } = deps;

  /** Runs `work` as the caller; refusals become typed 4xx answers. */
  const asCaller = async <T>(
    request: Parameters<typeof authenticateRequest>[0],
    reply: FastifyReply,
    work: (identity: NonNullable<Awaited<ReturnType<typeof authenticateRequest>>>) => Promise<T>,
  ): Promise<T | FastifyReply> => {
    const identity = await authenticateRequest(request, reply, authenticator);
    if (identity === undefined) return reply;
    try {
      return await work(identity);
    } catch (error) {
      if (error instanceof Refused) return sendError(reply, error.code, error.message);
      throw error;
    }
  };

  app.post('/api/channels', (request, reply) =>
    asCaller(request, reply, async (identity) => {
      const body = parseOr400(reply, CreateChannel, request.body);
      if (body === undefined) return reply;
      return reply.code(201).send(channelView(await channels.create(identity, body)));
    }),
  );

  app.get('/api/channels', (request, reply) =>
    asCaller(request, reply, async (identity) => ({
      channels: (await channels.list(identity)).map((row) => ({
        ...channelView(row),
        members: row.members,
        role: row.role,
      })),
    })),
  );

  app.get('/api/channels/:room/members', (request, reply) =>
    asCaller(request, reply, async (identity) => {
      const params = parseOr400(reply, RoomParams, request.params);
      if (params === undefined) return reply;
      return { members: await channels.members(identity, params.room) };
    }),
  );

  app.post('/api/channels/:room/members', (request, reply) =>
    asCaller(request, reply, async (identity) => {
      const params = parseOr400(reply, RoomParams, request.params);
      const body =
        params &&
        parseOr400(
          reply,
          z.object({ userId: z.string().min(1).max(100), role: Role.default('member') }),
          request.body,
        );
      if (params === undefined || body === undefined) return reply;
      await channels.addMember(identity, params.room, body.userId, body.role);
      return reply.code(204).send();
    }),
  );

  app.patch('/api/channels/:room/members/:userId', (request, reply) =>
    asCaller(request, reply, async (identity) => {
      const params = parseOr400(reply, MemberParams, request.params);
      const body = params && parseOr400(reply, z.object({ role: Role }), request.body);
      if (params === undefined || body === undefined) return reply;
      await channels.setRole(identity, params.room, params.userId, body.role);
      return reply.code(204).send();
    }),
  );

  app.delete('/api/channels/:room/members/:userId', (request, reply) =>
    asCaller(request, reply, async (identity) => {
      const params = parseOr400(reply, MemberParams, request.params);
      if (params === undefined) return reply;
      await channels.removeMember(identity, params.room, params.userId);
      return reply.code(204).send();
    }),
  );

  app.post('/api/dms', (request, reply) =>
    asCaller(request, reply, async (identity) => {
      const body = parseOr400(
        reply,
        z.object({ userId: z.string().min(1).max(100) }),
        request.body,
      );
      if (body === undefined) return reply;
      return { room: await channels.openDm(identity, body.userId) };
    }),
  );

  app.post('/api/rooms/:room/moderation', (request, reply) =>
    asCaller(request, reply, async (identity) => {
      const params = parseOr400(reply, RoomParams, request.params);
      const frame =
        params &&
        parseOr400(reply, ModerationFrame, { ...(request.body as object), room: params.room });
      if (params === undefined || frame === undefined) return reply;
      await moderation.apply(identity, frame);
      return reply.code(204).send();
    }),
  );

  app.delete('/api/rooms/:room/messages/:id', (request, reply) =>
    asCaller(request, reply, async (identity) => {
      const params = parseOr400(reply, MessageParams, request.params);
      if (params === undefined) return reply;
      await moderation.apply(identity, { type: 'delete', room: params.room, id: params.id });
      return reply.code(204).send();
    }),
  );

  app.get('/api/rooms/:room/audit', (request, reply) =>
    asCaller(request, reply, async (identity) => {
      const params = parseOr400(reply, RoomParams, request.params);
      if (params === undefined) return reply;
      await moderation.requireRank(identity.user, params.room, 'moderator');
      return { entries: await moderation.auditLog(params.room) };
    }),
  );
}
