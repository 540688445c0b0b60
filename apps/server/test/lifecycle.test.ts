import { CloseCode, type SessionResponse } from '@hubbub/protocol';
import { guestIn, post, RawClient, register, startServer } from '@hubbub/testing';
import { describe, expect, test } from 'vitest';
import WebSocket from 'ws';

describe('connection lifecycle', () => {
  test('a peer that stops answering pings is dropped and leaves its rooms', async () => {
    await using server = await startServer({
      env: { HEARTBEAT_INTERVAL_MS: '100', OPEN_ROOMS: 'haunted' },
    });
    const { token } = await server.guest('Ghost');
    // autoPong off: this peer looks alive at TCP level but never answers heartbeats.
    const ghost = new WebSocket(server.wsUrl, { autoPong: false });
    await new Promise((resolve) => ghost.once('open', resolve));
    ghost.send(JSON.stringify({ type: 'authenticate', token }));
    ghost.send(JSON.stringify({ type: 'join', room: 'haunted' }));
    const closed = new Promise((resolve) => ghost.once('close', resolve));
    await using alive = await guestIn(server, 'Alive', 'haunted');
    expect(server.node.connections).toBe(2);
    await closed;
    await expect.poll(() => server.node.connections).toBe(1);
    // The live client keeps answering pings (ws does by default) and stays.
    await new Promise((resolve) => setTimeout(resolve, 350));
    alive.send({ type: 'ping' });
    await alive.next((f) => f.type === 'pong');
  });

  test('a ready connection re-authenticates with a fresh token of the same user', async () => {
    await using server = await startServer();
    const first = await register(server, 'alice');
    await using client = await RawClient.ready(server.wsUrl, first.token);
    const renewed = await post<SessionResponse>(server, '/api/auth/refresh', {
      refreshToken: first.refreshToken,
    });
    client.send({ type: 'authenticate', token: renewed.body.token });
    expect(await client.next((f) => f.type === 'ready')).toMatchObject({ user: first.user });

    const other = await register(server, 'mallory');
    client.send({ type: 'authenticate', token: other.token });
    expect(await client.next((f) => f.type === 'error')).toMatchObject({ code: 'user_mismatch' });
    client.send({ type: 'ping' });
    await client.next((f) => f.type === 'pong');
  });

  test('every path out of ready cleans up: no ghost members after many reconnects', async () => {
    await using server = await startServer({ env: { OPEN_ROOMS: 'lobby' } });
    const { token } = await server.guest('Flaky');
    for (let i = 0; i < 5; i++) {
      const client = await RawClient.ready(server.wsUrl, token);
      client.send({ type: 'join', room: 'lobby' });
      await client.next((f) => f.type === 'joined');
      if (i % 2 === 0) client.socket.terminate();
      else await client.close();
    }
    await expect.poll(() => server.node.connections).toBe(0);
    expect(server.node.activeRooms).toBe(0);
  });

  test('closing the server drains: in-flight sends are acknowledged before the close', async () => {
    const server = await startServer({
      env: { RATE_LIMIT_PER_SECOND: '1000', RATE_LIMIT_BURST: '1000' },
    });
    const client = await guestIn(server, 'Last', 'global');
    for (let i = 0; i < 50; i++)
      client.send({ type: 'send', room: 'global', cid: `d${i}`, content: `${i}` });
    await client.next((f) => f.type === 'ack');
    const closing = server.close();
    const { code } = await client.closed;
    await closing;
    expect(code).toBe(CloseCode.serverShutdown);
    const acked = client.received.filter((f) => f.type === 'ack').length;
    const refused = client.received.filter(
      (f) => f.type === 'error' && f.code === 'shutting_down',
    ).length;
    // Every send was either acknowledged or explicitly refused (to be resent): none vanished.
    expect(acked + refused).toBe(50);
  });
});
