import type { ModesFrame, RoomModes, ServerFrame } from '@hubbub/protocol';
import {
  discoveryEvent,
  eventRoomOf,
  get,
  guestIn,
  RawClient,
  register,
  startFakeDiscovery,
  startServer,
} from '@hubbub/testing';
import { describe, expect, test } from 'vitest';

const hour = 3600_000;

/**
 * Crowd modes in an event room over real sockets: an event from a local Discovery
 * API, an admin (ADMINS) who owns the room, a moderator the admin appointed, an account
 * and a guest in the crowd.
 */
describe('crowd modes in an event room', () => {
  async function crowd() {
    const now = Date.now();
    const fake = await startFakeDiscovery([
      // Its room is open already: it opens a while before the kick-off.
      discoveryEvent({
        id: 'final',
        name: 'Cup Final',
        start: now + hour / 2,
        end: now + 3 * hour,
      }),
    ]);
    const server = await startServer({
      env: { TICKETMASTER_API_KEY: fake.apiKey, TICKETMASTER_URL: fake.url, ADMINS: 'boss' },
    });
    const room = await eventRoomOf(server, 'status=scheduled');
    const [boss, mia, ray] = await Promise.all(
      ['boss', 'mia', 'ray'].map((name) => register(server, name)),
    );
    const appoint = (by: string, userId: string, method = 'PUT') =>
      fetch(`${server.httpUrl}/api/rooms/${room}/moderators/${userId}`, {
        method,
        headers: { authorization: `Bearer ${by}` },
      }).then(async (response) => ({
        status: response.status,
        code:
          response.status === 204
            ? undefined
            : ((await response.json()) as { error: { code: string } }).error.code,
      }));
    const inRoom = async (token: string) => {
      const client = await RawClient.ready(server.wsUrl, token);
      client.send({ type: 'join', room });
      await client.next((f) => f.type === 'joined' && f.room === room);
      return client;
    };
    return {
      server,
      room,
      appoint,
      inRoom,
      boss: boss!,
      mia: mia!,
      ray: ray!,
      async [Symbol.asyncDispose]() {
        await server.close();
        await fake.close();
      },
    };
  }

  /** Sends and waits for the send's answer: 'ack', 'held', or the refusal's code. */
  async function say(client: RawClient, room: string, cid: string, content: string) {
    client.send({ type: 'send', room, cid, content });
    const answer = await client.next(
      (f) =>
        (f.type === 'ack' && f.cid === cid) ||
        (f.type === 'held' && f.cid === cid) ||
        (f.type === 'error' && f.ref === cid),
    );
    return answer.type === 'error' ? answer.code : answer.type;
  }

  const switched = (expected: Partial<RoomModes>) => (f: ServerFrame) =>
    f.type === 'moderated' &&
    f.action === 'modes' &&
    Object.entries(expected).every(([k, v]) => f.modes?.[k as keyof RoomModes] === v);

  test('only admins appoint moderators of an event room; guests and the crowd cannot switch modes', async () => {
    await using setup = await crowd();
    const { appoint, boss, mia, ray, room, server } = setup;
    expect(await appoint(ray.token, mia.user.id)).toEqual({ status: 403, code: 'forbidden' });
    expect(await appoint(boss.token, 'no-such-user')).toEqual({
      status: 404,
      code: 'not_found',
    });
    expect(await appoint(boss.token, mia.user.id)).toEqual({ status: 204, code: undefined });
    await using rayClient = await setup.inRoom(ray.token);
    await using gus = await guestIn(server, 'Gus', room);
    for (const client of [rayClient, gus]) {
      client.send({ type: 'modes', room, emoteOnly: true });
      expect(await client.next((f) => f.type === 'error' && f.ref === 'modes')).toMatchObject({
        code: 'forbidden',
      });
    }
    // An empty switch is a bad frame, not a silent no-op.
    await using miaClient = await setup.inRoom(mia.token);
    // A moderator cannot act on the admin who appointed her.
    miaClient.send({ type: 'ban', room, user: boss.user.id });
    expect(await miaClient.next((f) => f.type === 'error' && f.ref === 'ban')).toMatchObject({
      code: 'forbidden',
    });
    miaClient.send({ type: 'modes', room });
    expect(await miaClient.next((f) => f.type === 'error')).toMatchObject({
      code: 'invalid_frame',
    });
    // Dismissed, she is one of the crowd again.
    expect(await appoint(boss.token, mia.user.id, 'DELETE')).toEqual({
      status: 204,
      code: undefined,
    });
    await expect
      .poll(async () => {
        miaClient.send({ type: 'modes', room, emoteOnly: true });
        const answer = await miaClient.next(
          (f) => (f.type === 'error' && f.ref === 'modes') || switched({ emoteOnly: true })(f),
        );
        return answer.type === 'error' ? answer.code : 'switched';
      })
      .toBe('forbidden');
  });

  test('each mode refuses with its own code; moderators and the admin are exempt', async () => {
    await using setup = await crowd();
    const { boss, mia, ray, room, server } = setup;
    expect((await setup.appoint(boss.token, mia.user.id)).status).toBe(204);
    await using miaClient = await setup.inRoom(mia.token);
    await using rayClient = await setup.inRoom(ray.token);
    await using bossClient = await setup.inRoom(boss.token);
    await using gus = await guestIn(server, 'Gus', room);
    const modes = async (by: RawClient, change: Omit<ModesFrame, 'type' | 'room'>) => {
      by.send({ type: 'modes', room, ...change });
      // Everyone in the room is told, the crowd included.
      await gus.next(switched(change));
    };

    await modes(miaClient, { membersOnly: true });
    expect(await say(gus, room, 'g1', 'hi all')).toBe('members_only');
    expect(await say(rayClient, room, 'r1', 'hi all')).toBe('ack');
    // A guest cannot even show as typing where they may not speak.
    gus.send({ type: 'typing', room });
    rayClient.send({ type: 'typing', room });
    await miaClient.next((f) => f.type === 'typing' && f.user.id === ray.user.id);
    expect(miaClient.received.some((f) => f.type === 'typing' && f.user.name === 'Gus')).toBe(
      false,
    );

    await modes(miaClient, { membersOnly: false, emoteOnly: true });
    expect(await say(gus, room, 'g2', 'what a goal')).toBe('emote_only');
    expect(await say(gus, room, 'g3', '⚽ 🔥🔥')).toBe('ack');
    // Nor can an edit sneak words in.
    const emoji = gus.received.find((f) => f.type === 'ack' && f.cid === 'g3');
    if (emoji?.type !== 'ack') throw new Error('unreachable');
    gus.send({ type: 'edit', room, id: emoji.id, content: 'words after all' });
    expect(await gus.next((f) => f.type === 'error' && f.ref === emoji.id)).toMatchObject({
      code: 'emote_only',
    });
    expect(await say(miaClient, room, 'm1', 'Keep it clean, folks')).toBe('ack');

    await modes(bossClient, { emoteOnly: false, uniqueChatSeconds: 30 });
    expect(await say(rayClient, room, 'r2', 'GOAL!!!')).toBe('ack');
    // Its resend (the ack was lost, say) is the same message again, not a repeat.
    expect(await say(rayClient, room, 'r2', 'GOAL!!!')).toBe('ack');
    const acks = rayClient.received.filter((f) => f.type === 'ack' && f.cid === 'r2');
    expect(new Set(acks.map((f) => (f.type === 'ack' ? f.id : '')))).toHaveProperty('size', 1);
    // Case and spacing aside, it is the same message.
    expect(await say(gus, room, 'g4', '  goal!!! ')).toBe('duplicate_message');
    expect(await say(gus, room, 'g5', 'what a strike')).toBe('ack');
    expect(await say(miaClient, room, 'm2', 'goal!!!')).toBe('ack');

    await modes(miaClient, { uniqueChatSeconds: 0, slowModeSeconds: 60 });
    expect(await say(gus, room, 'g6', 'one')).toBe('ack');
    expect(await say(gus, room, 'g7', 'two')).toBe('slow_mode');
    expect(await say(miaClient, room, 'm3', 'one')).toBe('ack');
    expect(await say(miaClient, room, 'm4', 'two')).toBe('ack');

    // Someone joining now is told the modes in `joined`.
    await using late = await RawClient.ready(server.wsUrl, (await server.guest('Lee')).token);
    late.send({ type: 'join', room });
    const joined = await late.next((f) => f.type === 'joined');
    expect(joined).toMatchObject({
      modes: {
        slowModeSeconds: 60,
        membersOnly: false,
        emoteOnly: false,
        uniqueChatSeconds: 0,
        delaySeconds: 0,
      },
    });
    // Mutes work in event rooms too.
    miaClient.send({ type: 'mute', room, user: ray.user.id, seconds: 600 });
    await rayClient.next((f) => f.type === 'moderated' && f.action === 'mute');
    expect(await say(rayClient, room, 'r3', 'hey')).toBe('muted');
  });

  test('chat delay: moderators see a message at once, the crowd late, and a removed one never', async () => {
    await using setup = await crowd();
    const { boss, mia, ray, room, server } = setup;
    expect((await setup.appoint(boss.token, mia.user.id)).status).toBe(204);
    await using miaClient = await setup.inRoom(mia.token);
    await using rayClient = await setup.inRoom(ray.token);
    await using gus = await guestIn(server, 'Gus', room);
    miaClient.send({ type: 'modes', room, delaySeconds: 2 });
    await gus.next(switched({ delaySeconds: 2 }));

    const sentAt = Date.now();
    expect(await say(rayClient, room, 'r1', 'what a save')).toBe('held');
    const held = await miaClient.next((f) => f.type === 'held' && f.cid === 'r1');
    if (held.type !== 'held') throw new Error('unreachable');
    expect(held.user.id).toBe(ray.user.id);
    expect(Date.parse(held.heldUntil)).toBeGreaterThanOrEqual(sentAt + 1900);
    // The crowd sees it once the delay is over, under the id moderators saw.
    const shown = await gus.next(
      (f) => f.type === 'message' && f.content === 'what a save',
      10_000,
    );
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(1900);
    expect(shown).toMatchObject({ id: held.id });
    expect(await rayClient.next((f) => f.type === 'ack' && f.cid === 'r1')).toMatchObject({
      id: held.id,
    });

    // A moderator removes the next one while it is held: nobody else ever sees it.
    expect(await say(rayClient, room, 'r2', 'the final score is a spoiler')).toBe('held');
    const spoiler = await miaClient.next((f) => f.type === 'held' && f.cid === 'r2');
    if (spoiler.type !== 'held') throw new Error('unreachable');
    miaClient.send({ type: 'delete', room, id: spoiler.id });
    await miaClient.next(
      (f) => f.type === 'moderated' && f.action === 'delete' && f.messageId === spoiler.id,
    );
    expect(await rayClient.next((f) => f.type === 'error' && f.ref === 'r2')).toMatchObject({
      code: 'message_removed',
    });
    // Its author may take it back too, before anyone sees it.
    expect(await say(rayClient, room, 'r4', 'on second thought')).toBe('held');
    const regret = rayClient.received.find((f) => f.type === 'held' && f.cid === 'r4');
    if (regret?.type !== 'held') throw new Error('unreachable');
    rayClient.send({ type: 'delete', room, id: regret.id });
    expect(await rayClient.next((f) => f.type === 'error' && f.ref === 'r4')).toMatchObject({
      code: 'message_removed',
    });
    // Moderators are not held; what they say overtakes what is held.
    expect(await say(rayClient, room, 'r3', 'fair enough')).toBe('held');
    expect(await say(miaClient, room, 'm1', 'thanks')).toBe('ack');
    await gus.next((f) => f.type === 'message' && f.content === 'fair enough', 10_000);
    // Muted while a message waits: it is not published when its time comes.
    expect(await say(rayClient, room, 'r5', 'you are all wrong')).toBe('held');
    miaClient.send({ type: 'mute', room, user: ray.user.id, seconds: 60 });
    expect(await rayClient.next((f) => f.type === 'error' && f.ref === 'r5', 10_000)).toMatchObject(
      { code: 'muted' },
    );
    const seen = gus.messagesIn(room).map((m) => m.content);
    expect(seen).toEqual(['what a save', 'thanks', 'fair enough']);
    expect(gus.received.some((f) => f.type === 'held')).toBe(false);
    // The room's log has no hole where the removed message would have been.
    const history = await get<{ messages: Array<{ seq: number; content: string }> }>(
      server,
      `/api/rooms/${room}/messages?limit=50`,
      (await server.guest('Reader')).token,
    );
    const seqs = history.body.messages.map((m) => m.seq);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
    expect(history.body.messages.map((m) => m.content)).not.toContain(
      'the final score is a spoiler',
    );
  });
});
