import type { ChannelList, UserSearchResponse } from '@hubbub/protocol';
import { engines, get, post, register, startServer, usePostgres } from '@hubbub/testing';
import { describe, expect, test } from 'vitest';

/**
 * Finding people and naming DMs: the queries differ in how each engine treats LIKE and case,
 * so the same checks run on SQLite and on a real PostgreSQL.
 */
const postgres = usePostgres();
const onEachEngine = engines(postgres);

describe.each(onEachEngine)('the user directory and DM names on $engine', ({ env }) => {
  test('search finds accounts by login prefix or display name, never the caller, wildcards literal', async () => {
    await using server = await startServer({ env: await env() });
    const [alice, bob] = await Promise.all([register(server, 'alice'), register(server, 'bob')]);
    const named = await post(server, '/api/auth/register', {
      username: 'carol_x',
      password: 'correct horse battery',
      displayName: 'Carol Alison',
    });
    expect(named.status).toBe(201);
    const search = (q: string, token = alice.token) =>
      get<UserSearchResponse & { error?: { code: string } }>(
        server,
        `/api/users?q=${encodeURIComponent(q)}`,
        token,
      );

    // "ali" is alice's login prefix (first) and inside Carol's display name; alice is the caller.
    expect((await search('ali', bob.token)).body.users.map((u) => u.username)).toEqual([
      'alice',
      'carol_x',
    ]);
    expect((await search('ALI')).body.users.map((u) => u.name)).toEqual(['Carol Alison']);
    expect((await search('BO')).body.users).toEqual([
      { id: bob.user.id, name: 'bob', username: 'bob' },
    ]);
    // `_` and `%` are what they are, not LIKE wildcards.
    expect((await search('carol_')).body.users.map((u) => u.username)).toEqual(['carol_x']);
    expect((await search('c_rol')).body.users).toEqual([]);
    expect((await search('%')).body.users).toEqual([]);

    expect((await get(server, '/api/users?q=', alice.token)).status).toBe(400);
    expect((await get(server, '/api/users?q=a&limit=1000', alice.token)).status).toBe(400);
    expect((await get(server, '/api/users?q=bob')).status).toBe(401);
    const guest = await server.guest('Visitor');
    const refused = await search('bob', guest.token);
    expect(refused.status).toBe(403);
    expect(refused.body.error?.code).toBe('forbidden');
  });

  test('a DM lists the other person as its peer, for each of the two', async () => {
    await using server = await startServer({ env: await env() });
    const [alice, bob] = await Promise.all([register(server, 'alice'), register(server, 'bob')]);
    const dm = await post<{ room: string }>(
      server,
      '/api/dms',
      { userId: bob.user.id },
      alice.token,
    );
    const listing = async (token: string) =>
      (await get<ChannelList>(server, '/api/channels', token)).body.channels;
    expect((await listing(alice.token)).find((c) => c.room === dm.body.room)).toMatchObject({
      kind: 'dm',
      members: 2,
      peer: { id: bob.user.id, name: 'bob' },
    });
    expect((await listing(bob.token)).find((c) => c.room === dm.body.room)?.peer).toEqual({
      id: alice.user.id,
      name: 'alice',
    });
    // Channels have no peer.
    expect(
      (await listing(bob.token)).filter((c) => c.kind === 'channel').map((c) => c.peer),
    ).toEqual([null, null, null]);
  });
});
