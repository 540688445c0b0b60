import {
  type Analytics,
  CloseCode,
  type JoinedFrame,
  type MessageFrame,
  type PresenceFrame,
  type ServerFrame,
} from '@hubbub/protocol';
import {
  type Cluster,
  clusterEnv,
  eventRoomOf,
  get,
  post,
  RawClient,
  register,
  type ServerProcess,
  spawnCluster,
  usePostgres,
  useRedis,
} from '@hubbub/testing';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, test } from 'vitest';

/** Two Hubbub processes on one Redis and one PostgreSQL behave as one server. */
const postgres = usePostgres();
const redis = useRedis();

describe.runIf(postgres.enabled && redis.enabled)('two nodes on Redis and PostgreSQL', () => {
  const clusters: Cluster[] = [];
  afterEach(async () => {
    for (const running of clusters.splice(0)) await running[Symbol.asyncDispose]();
  });

  async function cluster(
    count: number,
    env: Record<string, string> = {},
  ): Promise<ServerProcess[]> {
    const running = await spawnCluster(
      count,
      await clusterEnv(postgres.server(), redis.server(), env),
    );
    clusters.push(running);
    return running.nodes;
  }

  test('messages cross nodes in order, reach PostgreSQL, and resume on the other node', async () => {
    const [a, b] = await cluster(2);
    if (a === undefined || b === undefined) throw new Error('two nodes');
    for (const node of [a, b]) expect((await fetch(`${node.httpUrl}/ready`)).status).toBe(200);
    const { bob, sender, reader } = await pair(a, b);
    await lines(sender, 1, 20);
    await expect.poll(() => reader.messagesIn('general').length).toBe(20);
    expect(reader.messagesIn('general').map((m) => m.seq)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    // Both see both people, whichever node each is on.
    await expect
      .poll(() => reader.received.filter((f) => f.type === 'presence').at(-1))
      .toMatchObject({ count: 2 });

    // The outbox reaches PostgreSQL: history over REST on either node.
    await expect
      .poll(async () => {
        const page = await get<{ messages: MessageFrame[] }>(
          { httpUrl: b.httpUrl },
          '/api/rooms/general/messages?limit=50',
          bob.token,
        );
        return page.body.messages.map((m) => m.content);
      })
      .toEqual(Array.from({ length: 20 }, (_, i) => `line ${i + 1}`));

    // Bob drops off node B; Alice writes on; Bob comes back on node A and resumes.
    const joined = reader.received.find((f) => f.type === 'joined') as JoinedFrame;
    await reader.close();
    await lines(sender, 21, 25);
    await using back = await RawClient.ready(a.wsUrl, bob.token);
    back.send({ type: 'resume', room: 'general', since: 20, epoch: joined.epoch });
    const resumed = (await back.next((f) => f.type === 'joined')) as JoinedFrame;
    expect(resumed.messages.map((m) => m.seq)).toEqual([21, 22, 23, 24, 25]);
  }, 60_000);

  test('an edit and a reaction right after the ack work while the outbox catches up', async () => {
    const [a, b] = await cluster(2);
    if (a === undefined || b === undefined) throw new Error('two nodes');
    const { sender, reader } = await pair(a, b);
    for (let i = 0; i < 5; i++) {
      sender.send({ type: 'send', room: 'general', cid: `t${i}`, content: `typo ${i}` });
      const ack = await sender.next((f) => f.type === 'ack' && f.cid === `t${i}`);
      if (ack.type !== 'ack') throw new Error('ack');
      // At once: the database may not have the row yet.
      sender.send({ type: 'edit', room: 'general', id: ack.id, content: `fixed ${i}` });
      sender.send({ type: 'react', room: 'general', id: ack.id, emoji: '👍', on: true });
      // In whichever order they land, the last update has both.
      await reader.next(
        (f) =>
          f.type === 'updated' &&
          f.message.content === `fixed ${i}` &&
          f.message.reactions?.[0]?.count === 1,
      );
    }
    expect(sender.received.filter((f) => f.type === 'error')).toEqual([]);
  }, 60_000);

  test('typing, presence, rules, bans, kicks, mentions and logouts reach the other node at once', async () => {
    const [a, b] = await cluster(2);
    if (a === undefined || b === undefined) throw new Error('two nodes');
    const owner = await register({ httpUrl: a.httpUrl }, 'owner');
    const member = await register({ httpUrl: b.httpUrl }, 'member');
    expect((await post(a, '/api/channels', { name: 'stage' }, owner.token)).status).toBe(201);
    await using host = await RawClient.ready(a.wsUrl, owner.token);
    host.send({ type: 'join', room: 'stage' });
    await host.next((f) => f.type === 'joined');
    const guest = await RawClient.ready(b.wsUrl, member.token);
    guest.send({ type: 'join', room: 'stage' });
    await guest.next((f) => f.type === 'joined');

    // Presence and typing cross nodes.
    expect(await host.next((f) => f.type === 'presence' && f.count === 2)).toMatchObject({
      users: [owner.user, member.user],
    });
    guest.send({ type: 'typing', room: 'stage' });
    expect(await host.next((f) => f.type === 'typing')).toEqual({
      type: 'typing',
      room: 'stage',
      user: member.user,
    });

    // A mention on node A reaches the member's socket on node B.
    host.send({ type: 'send', room: 'stage', cid: 'm1', content: '@member look' });
    expect(await guest.next((f) => f.type === 'mentioned')).toMatchObject({
      message: { room: 'stage', content: '@member look' },
    });

    // A mute set on node A holds on node B: the member's send there is refused.
    host.send({ type: 'mute', room: 'stage', user: member.user.id, seconds: 600 });
    await host.next((f) => f.type === 'moderated' && f.action === 'mute');
    await expect.poll(() => attempt(guest, 'muted?')).toBe('muted');
    host.send({ type: 'unmute', room: 'stage', user: member.user.id });
    await expect.poll(() => attempt(guest, 'back?')).toBe('ack');

    // Slow mode holds across nodes: a send on node B starts the wait node A enforces.
    await post(a, '/api/channels', { name: 'quiet' }, owner.token);
    host.send({ type: 'join', room: 'quiet' });
    await host.next((f) => f.type === 'joined' && f.room === 'quiet');
    host.send({ type: 'slow_mode', room: 'quiet', seconds: 600 });
    await host.next((f) => f.type === 'moderated' && f.action === 'slow_mode');
    await using other = await RawClient.ready(a.wsUrl, member.token);
    for (const socket of [guest, other]) {
      socket.send({ type: 'join', room: 'quiet' });
      await socket.next((f) => f.type === 'joined' && f.room === 'quiet');
    }
    expect(await attempt(guest, 'slowly', 'quiet')).toBe('ack');
    expect(await attempt(other, 'again', 'quiet')).toBe('slow_mode');
    expect(await attempt(host, 'owner is exempt', 'quiet')).toBe('ack');

    host.send({ type: 'kick', room: 'stage', user: member.user.id });
    expect(await guest.next((f) => f.type === 'left')).toMatchObject({ reason: 'kicked' });
    guest.send({ type: 'join', room: 'stage' });
    await guest.next((f) => f.type === 'joined');
    host.send({ type: 'ban', room: 'stage', user: member.user.id, seconds: 3600 });
    expect(await guest.next((f) => f.type === 'left')).toMatchObject({ reason: 'banned' });
    guest.send({ type: 'join', room: 'stage' });
    expect(await guest.next((f) => f.type === 'error')).toMatchObject({ code: 'banned' });

    // A private channel the member is given on node A is announced on node B.
    await post(a, '/api/channels', { name: 'backstage', visibility: 'private' }, owner.token);
    await post(a, '/api/channels/backstage/members', { userId: member.user.id }, owner.token);
    expect(await guest.next((f) => f.type === 'room_added')).toMatchObject({ room: 'backstage' });

    // Logging out on node A closes the session's socket on node B.
    expect((await post(a, '/api/auth/logout', {}, member.token)).status).toBe(204);
    expect((await guest.closed).code).toBe(CloseCode.authFailed);
  }, 60_000);

  test("analytics on either node are the cluster's: counts add up, people count once, latency merges", async () => {
    const [a, b] = await cluster(2, { ADMINS: 'alice' });
    if (a === undefined || b === undefined) throw new Error('two nodes');
    const { alice, sender, reader } = await pair(a, b);
    // Alice has a second tab, on the other node: three connections, two people.
    const tab = await RawClient.ready(b.wsUrl, alice.token);
    tab.send({ type: 'join', room: 'general' });
    await tab.next((f) => f.type === 'joined');
    await lines(sender, 1, 4);
    await lines(reader, 5, 7);
    await expect.poll(() => tab.messagesIn('general').length).toBe(7);
    for (const node of [a, b]) {
      // Each node posts every 5 s; the node asked answers with its own figures fresh.
      await expect
        .poll(
          async () => {
            const { body } = await get<Analytics>(node, '/api/analytics', alice.token);
            return {
              nodes: body.nodes,
              connections: body.connections,
              total: body.messages.total,
              deliveries: body.messages.deliveries,
              // Every message flushed once on each node with members: 7 on a, 7 on b.
              latencySamples: body.latency.count,
              top: body.rooms[0]?.room,
            };
          },
          { timeout: 15_000, interval: 500 },
        )
        .toEqual({
          nodes: 2,
          connections: { active: 3, uniqueUsers: 2, peak: 3 },
          total: 7,
          deliveries: 21,
          latencySamples: 14,
          top: 'general',
        });
    }
  }, 60_000);

  test('live reactions add up across nodes; a message the chat delay holds on one node is removed from the other', async () => {
    const [a, b] = await cluster(2, { ADMINS: 'boss' });
    if (a === undefined || b === undefined) throw new Error('two nodes');
    const room = await eventRoomOf(b);
    const guest = async (node: ServerProcess, name: string) => {
      const { body } = await post<{ token: string }>(node, '/api/auth/guest', { username: name });
      const client = await RawClient.ready(node.wsUrl, body.token);
      client.send({ type: 'join', room });
      await client.next((f) => f.type === 'joined');
      return client;
    };
    const fan = await guest(a, 'Fan');
    const watcher = await guest(b, 'Watcher');
    const boss = await register({ httpUrl: a.httpUrl }, 'boss');
    const mod = await RawClient.ready(b.wsUrl, boss.token);
    mod.send({ type: 'join', room });
    await mod.next((f) => f.type === 'joined');
    try {
      // Taps on both nodes, every node's added up in each node's frames.
      for (let i = 0; i < 10; i++) {
        fan.send({ type: 'cheer', room, emoji: '🔥', count: 1 });
        watcher.send({ type: 'cheer', room, emoji: '🔥', count: 1 });
      }
      const fire = (client: RawClient) =>
        client.received.reduce(
          (sum, f) => sum + (f.type === 'cheers' && f.room === room ? (f.counts['🔥'] ?? 0) : 0),
          0,
        );
      await expect.poll(() => [fire(fan), fire(watcher)], { timeout: 15_000 }).toEqual([20, 20]);

      // The admin on node B holds the room's messages for review; a fan on node A speaks.
      mod.send({ type: 'modes', room, delaySeconds: 10 });
      await fan.next((f) => f.type === 'moderated' && f.action === 'modes', 15_000);
      fan.send({ type: 'send', room, cid: 'x1', content: 'the score is a spoiler' });
      const held = await mod.next((f) => f.type === 'held' && f.cid === 'x1', 15_000);
      if (held.type !== 'held') throw new Error('unreachable');
      mod.send({ type: 'delete', room, id: held.id });
      expect(await fan.next((f) => f.type === 'error' && f.ref === 'x1', 15_000)).toMatchObject({
        code: 'message_removed',
      });
      await mod.next(
        (f) => f.type === 'moderated' && f.action === 'delete' && f.messageId === held.id,
      );
      // The admin speaks at once; nobody else ever saw the held one.
      mod.send({ type: 'send', room, cid: 'm1', content: 'keep it clean' });
      await watcher.next((f) => f.type === 'message' && f.content === 'keep it clean');
      // The fan was shown their own message held; the watcher nothing.
      expect(fan.received.filter((f) => f.type === 'held').map((f) => f.id)).toEqual([held.id]);
      expect(watcher.received.some((f) => f.type === 'held')).toBe(false);
      for (const client of [fan, watcher]) {
        expect(client.messagesIn(room).map((m) => m.content)).not.toContain(
          'the score is a spoiler',
        );
      }
    } finally {
      for (const client of [fan, watcher, mod]) await client.close();
    }
  });

  test('two moderators on two nodes switching different modes at once both get their switch', async () => {
    const [a, b] = await cluster(2, { ADMINS: 'boss' });
    if (a === undefined || b === undefined) throw new Error('two nodes');
    const room = await eventRoomOf(a);
    const boss = await register({ httpUrl: a.httpUrl }, 'boss');
    const onNode = async (node: ServerProcess) => {
      const client = await RawClient.ready(node.wsUrl, boss.token);
      client.send({ type: 'join', room });
      await client.next((f) => f.type === 'joined');
      return client;
    };
    // Both nodes have the room's modes (all off) cached before either switch.
    const [left, right] = [await onNode(a), await onNode(b)];
    try {
      left.send({ type: 'modes', room, emoteOnly: true });
      right.send({ type: 'modes', room, slowModeSeconds: 30 });
      const both = { emoteOnly: true, slowModeSeconds: 30 };
      for (const node of [a, b]) {
        await expect
          .poll(
            async () => {
              const fresh = await onNode(node);
              const joined = fresh.received.find((f): f is JoinedFrame => f.type === 'joined');
              await fresh.close();
              return joined?.modes;
            },
            { timeout: 15_000 },
          )
          .toMatchObject(both);
      }
    } finally {
      for (const client of [left, right]) await client.close();
    }
  });

  test("a person's send budget holds across nodes, not per node", async () => {
    const [a, b] = await cluster(2, { RATE_LIMIT_PER_SECOND: '0.05', RATE_LIMIT_BURST: '3' });
    if (a === undefined || b === undefined) throw new Error('two nodes');
    const alice = await register({ httpUrl: a.httpUrl }, 'alice');
    await using onA = await RawClient.ready(a.wsUrl, alice.token);
    await using onB = await RawClient.ready(b.wsUrl, alice.token);
    for (const client of [onA, onB]) {
      client.send({ type: 'join', room: 'general' });
      await client.next((f) => f.type === 'joined');
    }
    const answers = [];
    for (const [i, client] of [onA, onB, onA, onB].entries())
      answers.push(await attempt(client, `${i}`, 'general'));
    // Each node alone would allow all four (two each, within its burst of three).
    expect(answers).toEqual(['ack', 'ack', 'ack', 'rate_limited']);
  }, 60_000);

  test("a killed node's people leave the room's presence when their leases run out", async () => {
    const [a, b] = await cluster(2, { PRESENCE_LEASE_SECONDS: '3' });
    if (a === undefined || b === undefined) throw new Error('two nodes');
    const doomed = await register({ httpUrl: a.httpUrl }, 'doomed');
    const survivor = await register({ httpUrl: b.httpUrl }, 'survivor');
    const lost = await RawClient.ready(a.wsUrl, doomed.token);
    lost.send({ type: 'join', room: 'general' });
    await lost.next((f) => f.type === 'joined');
    await using watcher = await RawClient.ready(b.wsUrl, survivor.token);
    watcher.send({ type: 'join', room: 'general' });
    expect(await watcher.next((f) => f.type === 'presence')).toMatchObject({ count: 2 });
    await a.crash();
    const after = (await watcher.next(
      (f) => f.type === 'presence' && f.count === 1,
      20_000,
    )) as PresenceFrame;
    expect(after.users).toEqual([survivor.user]);
  }, 60_000);

  test('Redis loses a room: its members are closed to resume, get a reset, and seqs go on above PostgreSQL', async () => {
    const url = redis.server().database();
    const [a, b] = await cluster(2, { REDIS_URL: url });
    if (a === undefined || b === undefined) throw new Error('two nodes');
    const { bob, sender, reader } = await pair(a, b);
    await lines(sender, 1, 5);
    await expect.poll(() => reader.messagesIn('general').length).toBe(5);
    const joined = reader.received.find((f) => f.type === 'joined') as JoinedFrame;
    await expect
      .poll(async () => {
        const page = await get<{ messages: MessageFrame[] }>(
          b,
          '/api/rooms/general/messages',
          bob.token,
        );
        return page.body.messages.length;
      })
      .toBe(5);

    // Redis forgets the room, as a restart without AOF would.
    const raw = new Redis(url);
    await raw.del('hubbub:{general}:meta', 'hubbub:{general}:log');
    raw.disconnect();
    sender.send({ type: 'send', room: 'general', cid: '6', content: 'after the loss' });
    const ack = await sender.next((f) => f.type === 'ack' && f.cid === '6');
    const seq = ack.type === 'ack' ? ack.seq : 0;
    expect(seq).toBeGreaterThan(5);
    expect((await reader.closed).code).toBe(CloseCode.mustResume);

    await using back = await RawClient.ready(b.wsUrl, bob.token);
    back.send({ type: 'resume', room: 'general', since: 5, epoch: joined.epoch });
    const reset = await back.next((f) => f.type === 'reset' || f.type === 'joined');
    expect(reset).toMatchObject({ type: 'reset', seq });
    expect(reset.type === 'reset' && reset.epoch).not.toBe(joined.epoch);
  }, 60_000);

  test('PostgreSQL down: messages keep flowing through Redis, history answers 503, and the database catches up', async () => {
    const [a, b] = await cluster(2);
    if (a === undefined || b === undefined) throw new Error('two nodes');
    const { bob, sender, reader } = await pair(a, b);
    const history = () =>
      get<{ messages?: MessageFrame[]; error?: { code: string } }>(
        b,
        '/api/rooms/general/messages',
        bob.token,
      );
    await lines(sender, 1, 3);
    await postgres.server().restart(async () => {
      await lines(sender, 4, 6);
      const page = await history();
      expect(page.status).toBe(503);
      expect(page.body.error?.code).toBe('unavailable');
      // Acknowledged, delivered, and waiting for the database: /ready says how many.
      const ready = await fetch(`${a.httpUrl}/ready`);
      expect(ready.status).toBe(503);
      const body = (await ready.json()) as { store: string; backlog: number };
      expect(body.store).toBe('unreachable');
      expect(body.backlog).toBeGreaterThanOrEqual(3);
    });
    await expect.poll(() => reader.messagesIn('general').length).toBe(6);
    // History is whole once the database answers (what it lacks yet comes from Redis's log),
    // and the outbox catches up.
    await expect
      .poll(async () => (await history()).body.messages?.map((m) => m.seq), { timeout: 20_000 })
      .toEqual([1, 2, 3, 4, 5, 6]);
    await expect
      .poll(
        async () =>
          ((await (await fetch(`${a.httpUrl}/ready`)).json()) as { backlog: number }).backlog,
        {
          timeout: 20_000,
        },
      )
      .toBe(0);
  }, 60_000);

  test('Redis down: sends are refused as unavailable, /ready is red, and everything comes back by itself', async () => {
    const [a, b] = await cluster(2);
    if (a === undefined || b === undefined) throw new Error('two nodes');
    const { sender, reader } = await pair(a, b);
    expect(await attempt(sender, 'before', 'general')).toBe('ack');
    await redis.server().restart(async () => {
      // Nothing is acknowledged that is not durable; the sockets stay open.
      expect(await attempt(sender, 'during', 'general', 15_000)).toBe('unavailable');
      for (const node of [a, b]) {
        const ready = await fetch(`${node.httpUrl}/ready`);
        expect(ready.status).toBe(503);
        expect(await ready.json()).toMatchObject({ bus: 'unreachable' });
      }
    });
    for (const node of [a, b])
      await expect
        .poll(async () => (await fetch(`${node.httpUrl}/ready`)).status, { timeout: 15_000 })
        .toBe(200);
    await expect.poll(() => attempt(sender, 'after', 'general'), { timeout: 15_000 }).toBe('ack');
    await expect
      .poll(() => reader.messagesIn('general').map((m) => m.content), { timeout: 15_000 })
      .toEqual(['before', 'after']);
    expect(reader.messagesIn('general').map((m) => m.seq)).toEqual([1, 2]);
  }, 90_000);
});

/** Alice on node A sends, Bob on node B reads; both have joined `general`. */
async function pair(a: ServerProcess, b: ServerProcess) {
  const alice = await register({ httpUrl: a.httpUrl }, 'alice');
  const bob = await register({ httpUrl: b.httpUrl }, 'bob');
  const sender = await RawClient.ready(a.wsUrl, alice.token);
  const reader = await RawClient.ready(b.wsUrl, bob.token);
  for (const client of [sender, reader]) {
    client.send({ type: 'join', room: 'general' });
    await client.next((f) => f.type === 'joined');
  }
  return { alice, bob, sender, reader };
}

/** Sends `line from` … `line to` to `general`, one after the other, each acknowledged. */
async function lines(sender: RawClient, from: number, to: number): Promise<void> {
  for (let i = from; i <= to; i++) {
    sender.send({ type: 'send', room: 'general', cid: `${i}`, content: `line ${i}` });
    await sender.next((f) => f.type === 'ack' && f.cid === `${i}`);
  }
}

/** Sends once and tells how the server answered: 'ack', or the error's code. */
async function attempt(
  client: RawClient,
  content: string,
  room = 'stage',
  timeoutMs = 5000,
): Promise<string> {
  const cid = `${content}-${Math.random()}`;
  client.send({ type: 'send', room, cid, content });
  const answer: ServerFrame = await client.next(
    (f) => (f.type === 'ack' && f.cid === cid) || (f.type === 'error' && f.ref === cid),
    timeoutMs,
  );
  return answer.type === 'ack' ? 'ack' : answer.type === 'error' ? answer.code : answer.type;
}
