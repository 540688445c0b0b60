import type {
  AckFrame,
  AuditLog,
  ChannelMembers,
  ChatMessage,
  SessionResponse,
} from '@hubbub/protocol';
import {
  engines,
  get,
  post,
  RawClient,
  register,
  startServer,
  type TestServer,
  usePostgres,
} from '@hubbub/testing';
import { describe, expect, test } from 'vitest';

async function request(
  server: TestServer,
  method: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; body: { error?: { code: string } } & Record<string, unknown> }> {
  const response = await fetch(`${server.httpUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : JSON.parse(text) };
}

async function joined(
  server: TestServer,
  session: { token: string },
  room: string,
): Promise<RawClient> {
  const client = await RawClient.ready(server.wsUrl, session.token);
  client.send({ type: 'join', room });
  await client.next(
    (f) =>
      (f.type === 'joined' || f.type === 'error') &&
      (('room' in f && f.room === room) || f.type === 'error'),
  );
  return client;
}

async function say(client: RawClient, room: string, content: string): Promise<AckFrame> {
  const cid = `${content}-${Math.random()}`;
  client.send({ type: 'send', room, cid, content });
  const answer = await client.next(
    (f) =>
      (f.type === 'ack' || f.type === 'error') &&
      (f.type === 'ack' ? f.cid === cid : f.ref === cid),
  );
  if (answer.type !== 'ack') throw new Error(`send refused: ${JSON.stringify(answer)}`);
  return answer;
}

async function team(server: TestServer, ...names: string[]): Promise<SessionResponse[]> {
  return Promise.all(names.map((name) => register(server, name)));
}

describe('channels and DMs', () => {
  test('a fresh install has general, support and tech; new accounts start in them', async () => {
    await using server = await startServer();
    const [alice] = await team(server, 'alice');
    const list = await get<{ channels: Array<{ room: string; role: string | null }> }>(
      server,
      '/api/channels',
      alice!.token,
    );
    // A new account starts as a member of each default channel.
    expect(list.body.channels.map((c) => [c.room, c.role])).toEqual([
      ['general', 'member'],
      ['support', 'member'],
      ['tech', 'member'],
    ]);
    await using socket = await joined(server, alice!, 'general');
    expect((await say(socket, 'general', 'hello')).seq).toBe(1);
  });

  test('guests keep to open rooms: channels refuse them, open rooms do not', async () => {
    await using server = await startServer();
    const guest = await server.guest('Visitor');
    const socket = await RawClient.ready(server.wsUrl, guest.token);
    socket.send({ type: 'join', room: 'general' });
    expect(await socket.next((f) => f.type === 'error')).toMatchObject({
      code: 'forbidden',
      ref: 'general',
    });
    socket.send({ type: 'join', room: 'global' });
    expect(await socket.next((f) => f.type === 'joined')).toMatchObject({ room: 'global' });
    expect((await post(server, '/api/channels', { name: 'mine' }, guest.token)).status).toBe(403);
    expect((await post(server, '/api/dms', { userId: 'anyone' }, guest.token)).status).toBe(403);
    socket.socket.terminate();
  });

  test('a private channel: strangers cannot join, resume or read it; members added by the owner can', async () => {
    await using server = await startServer();
    const [owner, friend, stranger] = await team(server, 'owner', 'friend', 'stranger');
    const created = await post(
      server,
      '/api/channels',
      { name: 'secret', visibility: 'private' },
      owner!.token,
    );
    expect(created).toMatchObject({ status: 201, body: { room: 'secret', visibility: 'private' } });
    expect((await post(server, '/api/channels', { name: 'secret' }, friend!.token)).status).toBe(
      409,
    );
    await using ownerSocket = await joined(server, owner!, 'secret');
    await say(ownerSocket, 'secret', 'for members only');

    const outsider = await RawClient.ready(server.wsUrl, stranger!.token);
    outsider.send({ type: 'join', room: 'secret' });
    expect(await outsider.next((f) => f.type === 'error')).toMatchObject({
      code: 'forbidden',
      ref: 'secret',
    });
    outsider.send({ type: 'resume', room: 'secret', since: 0 });
    expect(await outsider.next((f) => f.type === 'error')).toMatchObject({
      code: 'forbidden',
      ref: 'secret',
    });
    outsider.send({ type: 'send', room: 'secret', cid: 'x', content: 'let me in' });
    expect(await outsider.next((f) => f.type === 'error')).toMatchObject({ code: 'not_in_room' });
    expect((await get(server, '/api/rooms/secret/messages', stranger!.token)).status).toBe(403);
    const hisHistory = await get<{ messages: unknown[] }>(
      server,
      `/api/users/${owner!.user.id}/messages`,
      stranger!.token,
    );
    expect(hisHistory.body.messages).toEqual([]);
    expect(outsider.messagesIn('secret')).toEqual([]);
    outsider.socket.terminate();

    // A private channel does not even admit to existing.
    expect(
      (
        await request(server, 'POST', '/api/channels/secret/members', stranger!.token, {
          userId: stranger!.user.id,
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await request(server, 'POST', '/api/channels/secret/members', owner!.token, {
          userId: friend!.user.id,
        })
      ).status,
    ).toBe(204);
    await using friendSocket = await joined(server, friend!, 'secret');
    expect(friendSocket.messagesIn('secret').map((m) => m.content)).toEqual(['for members only']);
    const listed = await get<{ channels: Array<{ room: string }> }>(
      server,
      '/api/channels',
      friend!.token,
    );
    expect(listed.body.channels.map((c) => c.room)).toContain('secret');
    const hidden = await get<{ channels: Array<{ room: string }> }>(
      server,
      '/api/channels',
      stranger!.token,
    );
    expect(hidden.body.channels.map((c) => c.room)).not.toContain('secret');
  });

  test('a DM is one room per pair, and only the two of them are in it', async () => {
    await using server = await startServer();
    const [alice, bob, eve] = await team(server, 'alice', 'bob', 'eve');
    const first = await post<{ room: string }>(
      server,
      '/api/dms',
      { userId: bob!.user.id },
      alice!.token,
    );
    const again = await post<{ room: string }>(
      server,
      '/api/dms',
      { userId: alice!.user.id },
      bob!.token,
    );
    expect(first.status).toBe(200);
    expect(again.body.room).toBe(first.body.room);
    const room = first.body.room;
    await using aliceSocket = await joined(server, alice!, room);
    await using bobSocket = await joined(server, bob!, room);
    await say(aliceSocket, room, 'psst');
    expect(await bobSocket.next((f) => f.type === 'message')).toMatchObject({ content: 'psst' });
    await using eveSocket = await RawClient.ready(server.wsUrl, eve!.token);
    eveSocket.send({ type: 'join', room });
    expect(await eveSocket.next((f) => f.type === 'error')).toMatchObject({ code: 'forbidden' });
    expect((await get(server, `/api/rooms/${room}/messages`, eve!.token)).status).toBe(403);
    expect((await post(server, '/api/dms', { userId: alice!.user.id }, alice!.token)).status).toBe(
      400,
    );
  });
});

describe('rooms given to people', () => {
  test('a new DM and an added private channel reach every socket of the person, and no one else', async () => {
    await using server = await startServer();
    const [alice, bob, eve] = await team(server, 'alice', 'bob', 'eve');
    await using phone = await RawClient.ready(server.wsUrl, bob!.token);
    await using laptop = await RawClient.ready(server.wsUrl, bob!.token);
    await using eavesdropper = await RawClient.ready(server.wsUrl, eve!.token);
    const dm = await post<{ room: string }>(
      server,
      '/api/dms',
      { userId: bob!.user.id },
      alice!.token,
    );
    for (const socket of [phone, laptop]) {
      expect(await socket.next((f) => f.type === 'room_added')).toEqual({
        type: 'room_added',
        room: dm.body.room,
        kind: 'dm',
        by: { id: alice!.user.id, name: 'alice' },
      });
    }
    await post(server, '/api/channels', { name: 'backstage', visibility: 'private' }, alice!.token);
    await request(server, 'POST', '/api/channels/backstage/members', alice!.token, {
      userId: bob!.user.id,
    });
    expect(await phone.next((f) => f.type === 'room_added')).toMatchObject({
      room: 'backstage',
      kind: 'channel',
    });
    // Eve was given nothing: a ping answered proves nothing else was queued for her.
    eavesdropper.send({ type: 'ping' });
    expect((await eavesdropper.next(() => true)).type).toBe('pong');
  });
});

describe('moderation', () => {
  async function channelWithModerator(server: TestServer) {
    const [owner, mod, member] = await team(server, 'owner', 'mod', 'member');
    await post(server, '/api/channels', { name: 'stage' }, owner!.token);
    await request(server, 'POST', '/api/channels/stage/members', owner!.token, {
      userId: mod!.user.id,
      role: 'moderator',
    });
    await request(server, 'POST', '/api/channels/stage/members', owner!.token, {
      userId: member!.user.id,
    });
    return { owner: owner!, mod: mod!, member: member! };
  }

  test('a removed or banned user stops receiving at once, on every socket, and cannot resume', async () => {
    await using server = await startServer();
    const { owner, mod, member } = await channelWithModerator(server);
    await using ownerSocket = await joined(server, owner, 'stage');
    const phone = await joined(server, member, 'stage');
    const laptop = await joined(server, member, 'stage');

    const modSocket = await joined(server, mod, 'stage');
    modSocket.send({ type: 'ban', room: 'stage', user: member.user.id, seconds: 3600 });
    for (const socket of [phone, laptop]) {
      expect(await socket.next((f) => f.type === 'left')).toEqual({
        type: 'left',
        room: 'stage',
        reason: 'banned',
      });
    }
    expect(await ownerSocket.next((f) => f.type === 'moderated')).toMatchObject({
      action: 'ban',
      target: member.user.id,
      actor: mod.user,
    });
    await say(ownerSocket, 'stage', 'after the ban');
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (const socket of [phone, laptop]) {
      expect(socket.messagesIn('stage').map((m) => m.content)).not.toContain('after the ban');
      socket.send({ type: 'resume', room: 'stage', since: 0 });
      expect(await socket.next((f) => f.type === 'error')).toMatchObject({ code: 'banned' });
      socket.send({ type: 'send', room: 'stage', cid: 'z', content: 'hello?' });
      expect(await socket.next((f) => f.type === 'error')).toMatchObject({ code: 'not_in_room' });
    }
    expect((await get(server, '/api/rooms/stage/messages', member.token)).status).toBe(403);

    modSocket.send({ type: 'unban', room: 'stage', user: member.user.id });
    await modSocket.next((f) => f.type === 'moderated' && f.action === 'unban');
    phone.send({ type: 'join', room: 'stage' });
    expect(await phone.next((f) => f.type === 'joined')).toMatchObject({ room: 'stage' });
    for (const socket of [phone, laptop, modSocket]) socket.socket.terminate();
  });

  test('removal from a channel by a moderator takes effect at once; the member can leave by themselves', async () => {
    await using server = await startServer();
    const { owner, member } = await channelWithModerator(server);
    await using socket = await joined(server, member, 'stage');
    expect(
      (
        await request(
          server,
          'DELETE',
          `/api/channels/stage/members/${member.user.id}`,
          owner.token,
        )
      ).status,
    ).toBe(204);
    expect(await socket.next((f) => f.type === 'left')).toMatchObject({ reason: 'removed' });
    // Public channel: they may walk back in, which makes them a member again.
    socket.send({ type: 'join', room: 'stage' });
    await socket.next((f) => f.type === 'joined');
    expect(
      (
        await request(
          server,
          'DELETE',
          `/api/channels/stage/members/${member.user.id}`,
          member.token,
        )
      ).status,
    ).toBe(204);
  });

  test('a muted user reads but cannot send until unmuted', async () => {
    await using server = await startServer();
    const { mod, member } = await channelWithModerator(server);
    await using memberSocket = await joined(server, member, 'stage');
    await using modSocket = await joined(server, mod, 'stage');
    modSocket.send({ type: 'mute', room: 'stage', user: member.user.id, seconds: 600 });
    await memberSocket.next((f) => f.type === 'moderated' && f.action === 'mute');
    memberSocket.send({ type: 'send', room: 'stage', cid: 'm1', content: 'can I speak?' });
    expect(await memberSocket.next((f) => f.type === 'error')).toMatchObject({
      code: 'muted',
      ref: 'm1',
    });
    await say(modSocket, 'stage', 'moderators still can');
    expect(await memberSocket.next((f) => f.type === 'message')).toMatchObject({
      content: 'moderators still can',
    });
    const viaRest = await request(server, 'POST', '/api/rooms/stage/moderation', mod.token, {
      type: 'unmute',
      user: member.user.id,
    });
    expect(viaRest.status).toBe(204);
    expect((await say(memberSocket, 'stage', 'thanks')).seq).toBeGreaterThan(0);
  });

  test('deleting: authors their own, moderators anyone’s, others no one’s; history keeps a tombstone', async () => {
    await using server = await startServer();
    const { owner, mod, member } = await channelWithModerator(server);
    await using ownerSocket = await joined(server, owner, 'stage');
    await using memberSocket = await joined(server, member, 'stage');
    const mine = await say(memberSocket, 'stage', 'oops, typo');
    const theirs = await say(ownerSocket, 'stage', 'owner speaking');

    memberSocket.send({ type: 'delete', room: 'stage', id: theirs.id });
    expect(await memberSocket.next((f) => f.type === 'error')).toMatchObject({
      code: 'forbidden',
      ref: 'delete',
    });
    memberSocket.send({ type: 'delete', room: 'stage', id: mine.id });
    expect(await ownerSocket.next((f) => f.type === 'moderated')).toMatchObject({
      action: 'delete',
      messageId: mine.id,
      seq: mine.seq,
    });
    expect(
      (await request(server, 'DELETE', `/api/rooms/stage/messages/${theirs.id}`, mod.token)).status,
    ).toBe(204);

    const history = await get<{ messages: ChatMessage[] }>(
      server,
      '/api/rooms/stage/messages',
      owner.token,
    );
    expect(history.body.messages.map((m) => [m.seq, m.content, m.deleted ?? false])).toEqual([
      [mine.seq, '', true],
      [theirs.seq, '', true],
    ]);
    await using late = await joined(server, owner, 'stage');
    const replay = late.received.find((f) => f.type === 'joined');
    expect(
      replay?.type === 'joined' &&
        replay.messages.every((m) => m.deleted === true && m.content === ''),
    ).toBe(true);
    const audit = await get<{
      entries: Array<{ action: string; actor: string; messageId: string | null }>;
    }>(server, '/api/rooms/stage/audit', mod.token);
    expect(audit.body.entries.map((e) => [e.action, e.actor, e.messageId])).toEqual([
      ['delete', mod.user.id, theirs.id],
      ['delete', member.user.id, mine.id],
      ['member_added', owner.user.id, null],
      ['member_added', owner.user.id, null],
    ]);
    expect((await get(server, '/api/rooms/stage/audit', member.token)).status).toBe(403);
  });

  test('slow mode holds members to the interval; moderators are exempt', async () => {
    await using server = await startServer();
    const { mod, member } = await channelWithModerator(server);
    await using memberSocket = await joined(server, member, 'stage');
    await using modSocket = await joined(server, mod, 'stage');
    modSocket.send({ type: 'slow_mode', room: 'stage', seconds: 60 });
    expect(await memberSocket.next((f) => f.type === 'moderated')).toMatchObject({
      action: 'slow_mode',
      seconds: 60,
    });
    await say(memberSocket, 'stage', 'first');
    memberSocket.send({ type: 'send', room: 'stage', cid: 'second', content: 'second' });
    expect(await memberSocket.next((f) => f.type === 'error')).toMatchObject({
      code: 'slow_mode',
      ref: 'second',
    });
    await say(modSocket, 'stage', 'mod 1');
    await say(modSocket, 'stage', 'mod 2');
  });

  test('ranks: members cannot moderate, moderators cannot touch owners, open rooms have no moderators', async () => {
    await using server = await startServer();
    const { owner, mod, member } = await channelWithModerator(server);
    await using memberSocket = await joined(server, member, 'stage');
    memberSocket.send({ type: 'mute', room: 'stage', user: mod.user.id, seconds: 60 });
    expect(await memberSocket.next((f) => f.type === 'error')).toMatchObject({
      code: 'forbidden',
      ref: 'mute',
    });
    const kickOwner = await request(server, 'POST', '/api/rooms/stage/moderation', mod.token, {
      type: 'kick',
      user: owner.user.id,
    });
    expect(kickOwner).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    const promote = await request(
      server,
      'PATCH',
      `/api/channels/stage/members/${member.user.id}`,
      mod.token,
      { role: 'owner' },
    );
    expect(promote.status).toBe(403);
    const byOwner = await request(
      server,
      'PATCH',
      `/api/channels/stage/members/${member.user.id}`,
      owner.token,
      { role: 'moderator' },
    );
    expect(byOwner.status).toBe(204);
    const open = await request(server, 'POST', '/api/rooms/global/moderation', owner.token, {
      type: 'slow_mode',
      seconds: 5,
    });
    expect(open).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    const members = await get<{ members: Array<{ userId: string; role: string }> }>(
      server,
      '/api/channels/stage/members',
      owner.token,
    );
    expect(members.body.members.find((m) => m.userId === member.user.id)?.role).toBe('moderator');
  });

  test('membership: names and roles listed, a role change told to the room, the last owner stays, all in the audit log', async () => {
    await using server = await startServer();
    const { owner, mod, member } = await channelWithModerator(server);
    await using memberSocket = await joined(server, member, 'stage');
    const members = await get<ChannelMembers>(server, '/api/channels/stage/members', member.token);
    expect(members.body.members.map((m) => [m.name, m.username, m.role])).toEqual([
      ['owner', 'owner', 'owner'],
      ['mod', 'mod', 'moderator'],
      ['member', 'member', 'member'],
    ]);

    // Promoted: the member hears it at once, and may moderate from then on.
    const promote = `/api/channels/stage/members/${member.user.id}`;
    expect(
      (await request(server, 'PATCH', promote, owner.token, { role: 'moderator' })).status,
    ).toBe(204);
    expect(await memberSocket.next((f) => f.type === 'moderated')).toMatchObject({
      action: 'role',
      target: member.user.id,
      role: 'moderator',
      actor: owner.user,
    });
    memberSocket.send({ type: 'slow_mode', room: 'stage', seconds: 5 });
    await memberSocket.next((f) => f.type === 'moderated' && f.action === 'slow_mode');

    // The only owner can neither step down nor leave while others remain; a second owner can.
    const self = `/api/channels/stage/members/${owner.user.id}`;
    expect(await request(server, 'PATCH', self, owner.token, { role: 'member' })).toMatchObject({
      status: 409,
      body: { error: { code: 'last_owner' } },
    });
    expect((await request(server, 'DELETE', self, owner.token)).body.error?.code).toBe(
      'last_owner',
    );
    const promoteMod = `/api/channels/stage/members/${mod.user.id}`;
    expect(
      (await request(server, 'PATCH', promoteMod, owner.token, { role: 'owner' })).status,
    ).toBe(204);
    expect((await request(server, 'DELETE', self, owner.token)).status).toBe(204);
    // A moderator removes a member below them; the log names everyone involved.
    const [extra] = await team(server, 'extra');
    const add = { userId: extra!.user.id };
    expect(
      (await request(server, 'POST', '/api/channels/stage/members', member.token, add)).status,
    ).toBe(204);
    const removeExtra = `/api/channels/stage/members/${extra!.user.id}`;
    expect((await request(server, 'DELETE', removeExtra, member.token)).status).toBe(204);
    const audit = await get<AuditLog>(server, '/api/rooms/stage/audit', mod.token);
    expect(
      audit.body.entries.map((e) => [e.action, e.actorName, e.targetName, e.details.role ?? null]),
    ).toEqual([
      ['member_removed', 'member', 'extra', null],
      ['member_added', 'member', 'extra', 'member'],
      ['member_left', 'owner', 'owner', null],
      ['role', 'owner', 'mod', 'owner'],
      ['slow_mode', 'member', null, null],
      ['role', 'owner', 'member', 'moderator'],
      ['member_added', 'owner', 'member', 'member'],
      ['member_added', 'owner', 'mod', 'moderator'],
    ]);
  });
});

/** The last-owner rule holds under concurrency on both engines (a transaction per change). */
const postgres = usePostgres();
describe.each(engines(postgres))('a channel keeps an owner ($engine)', ({ env }) => {
  test('two owners stepping down at once: one of them stays owner, every time', async () => {
    await using server = await startServer({ env: await env() });
    const [owner, mod] = (await team(server, 'owner', 'mod')) as [SessionResponse, SessionResponse];
    await post(server, '/api/channels', { name: 'stage' }, owner.token);
    await request(server, 'POST', '/api/channels/stage/members', owner.token, {
      userId: mod.user.id,
      role: 'moderator',
    });
    const path = (who: SessionResponse) => `/api/channels/stage/members/${who.user.id}`;
    for (let round = 0; round < 8; round++) {
      expect(
        (await request(server, 'PATCH', path(mod), owner.token, { role: 'owner' })).status,
      ).toBe(204);
      // Both step down at the same moment: one by taking the member role, one by leaving.
      const answers = await Promise.all([
        request(server, 'PATCH', path(owner), owner.token, { role: 'member' }),
        request(server, 'DELETE', path(mod), mod.token),
      ]);
      const members = await get<ChannelMembers>(server, '/api/channels/stage/members', owner.token);
      const owners = members.body.members.filter((m) => m.role === 'owner');
      expect(owners, JSON.stringify(answers.map((a) => a.status))).toHaveLength(1);
      expect(answers.map((a) => a.status).sort()).toEqual([204, 409]);
      // Back to one owner (the original) and the moderator, for the next round.
      const [stayed] = owners;
      if (stayed!.userId !== owner.user.id) {
        await request(server, 'PATCH', path(owner), mod.token, { role: 'owner' });
        await request(server, 'PATCH', path(mod), owner.token, { role: 'moderator' });
      } else if (answers[1]!.status === 204) {
        await request(server, 'POST', '/api/channels/stage/members', owner.token, {
          userId: mod.user.id,
          role: 'moderator',
        });
      }
    }
  });
});
