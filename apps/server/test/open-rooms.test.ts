import { join } from 'node:path';
import type { ServerFrame } from '@hubbub/protocol';
import {
  eventRoomOf,
  get,
  post,
  RawClient,
  register,
  startServer,
  type TestServer,
} from '@hubbub/testing';
import SQLite from 'better-sqlite3';
import { describe, expect, test } from 'vitest';

/**
 * Rows in the server's `rooms` table whose name starts with `prefix`, read beside it from its
 * SQLite file. By prefix: the demo catalog's events announce themselves into their rooms
 * whenever they go live, which writes rows of their own at any moment.
 */
function roomRows(server: TestServer, prefix: string): number {
  const db = new SQLite(join(server.dataDir, 'hubbub.sqlite'), { readonly: true });
  try {
    return (
      db.prepare('select count(*) as n from rooms where id like ?').get(`${prefix}%`) as {
        n: number;
      }
    ).n;
  } finally {
    db.close();
  }
}

/** Joins `room` and resolves with the answer: `joined`, or the error that refused it. */
async function enter(client: RawClient, room: string): Promise<ServerFrame> {
  client.send({ type: 'join', room });
  return client.next(
    (f) => (f.type === 'joined' && f.room === room) || (f.type === 'error' && f.ref === room),
  );
}

describe('who opens open rooms', () => {
  test('a guest joins only rooms that exist: an unused name is not_found and writes nothing', async () => {
    await using server = await startServer();
    const { token } = await server.guest('Squatter');
    await using guest = await RawClient.ready(server.wsUrl, token);
    expect(await enter(guest, 'global')).toMatchObject({ type: 'joined' });
    for (let i = 0; i < 20; i++) {
      expect(await enter(guest, `squat-${i}`)).toMatchObject({
        type: 'error',
        code: 'not_found',
        ref: `squat-${i}`,
      });
    }
    // Resuming and reading history are refused alike, and write nothing either.
    guest.send({ type: 'resume', room: 'squat-x', since: 0 });
    expect(await guest.next((f) => f.type === 'error' && f.ref === 'squat-x')).toMatchObject({
      code: 'not_found',
    });
    const history = await get<{ error: { code: string } }>(
      server,
      '/api/rooms/squat-0/messages',
      token,
    );
    expect([history.status, history.body.error.code]).toEqual([404, 'not_found']);
    expect(roomRows(server, 'squat-')).toBe(0);
    // Event rooms of the catalog stay open to guests.
    const eventRoom = await eventRoomOf(server);
    expect(await enter(guest, eventRoom)).toMatchObject({ type: 'joined' });
    // The names a guest tried are free: an account makes a channel of one.
    const owner = await register(server, 'owner');
    const created = await post(server, '/api/channels', { name: 'squat-3' }, owner.token);
    expect(created.status).toBe(201);
  });

  test('an account opens a room by joining an unused name, ROOMS_PER_ACCOUNT_PER_HOUR an hour; guests may then join it', async () => {
    await using server = await startServer({ env: { ROOMS_PER_ACCOUNT_PER_HOUR: '3' } });
    const alice = await register(server, 'alice');
    await using socket = await RawClient.ready(server.wsUrl, alice.token);
    expect(await enter(socket, 'global')).toMatchObject({ type: 'joined' });
    for (const room of ['jam-1', 'jam-2', 'jam-3'])
      expect(await enter(socket, room)).toMatchObject({ type: 'joined', room });
    expect(await enter(socket, 'jam-4')).toMatchObject({ type: 'error', code: 'rate_limited' });
    // Names with a `:` belong to features (events, DMs): nobody opens them by joining.
    expect(await enter(socket, 'event:made-up')).toMatchObject({ code: 'not_found' });
    expect(await enter(socket, 'x:y')).toMatchObject({ code: 'not_found' });
    expect(roomRows(server, 'jam-')).toBe(3);
    // Joining a room that exists is no opening: it is always allowed.
    expect(await enter(socket, 'general')).toMatchObject({ type: 'joined' });
    // Another account has an allowance of its own.
    const bob = await register(server, 'bob');
    await using other = await RawClient.ready(server.wsUrl, bob.token);
    expect(await enter(other, 'jam-4')).toMatchObject({ type: 'joined' });
    // A guest joins a room an account opened, and they talk.
    const { token } = await server.guest('Fan');
    await using guest = await RawClient.ready(server.wsUrl, token);
    expect(await enter(guest, 'jam-1')).toMatchObject({ type: 'joined' });
    guest.send({ type: 'send', room: 'jam-1', cid: 'g1', content: 'hello' });
    expect(await socket.next((f) => f.type === 'message')).toMatchObject({
      room: 'jam-1',
      content: 'hello',
    });
    // An opened room holds its name: no channel takes it from the people in it.
    const taken = await post(server, '/api/channels', { name: 'jam-2' }, bob.token);
    expect(taken.status).toBe(409);
  });

  test('OPEN_ROOMS: named rooms and prefixes exist for guests from the start; a named one is no channel name', async () => {
    await using server = await startServer({
      env: { OPEN_ROOMS: 'lobby, fans-*', ROOMS_PER_ACCOUNT_PER_HOUR: '0' },
    });
    const { token } = await server.guest('Visitor');
    await using guest = await RawClient.ready(server.wsUrl, token);
    expect(await enter(guest, 'lobby')).toMatchObject({ type: 'joined' });
    expect(await enter(guest, 'fans-north')).toMatchObject({ type: 'joined' });
    expect(await enter(guest, 'fansnorth')).toMatchObject({ code: 'not_found' });
    const owner = await register(server, 'owner');
    for (const name of ['lobby', 'global']) {
      const refused = await post(server, '/api/channels', { name }, owner.token);
      expect([refused.status, name]).toEqual([409, name]);
    }
    // 0: accounts open no rooms either, and are told plainly.
    await using socket = await RawClient.ready(server.wsUrl, owner.token);
    expect(await enter(socket, 'elsewhere')).toMatchObject({ code: 'not_found' });
  });
});
