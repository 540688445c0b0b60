import {
  AddMemberRequest,
  AuditLog,
  ChannelList,
  ChannelMembers,
  ChannelRole,
  ChannelView,
  CreateChannelRequest,
  MessageId,
  ModerationFrame,
  OpenDmRequest,
  OpenDmResponse,
  RoomId,
} from '@hubbub/protocol';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Authenticator } from '../auth/authenticator.js';
import { Refused } from '../gateway/guard.js';
import { authenticateRequest } from '../http/auth.js';
import { parseOr400, sendError } from '../http/errors.js';
import { doc } from '../http/openapi.js';
import type { ModerationService } from './moderation.js';
import type { ChannelService } from './service.js';
import type { ChannelRow } from './store.js';

const Role = ChannelRole;
const RoomParams = z.object({ room: RoomId });
const MemberParams = z.object({ room: RoomId, userId: z.string().min(1).max(100) });
const MessageParams = z.object({ room: RoomId, id: MessageId });

function channelView(row: ChannelRow & { slow_mode_seconds?: number }): ChannelView {
  return {
    room: row.room_id,
    kind: row.kind,
    visibility: row.visibility,
    topic: row.topic,
    slowModeSeconds: row.slow_mode_seconds ?? 0,
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

  app.post(
    '/api/channels',
    doc({
      summary: 'Create a channel; the caller owns it',
      tags: ['channels'],
      auth: true,
      body: CreateChannelRequest,
      response: ChannelView,
      status: 201,
    }),
    (request, reply) =>
      asCaller(request, reply, async (identity) => {
        const body = parseOr400(reply, CreateChannelRequest, request.body);
        if (body === undefined) return reply;
        return reply.code(201).send(channelView(await channels.create(identity, body)));
      }),
  );

  app.get(
    '/api/channels',
    doc({
      summary: 'Public channels, and the private ones and DMs the caller is in',
      tags: ['channels'],
      auth: true,
      response: ChannelList,
    }),
    (request, reply) =>
      asCaller(request, reply, async (identity) => ({
        channels: (await channels.list(identity)).map((row) => ({
          ...channelView(row),
          members: row.members,
          role: row.role,
          peer: row.peer,
        })),
      })),
  );

  app.get(
    '/api/channels/:room/members',
    doc({
      summary: 'Members of a channel the caller is in, with their names and roles',
      tags: ['channels'],
      auth: true,
      params: RoomParams,
      response: ChannelMembers,
    }),
    (request, reply) =>
      asCaller(request, reply, async (identity) => {
        const params = parseOr400(reply, RoomParams, request.params);
        if (params === undefined) return reply;
        return { members: await channels.members(identity, params.room) };
      }),
  );

  app.post(
    '/api/channels/:room/members',
    doc({
      summary: 'Add a member (moderators; roles above member: owners)',
      tags: ['channels'],
      auth: true,
      params: RoomParams,
      body: AddMemberRequest,
      response: null,
    }),
    (request, reply) =>
      asCaller(request, reply, async (identity) => {
        const params = parseOr400(reply, RoomParams, request.params);
        const body = params && parseOr400(reply, AddMemberRequest, request.body);
        if (params === undefined || body === undefined) return reply;
        await channels.addMember(identity, params.room, body.userId, body.role);
        return reply.code(204).send();
      }),
  );

  app.patch(
    '/api/channels/:room/members/:userId',
    doc({
      summary: 'Change a member’s role (owners); the last owner cannot step down (409 last_owner)',
      tags: ['channels'],
      auth: true,
      params: MemberParams,
      body: z.object({ role: Role }),
      response: null,
    }),
    (request, reply) =>
      asCaller(request, reply, async (identity) => {
        const params = parseOr400(reply, MemberParams, request.params);
        const body = params && parseOr400(reply, z.object({ role: Role }), request.body);
        if (params === undefined || body === undefined) return reply;
        await channels.setRole(identity, params.room, params.userId, body.role);
        return reply.code(204).send();
      }),
  );

  app.delete(
    '/api/channels/:room/members/:userId',
    doc({
      summary: 'Remove a member (or leave); their sockets leave the room at once',
      tags: ['channels'],
      auth: true,
      params: MemberParams,
      response: null,
    }),
    (request, reply) =>
      asCaller(request, reply, async (identity) => {
        const params = parseOr400(reply, MemberParams, request.params);
        if (params === undefined) return reply;
        await channels.removeMember(identity, params.room, params.userId);
        return reply.code(204).send();
      }),
  );

  for (const method of ['put', 'delete'] as const) {
    app[method](
      '/api/rooms/:room/moderators/:userId',
      doc({
        summary:
          method === 'put'
            ? 'Appoint a moderator of an open room: an event’s room or global (admins)'
            : 'Dismiss a moderator of an open room (admins)',
        tags: ['moderation'],
        auth: true,
        params: MemberParams,
        response: null,
      }),
      (request, reply) =>
        asCaller(request, reply, async (identity) => {
          const params = parseOr400(reply, MemberParams, request.params);
          if (params === undefined) return reply;
          await channels.setModerator(identity, params.room, params.userId, method === 'put');
          return reply.code(204).send();
        }),
    );
  }

  app.post(
    '/api/dms',
    doc({
      summary: 'Open (or find) the DM room with a user',
      tags: ['channels'],
      auth: true,
      body: OpenDmRequest,
      response: OpenDmResponse,
    }),
    (request, reply) =>
      asCaller(request, reply, async (identity) => {
        const body = parseOr400(reply, OpenDmRequest, request.body);
        if (body === undefined) return reply;
        return { room: await channels.openDm(identity, body.userId) };
      }),
  );

  app.post(
    '/api/rooms/:room/moderation',
    doc({
      summary:
        'A moderation action: the WebSocket frame’s body without room (delete, mute, unmute, kick, ban, unban, slow_mode, modes)',
      tags: ['moderation'],
      auth: true,
      params: RoomParams,
      body: ModerationFrame,
      response: null,
    }),
    (request, reply) =>
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

  app.delete(
    '/api/rooms/:room/messages/:id',
    doc({
      summary: 'Delete a message (its author, or a moderator)',
      tags: ['moderation'],
      auth: true,
      params: MessageParams,
      response: null,
    }),
    (request, reply) =>
      asCaller(request, reply, async (identity) => {
        const params = parseOr400(reply, MessageParams, request.params);
        if (params === undefined) return reply;
        await moderation.apply(identity, { type: 'delete', room: params.room, id: params.id });
        return reply.code(204).send();
      }),
  );

  app.get(
    '/api/rooms/:room/audit',
    doc({
      summary: 'The room’s moderation and membership log, newest first (moderators)',
      tags: ['moderation'],
      auth: true,
      params: RoomParams,
      response: AuditLog,
    }),
    (request, reply) =>
      asCaller(request, reply, async (identity) => {
        const params = parseOr400(reply, RoomParams, request.params);
        if (params === undefined) return reply;
        await moderation.requireRank(identity, params.room, 'moderator');
        return { entries: await moderation.auditLog(params.room) };
      }),
  );
}
