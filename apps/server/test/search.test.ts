import type { SearchResponse } from '@hubbub/protocol';
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

/** Search over HTTP on both engines: correct hits, and never a room the caller cannot read. */
const postgres = usePostgres();
const onEachEngine = engines(postgres);

async function say(server: TestServer, token: string, room: string, lines: string[]) {
  await using client = await RawClient.ready(server.wsUrl, token);
  client.send({ type: 'join', room });
  await client.next((f) => f.type === 'joined');
  for (const [i, content] of lines.entries()) {
    client.send({ type: 'send', room, cid: `${room}-${i}`, content });
    await client.next((f) => f.type === 'ack' && f.cid === `${room}-${i}`);
  }
}

const search = (server: TestServer, token: string, query: string) =>
  get<SearchResponse>(server, `/api/search?${query}`, token);
const roomsOf = (response: { body: SearchResponse }) =>
  response.body.hits.map((hit) => hit.message.room).sort();

describe.each(onEachEngine)('search on $engine', ({ env }) => {
  test('finds what each person may read, and nothing else', async () => {
    await using server = await startServer({ env: await env() });
    const [alice, bob, carol] = await Promise.all([
      register(server, 'alice'),
      register(server, 'bob'),
      register(server, 'carol'),
    ]);
    const dm = (
      await post<{ room: string }>(server, '/api/dms', { userId: bob.user.id }, alice.token)
    ).body.room;
    expect(
      (await post(server, '/api/channels', { name: 'secret', visibility: 'private' }, alice.token))
        .status,
    ).toBe(201);
    await say(server, alice.token, dm, ['pineapple on pizza, yes or no?']);
    await say(server, alice.token, 'secret', ['the pineapple plan']);
    await say(server, bob.token, 'general', ['Pineapples in #general', 'unrelated']);
    const guest = await server.guest('Gus');
    await say(server, guest.token, 'global', ['pineapple for everyone']);

    expect(roomsOf(await search(server, alice.token, 'q=pineapple'))).toEqual(
      ['general', 'global', 'secret', dm].sort(),
    );
    expect(roomsOf(await search(server, bob.token, 'q=pineapple'))).toEqual(
      ['general', 'global', dm].sort(),
    );
    expect(roomsOf(await search(server, carol.token, 'q=pineapple'))).toEqual([
      'general',
      'global',
    ]);
    expect(roomsOf(await search(server, guest.token, 'q=pineapple'))).toEqual(['global']);

    // Asking for a room one may not read is refused, not answered empty.
    for (const room of ['secret', encodeURIComponent(dm)]) {
      const refused = await search(server, carol.token, `q=pineapple&room=${room}`);
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ error: { code: 'forbidden' } });
    }
    const inDm = await search(server, bob.token, `q=pizza&room=${encodeURIComponent(dm)}`);
    expect(inDm.body.hits).toHaveLength(1);
    expect(inDm.body.hits[0]?.parts).toEqual([
      { text: 'pineapple on ' },
      { text: 'pizza', match: true },
      { text: ', yes or no?' },
    ]);
  });

  test('pages newest first with before and hasMore; bad queries get a 400 with a code', async () => {
    await using server = await startServer({ env: await env() });
    const alice = await register(server, 'alice');
    await say(
      server,
      alice.token,
      'general',
      Array.from({ length: 7 }, (_, i) => `goal number ${i + 1}`),
    );
    const first = await search(server, alice.token, 'q=goal&room=general&limit=5');
    expect(first.body.hits.map((h) => h.message.seq)).toEqual([7, 6, 5, 4, 3]);
    expect(first.body.hasMore).toBe(true);
    const before = first.body.hits.at(-1)?.message.id ?? '';
    const second = await search(
      server,
      alice.token,
      `q=goal&room=general&limit=5&before=${before}`,
    );
    expect(second.body.hits.map((h) => h.message.seq)).toEqual([2, 1]);
    expect(second.body.hasMore).toBe(false);

    for (const bad of [
      '',
      'q=',
      'q=%20%20',
      'q=goal&limit=0',
      'q=goal&limit=51',
      'q=goal&room=NO!',
    ]) {
      const response = await search(server, alice.token, bad);
      expect(response.status, bad).toBe(400);
      expect(response.body).toMatchObject({ error: { code: 'invalid_request' } });
    }
    expect((await search(server, 'not-a-token', 'q=goal')).status).toBe(401);
    // A loop over search is slowed down with a code, not served at any rate.
    const statuses = [];
    for (let i = 0; i < 12; i++)
      statuses.push((await search(server, alice.token, 'q=goal')).status);
    expect(statuses).toContain(429);
    expect((await search(server, alice.token, 'q=goal')).body).toMatchObject({
      error: { code: 'rate_limited' },
    });
  });
});
