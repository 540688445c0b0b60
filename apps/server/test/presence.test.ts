import type { PresenceFrame } from '@hubbub/protocol';
import {
  eventRoomOf,
  guestIn,
  RawClient,
  register,
  startServer,
  type TestServer,
} from '@hubbub/testing';
import { describe, expect, test } from 'vitest';
import { WebSocket } from 'ws';

/** Waits for a presence frame of `room` that satisfies `check`, skipping earlier ones. */
async function presenceWhere(
  client: RawClient,
  room: string,
  check: (frame: PresenceFrame) => boolean,
  timeoutMs = 5000,
): Promise<PresenceFrame> {
  return (await client.next(
    (f) => f.type === 'presence' && f.room === room && check(f),
    timeoutMs,
  )) as PresenceFrame;
}

/** Guests join only rooms that exist: the ones they meet in here are open from the start. */
const open = { OPEN_ROOMS: 'lobby,other' };

const names = (frame: PresenceFrame) => (frame.users ?? []).map((u) => u.name).sort();

/** A signed-in account's socket in `room`. */
async function inRoom(server: TestServer, token: string, room: string): Promise<RawClient> {
  const client = await RawClient.ready(server.wsUrl, token);
  client.send({ type: 'join', room });
  await client.next((f) => f.type === 'joined');
  return client;
}

describe('presence', () => {
  test('a person with three tabs is one presence; closing one tab changes nothing, the last removes them', async () => {
    await using server = await startServer({ env: open });
    await using watcher = await guestIn(server, 'Watcher', 'lobby');
    const alice = await register(server, 'alice');
    const tabs = await Promise.all([1, 2, 3].map(() => inRoom(server, alice.token, 'lobby')));
    // A tab gets the room's presence right after its `joined`.
    expect(names(await presenceWhere(tabs[2]!, 'lobby', () => true))).toEqual(['Watcher', 'alice']);
    const both = await presenceWhere(watcher, 'lobby', (f) => f.count === 2);
    expect(names(both)).toEqual(['Watcher', 'alice']);

    await tabs[0]!.close();
    await tabs[1]!.close();
    // Still two: prove no update saying otherwise comes, by waiting past the update interval.
    await expect(presenceWhere(watcher, 'lobby', (f) => f.count !== 2, 1500)).rejects.toThrow();
    await tabs[2]!.close();
    expect(await presenceWhere(watcher, 'lobby', (f) => f.count === 1)).toMatchObject({
      users: [{ name: 'Watcher' }],
    });
  });

  test('a dropped network leaves no ghost: the heartbeat removes the person', async () => {
    await using server = await startServer({ env: { ...open, HEARTBEAT_INTERVAL_MS: '500' } });
    const { token } = await server.guest('Ghost');
    // A peer that stops answering pings: alive at TCP level, gone for all practical purposes.
    const ghost = new WebSocket(server.wsUrl, { autoPong: false });
    await new Promise((resolve) => ghost.once('open', resolve));
    ghost.send(JSON.stringify({ type: 'authenticate', token }));
    ghost.send(JSON.stringify({ type: 'join', room: 'lobby' }));
    await new Promise<void>((resolve) =>
      ghost.on('message', (data) => {
        if ((JSON.parse(String(data)) as { type: string }).type === 'joined') resolve();
      }),
    );
    // The watcher's own snapshot, right after its join, shows the ghost…
    await using watcher = await guestIn(server, 'Watcher', 'lobby');
    expect(names(await presenceWhere(watcher, 'lobby', () => true))).toEqual(['Ghost', 'Watcher']);
    // …until missed heartbeats drop it, and presence follows.
    expect(await presenceWhere(watcher, 'lobby', (f) => f.count === 1)).toMatchObject({
      users: [{ name: 'Watcher' }],
    });
    ghost.terminate();
  });

  test('a crowd gets a count, not a list, and a burst of arrivals is coalesced into few updates', async () => {
    await using server = await startServer();
    // A live event of the demo catalog: its room is open.
    const room = await eventRoomOf(server);
    await using watcher = await guestIn(server, 'Watcher', room);
    const seen: PresenceFrame[] = [];
    const crowd: RawClient[] = [];
    try {
      const joining = (async () => {
        for (let i = 0; i < 120; i++) crowd.push(await guestIn(server, `Fan ${i}`, room));
      })();
      while (true) {
        const frame = await presenceWhere(watcher, room, () => true, 10_000);
        seen.push(frame);
        if (frame.count === 121) break;
      }
      await joining;
      const last = seen.at(-1)!;
      // Over the list limit: the count only, never a 121-entry list.
      expect(last.users).toBeUndefined();
      // 120 arrivals, far fewer frames: one per update interval while the crowd poured in.
      expect(seen.length).toBeLessThan(60);
    } finally {
      for (const fan of crowd) await fan.close();
    }
  });

  test('leaving the room, or being kicked from it, takes the person out of its presence', async () => {
    await using server = await startServer();
    const [owner, guestUser] = await Promise.all([
      register(server, 'owner'),
      register(server, 'visitor'),
    ]);
    await fetch(`${server.httpUrl}/api/channels`, {
      method: 'POST',
      headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'stage' }),
    });
    await using host = await inRoom(server, owner.token, 'stage');
    await using visitor = await inRoom(server, guestUser.token, 'stage');
    await presenceWhere(host, 'stage', (f) => f.count === 2);
    host.send({ type: 'kick', room: 'stage', user: guestUser.user.id });
    await visitor.next((f) => f.type === 'left');
    expect(names(await presenceWhere(host, 'stage', (f) => f.count === 1))).toEqual(['owner']);
    visitor.send({ type: 'join', room: 'stage' });
    await presenceWhere(host, 'stage', (f) => f.count === 2);
    visitor.send({ type: 'leave', room: 'stage' });
    await presenceWhere(host, 'stage', (f) => f.count === 1);
  });
});

describe('typing', () => {
  test('typing reaches everyone else in the room once per throttle, never the typist or other rooms', async () => {
    await using server = await startServer({ env: open });
    const alice = await register(server, 'alice');
    await using typist = await inRoom(server, alice.token, 'lobby');
    await using typistsOtherTab = await inRoom(server, alice.token, 'lobby');
    await using reader = await guestIn(server, 'Reader', 'lobby');
    await using elsewhere = await guestIn(server, 'Elsewhere', 'other');
    for (let i = 0; i < 10; i++) typist.send({ type: 'typing', room: 'lobby' });
    expect(await reader.next((f) => f.type === 'typing')).toEqual({
      type: 'typing',
      room: 'lobby',
      user: { id: alice.user.id, name: 'alice' },
    });
    // The other nine were within the throttle; a ping's pong arrives after anything queued.
    for (const client of [reader, typistsOtherTab, typist, elsewhere]) {
      client.send({ type: 'ping' });
      await client
        .next((f) => f.type === 'pong' || f.type === 'typing')
        .then((f) => {
          expect(f.type).toBe('pong');
        });
    }
    // A message ends the typing, so the next `typing` goes through at once.
    typist.send({ type: 'send', room: 'lobby', cid: 'c1', content: 'done' });
    await reader.next((f) => f.type === 'message');
    typist.send({ type: 'typing', room: 'lobby' });
    await reader.next((f) => f.type === 'typing');
  });

  test('typing outside a joined room is refused; a muted member’s typing is not shown', async () => {
    await using server = await startServer();
    const [owner, member] = await Promise.all([
      register(server, 'owner'),
      register(server, 'member'),
    ]);
    await using stranger = await RawClient.ready(server.wsUrl, member.token);
    stranger.send({ type: 'typing', room: 'lobby' });
    expect(await stranger.next((f) => f.type === 'error')).toMatchObject({
      code: 'not_in_room',
      ref: 'lobby',
    });
    await fetch(`${server.httpUrl}/api/channels`, {
      method: 'POST',
      headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'stage' }),
    });
    await using host = await inRoom(server, owner.token, 'stage');
    await using muted = await inRoom(server, member.token, 'stage');
    host.send({ type: 'mute', room: 'stage', user: member.user.id, seconds: 60 });
    await muted.next((f) => f.type === 'moderated' && f.action === 'mute');
    muted.send({ type: 'typing', room: 'stage' });
    host.send({ type: 'ping' });
    // Give the typing frame time to be processed, then prove nothing was passed on.
    await new Promise((resolve) => setTimeout(resolve, 200));
    host.send({ type: 'ping' });
    const frames: string[] = [];
    for (let i = 0; i < 2; i++) {
      const frame = await host.next((f) => f.type === 'pong' || f.type === 'typing');
      frames.push(frame.type);
    }
    expect(frames).toEqual(['pong', 'pong']);
  });
});
