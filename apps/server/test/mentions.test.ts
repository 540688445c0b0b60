import { type MentionedFrame, type MyRooms, mentionedLogins } from '@hubbub/protocol';
import {
  engines,
  get,
  guestIn,
  post,
  RawClient,
  register,
  startServer,
  type TestServer,
  usePostgres,
} from '@hubbub/testing';
import { describe, expect, test } from 'vitest';

/** @mentions: who is told, and the counts in the room list, on SQLite and PostgreSQL. */
const postgres = usePostgres();
const onEachEngine = engines(postgres);

/** The id of message `seq` of #general. */
const messageIdIn = async (server: TestServer, token: string, seq: number) =>
  (
    await get<{ messages: Array<{ id: string; seq: number }> }>(
      server,
      '/api/rooms/general/messages',
      token,
    )
  ).body.messages.find((m) => m.seq === seq)?.id ?? '';

const mentionsIn = async (server: TestServer, token: string, room: string) =>
  (await get<MyRooms>(server, '/api/me/rooms', token)).body.rooms.find((r) => r.room === room)
    ?.mentions;

describe('the mention parser', () => {
  test('finds logins after @, not e-mail addresses, not a sentence’s final dot', () => {
    expect(
      mentionedLogins('hey @Bob and @carol.d. mail x@bob.com or @al; @bob again, (@dan_1)'),
    ).toEqual(['bob', 'carol.d', 'dan_1']);
    expect(mentionedLogins('@this-name-is-far-too-long-to-be-a-login')).toEqual([]);
  });
});

describe.each(onEachEngine)('mentions on $engine', ({ env }) => {
  test('members named in a channel are told on every socket and counted until they read', async () => {
    await using server = await startServer({ env: await env() });
    const [alice, bob, carol] = await Promise.all([
      register(server, 'alice'),
      register(server, 'bob'),
      register(server, 'carol'),
    ]);
    // Bob is connected but has not joined #general: the notice reaches him anyway.
    await using bobSocket = await RawClient.ready(server.wsUrl, bob.token);
    await using carolSocket = await RawClient.ready(server.wsUrl, carol.token);
    await using aliceSocket = await RawClient.ready(server.wsUrl, alice.token);
    aliceSocket.send({ type: 'join', room: 'general' });
    await aliceSocket.next((f) => f.type === 'joined');
    const idOf = (seq: number) => messageIdIn(server, alice.token, seq);
    const say = async (cid: string, content: string) => {
      aliceSocket.send({ type: 'send', room: 'general', cid, content });
      return aliceSocket.next((f) => f.type === 'ack' && f.cid === cid);
    };

    await say('m1', 'hey @bob, and @Carol: mail me at me@bob.com, says @alice to @nobody');
    const toBob = (await bobSocket.next((f) => f.type === 'mentioned')) as MentionedFrame;
    expect(toBob.message).toMatchObject({ room: 'general', seq: 1, user: { id: alice.user.id } });
    expect(await carolSocket.next((f) => f.type === 'mentioned')).toMatchObject({
      message: { seq: 1 },
    });
    expect(await mentionsIn(server, bob.token, 'general')).toBe(1);
    // Naming yourself notifies nobody.
    expect(await mentionsIn(server, alice.token, 'general')).toBe(0);

    // A resend of the same cid is the same message: nobody is told twice.
    await say('m1', 'hey @bob, and @Carol: mail me at me@bob.com, says @alice to @nobody');
    await say('m2', 'plain text');
    await say('m3', 'again @bob');
    expect(await bobSocket.next((f) => f.type === 'mentioned')).toMatchObject({
      message: { seq: 3 },
    });
    expect(await mentionsIn(server, bob.token, 'general')).toBe(2);

    // Reading up to a mention clears it; a deleted message is not counted.
    await using bobInGeneral = await RawClient.ready(server.wsUrl, bob.token);
    bobInGeneral.send({ type: 'join', room: 'general' });
    await bobInGeneral.next((f) => f.type === 'joined');
    bobInGeneral.send({ type: 'receipt', room: 'general', read: 1 });
    await aliceSocket.next((f) => f.type === 'receipt' && f.read === 1);
    expect(await mentionsIn(server, bob.token, 'general')).toBe(1);
    const m3 = await idOf(3);
    aliceSocket.send({ type: 'delete', room: 'general', id: m3 });
    await aliceSocket.next((f) => f.type === 'moderated');
    expect(await mentionsIn(server, bob.token, 'general')).toBe(0);
    expect(await mentionsIn(server, carol.token, 'general')).toBe(1);

    // An edit that takes a name out stops counting it; one that puts a name in tells them.
    const m1 = await idOf(1);
    aliceSocket.send({ type: 'edit', room: 'general', id: m1, content: 'hey all' });
    await aliceSocket.next((f) => f.type === 'updated' && f.message.content === 'hey all');
    await expect.poll(() => mentionsIn(server, carol.token, 'general')).toBe(0);
    const m2 = await idOf(2);
    aliceSocket.send({ type: 'edit', room: 'general', id: m2, content: 'see @carol' });
    expect(await carolSocket.next((f) => f.type === 'mentioned')).toMatchObject({
      message: { seq: 2, content: 'see @carol' },
    });
    expect(await mentionsIn(server, carol.token, 'general')).toBe(1);
  });

  test('only members are told; open rooms tell nobody; the ready frame names the login', async () => {
    await using server = await startServer({ env: await env() });
    const [alice, bob] = await Promise.all([register(server, 'alice'), register(server, 'bob')]);
    await using bobSocket = await RawClient.ready(server.wsUrl, bob.token);
    expect(bobSocket.received.find((f) => f.type === 'ready')).toMatchObject({ login: 'bob' });
    await using guest = await guestIn(server, 'Gus', 'global');
    guest.send({ type: 'send', room: 'global', cid: 'g', content: '@bob look' });
    await guest.next((f) => f.type === 'ack');

    // A private channel without Bob: naming him there tells him nothing.
    const created = await post(
      server,
      '/api/channels',
      { name: 'secret', visibility: 'private' },
      alice.token,
    );
    expect(created.status).toBe(201);
    await using aliceSocket = await RawClient.ready(server.wsUrl, alice.token);
    aliceSocket.send({ type: 'join', room: 'secret' });
    await aliceSocket.next((f) => f.type === 'joined');
    aliceSocket.send({ type: 'send', room: 'secret', cid: 's', content: 'do not tell @bob' });
    await aliceSocket.next((f) => f.type === 'ack');
    // Then one that does reach him, in #general: it must be the first notice he gets.
    aliceSocket.send({ type: 'join', room: 'general' });
    await aliceSocket.next((f) => f.type === 'joined' && f.room === 'general');
    aliceSocket.send({ type: 'send', room: 'general', cid: 'g', content: '@bob here' });
    await aliceSocket.next((f) => f.type === 'ack');
    expect(await bobSocket.next((f) => f.type === 'mentioned')).toMatchObject({
      message: { room: 'general', content: '@bob here' },
    });
    expect(bobSocket.received.filter((f) => f.type === 'mentioned')).toHaveLength(1);
  });
});
