import type { AckFrame, AuditLog, ChatMessage, SessionResponse } from '@hubbub/protocol';
import { get, post, RawClient, register, startServer, usePostgres } from '@hubbub/testing';
import { describe, expect, test } from 'vitest';

/**
 * The embedded engine runs the whole suite; this file drives every feature's queries once
 * through a server on a real PostgreSQL, so a query that only SQLite accepts cannot hide.
 */
const postgres = usePostgres();

describe.runIf(postgres.enabled)('a server on PostgreSQL', () => {
  test('accounts, sessions, channels, DMs, moderation and history all work on PostgreSQL', async () => {
    const url = await postgres.server().createDatabase();
    await using server = await startServer({
      env: { DATABASE_URL: url, REFRESH_REUSE_GRACE_SECONDS: '0' },
    });
    const [owner, member] = await Promise.all([
      register(server, 'owner'),
      register(server, 'member'),
    ]);
    expect(
      (await register(server, 'member').catch((error: Error) => error.message)) as string,
    ).toMatch(/409/);

    const refreshed = await post<SessionResponse>(server, '/api/auth/refresh', {
      refreshToken: owner.refreshToken,
    });
    expect(refreshed.status).toBe(200);
    expect(
      (await post(server, '/api/auth/refresh', { refreshToken: owner.refreshToken })).status,
    ).toBe(401);
    const session = (
      await post<SessionResponse>(server, '/api/auth/login', {
        username: 'owner',
        password: 'correct horse battery',
      })
    ).body;

    expect(
      (await post(server, '/api/channels', { name: 'stage', visibility: 'private' }, session.token))
        .status,
    ).toBe(201);
    const add = await fetch(`${server.httpUrl}/api/channels/stage/members`, {
      method: 'POST',
      headers: { authorization: `Bearer ${session.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ userId: member.user.id, role: 'moderator' }),
    });
    expect(add.status).toBe(204);
    const listed = await get<{
      channels: Array<{ room: string; members: number; role: string | null }>;
    }>(server, '/api/channels', member.token);
    expect(listed.body.channels.find((c) => c.room === 'stage')).toMatchObject({
      members: 2,
      role: 'moderator',
    });
    const dm = await post<{ room: string }>(
      server,
      '/api/dms',
      { userId: member.user.id },
      session.token,
    );
    expect(
      (await post<{ room: string }>(server, '/api/dms', { userId: session.user.id }, member.token))
        .body.room,
    ).toBe(dm.body.room);

    await using ownerSocket = await RawClient.ready(server.wsUrl, session.token);
    ownerSocket.send({ type: 'join', room: 'stage' });
    await ownerSocket.next((f) => f.type === 'joined');
    ownerSocket.send({ type: 'send', room: 'stage', cid: 'a', content: 'first' });
    const ack = (await ownerSocket.next((f) => f.type === 'ack')) as AckFrame;
    ownerSocket.send({ type: 'slow_mode', room: 'stage', seconds: 30 });
    await ownerSocket.next((f) => f.type === 'moderated' && f.action === 'slow_mode');
    ownerSocket.send({ type: 'mute', room: 'stage', user: member.user.id, seconds: 60 });
    await ownerSocket.next((f) => f.type === 'moderated' && f.action === 'mute');
    ownerSocket.send({ type: 'ban', room: 'stage', user: member.user.id, seconds: 60 });
    await ownerSocket.next((f) => f.type === 'moderated' && f.action === 'ban');
    ownerSocket.send({ type: 'delete', room: 'stage', id: ack.id });
    await ownerSocket.next((f) => f.type === 'moderated' && f.action === 'delete');

    const history = await get<{ messages: ChatMessage[] }>(
      server,
      '/api/rooms/stage/messages',
      session.token,
    );
    expect(history.body.messages).toMatchObject([{ seq: 1, content: '', deleted: true }]);
    expect((await get(server, '/api/rooms/stage/messages', member.token)).status).toBe(403);
    const audit = await get<AuditLog>(server, '/api/rooms/stage/audit', session.token);
    expect(audit.body.entries.map((e) => e.action)).toEqual([
      'delete',
      'ban',
      'mute',
      'slow_mode',
      'member_added',
    ]);
    // Names come from the accounts table, joined on PostgreSQL as on SQLite.
    expect(audit.body.entries.at(-1)).toMatchObject({
      actorName: session.user.name,
      targetName: member.user.name,
    });
    const mine = await get<{ messages: ChatMessage[] }>(
      server,
      `/api/users/${session.user.id}/messages`,
      session.token,
    );
    expect(mine.body.messages).toHaveLength(1);

    await server.restart();
    expect((await get(server, '/api/me', session.token)).status).toBe(200);
  });
});
