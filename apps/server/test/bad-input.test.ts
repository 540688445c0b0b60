import { CloseCode, type HistoryPage, limits } from '@hubbub/protocol';
import { get, guestIn, post, RawClient, register, startServer } from '@hubbub/testing';
import { describe, expect, test } from 'vitest';
import WebSocket from 'ws';

/** After each abuse the same socket must still answer, and the node must serve newcomers. */
async function stillServes(client: RawClient): Promise<void> {
  client.send({ type: 'ping' });
  await client.next((f) => f.type === 'pong');
}

describe('bad input gets a typed error and loses nothing', () => {
  test('malformed, unknown and invalid frames are answered; the connection survives', async () => {
    await using server = await startServer();
    await using client = await guestIn(server, 'Fuzzy', 'global');

    client.sendRaw('{not json');
    expect(await client.next((f) => f.type === 'error')).toMatchObject({ code: 'invalid_json' });
    client.sendRaw('[1,2,3]');
    expect(await client.next((f) => f.type === 'error')).toMatchObject({ code: 'invalid_frame' });
    client.send({ type: 'teleport', room: 'global' });
    expect(await client.next((f) => f.type === 'error')).toMatchObject({
      code: 'unknown_type',
      ref: 'teleport',
    });
    client.send({
      type: 'send',
      room: 'global',
      cid: 'long',
      content: 'x'.repeat(limits.contentMaxChars + 1),
    });
    expect(await client.next((f) => f.type === 'error')).toMatchObject({
      code: 'invalid_frame',
      ref: 'long',
    });
    client.send({ type: 'send', room: 'global', cid: 'blank', content: '   ' });
    expect(await client.next((f) => f.type === 'error')).toMatchObject({
      code: 'invalid_frame',
      ref: 'blank',
    });
    client.send({ type: 'join', room: 'Not A Room!' });
    expect(await client.next((f) => f.type === 'error')).toMatchObject({ code: 'invalid_frame' });
    client.send({ type: 'resume', room: 'global', since: -1 });
    expect(await client.next((f) => f.type === 'error')).toMatchObject({ code: 'invalid_frame' });
    client.sendRaw(Buffer.from([1, 2, 3]), true);
    expect(await client.next((f) => f.type === 'error')).toMatchObject({ code: 'invalid_frame' });
    await stillServes(client);

    // Nothing was stored by any of it: the next real message is seq 1.
    client.send({ type: 'send', room: 'global', cid: 'ok', content: 'fine' });
    expect(await client.next((f) => f.type === 'ack')).toMatchObject({ seq: 1 });
  });

  test('text no store keeps as sent (lone surrogates) is refused; astral characters are kept', async () => {
    // Found by the protocol fuzzer: `\ud800` in JSON is a lone surrogate after parsing; it
    // was acked and broadcast as sent, and read back from SQLite as three U+FFFD.
    await using server = await startServer();
    await using client = await guestIn(server, 'Surrogates', 'global');
    for (const [field, frame] of [
      ['content', { type: 'send', room: 'global', cid: 'lone-high', content: 'a\ud800b' }],
      ['content', { type: 'send', room: 'global', cid: 'lone-low', content: '\udc00' }],
      ['cid', { type: 'send', room: 'global', cid: 'x\udfff', content: 'fine' }],
    ] as const) {
      client.send(frame);
      const error = await client.next((f) => f.type === 'error');
      expect(error).toMatchObject({ code: 'invalid_frame' });
      expect(error.type === 'error' && error.message).toContain(`${field}: ${field} must be`);
    }
    const kept = 'astral 😀 𝔘𝔫𝔦 and a pair \ud83d\ude00';
    client.send({ type: 'send', room: 'global', cid: 'pairs', content: kept });
    const ack = await client.next((f) => f.type === 'ack');
    expect(ack).toMatchObject({ seq: 1 });
    if (ack.type !== 'ack') throw new Error('no ack');
    client.send({ type: 'edit', room: 'global', id: ack.id, content: 'edited \udbff' });
    expect(await client.next((f) => f.type === 'error')).toMatchObject({
      code: 'invalid_frame',
      ref: 'edit',
    });
    const { token } = await server.guest('Reader');
    const history = await get<HistoryPage>(server, '/api/rooms/global/messages', token);
    expect(history.body.messages.map((m) => m.content)).toEqual([kept]);

    const owner = await register(server, 'topics');
    const topic = await post(
      server,
      '/api/channels',
      { name: 'lone', visibility: 'private', topic: 'half \ud800' },
      owner.token,
    );
    expect(topic.status).toBe(400);
    expect(topic.body).toMatchObject({ error: { code: 'invalid_request' } });
  });

  test('a frame over the size limit closes with 1009; the node keeps serving', async () => {
    await using server = await startServer();
    const client = await guestIn(server, 'Big');
    client.sendRaw(JSON.stringify({ type: 'ping', pad: 'x'.repeat(limits.frameMaxBytes) }));
    expect((await client.closed).code).toBe(CloseCode.frameTooLarge);
    await using next = await guestIn(server, 'Next');
    await stillServes(next);
  });

  test('frames before authenticate are refused; no authenticate within the timeout closes', async () => {
    await using server = await startServer({ env: { AUTH_TIMEOUT_MS: '300' } });
    const client = await RawClient.connect(server.wsUrl);
    client.send({ type: 'join', room: 'global' });
    expect(await client.next((f) => f.type === 'error')).toMatchObject({
      code: 'not_authenticated',
    });
    expect((await client.closed).code).toBe(CloseCode.authTimeout);
  });

  test('a bad token is refused with auth_failed and the auth-failed close code', async () => {
    await using server = await startServer();
    const client = await RawClient.connect(server.wsUrl);
    client.send({ type: 'authenticate', token: 'eyJhbGciOiJIUzI1NiJ9.e30.forged' });
    expect(await client.next((f) => f.type === 'error')).toMatchObject({ code: 'auth_failed' });
    expect((await client.closed).code).toBe(CloseCode.authFailed);
  });

  test('a token signed by another server is refused', async () => {
    await using other = await startServer();
    await using server = await startServer();
    const { token } = await other.guest('Stranger');
    const client = await RawClient.connect(server.wsUrl);
    client.send({ type: 'authenticate', token });
    expect((await client.closed).code).toBe(CloseCode.authFailed);
  });

  test('tokens in the URL are refused at the upgrade', async () => {
    await using server = await startServer();
    const { token } = await server.guest('Leaky');
    await expect(RawClient.connect(`${server.wsUrl}?token=${token}`)).rejects.toThrow(/HTTP 400/);
    await expect(RawClient.connect(`${server.wsUrl}?access_token=${token}`)).rejects.toThrow(
      /HTTP 400/,
    );
  });

  test('Origin is checked against the allowlist on upgrade', async () => {
    await using server = await startServer({ env: { ALLOWED_ORIGINS: 'https://chat.example' } });
    await expect(
      RawClient.connect(server.wsUrl, { Origin: 'https://evil.example' }),
    ).rejects.toThrow(/HTTP 403/);
    const ok = await RawClient.connect(server.wsUrl, { Origin: 'https://chat.example' });
    await ok.close();
    // Non-browser clients send no Origin and are let through to first-frame auth.
    const cli = await RawClient.connect(server.wsUrl);
    await cli.close();
  });

  test('with no allowlist only the same origin may connect from a browser', async () => {
    await using server = await startServer();
    const own = `http://127.0.0.1:${server.port}`;
    const same = await RawClient.connect(server.wsUrl, { Origin: own });
    await same.close();
    await expect(RawClient.connect(server.wsUrl, { Origin: 'http://localhost:1' })).rejects.toThrow(
      /HTTP 403/,
    );
  });

  test('sending too fast is refused with rate_limited; sustained abuse closes the socket', async () => {
    await using server = await startServer({
      env: { RATE_LIMIT_PER_SECOND: '1', RATE_LIMIT_BURST: '3', RATE_LIMIT_STRIKES: '5' },
    });
    await using bystander = await guestIn(server, 'Bystander', 'global');
    const spammer = await guestIn(server, 'Spammer', 'global');
    for (let i = 0; i < 10; i++)
      spammer.send({ type: 'send', room: 'global', cid: `s${i}`, content: 'spam' });
    expect(await spammer.next((f) => f.type === 'error')).toMatchObject({
      code: 'rate_limited',
      ref: 's3',
    });
    expect((await spammer.closed).code).toBe(CloseCode.policyViolation);
    // The first three were accepted and delivered; the node still serves others.
    await expect.poll(() => bystander.messagesIn('global').length).toBe(3);
    await stillServes(bystander);
  });

  test('the per-user limit holds across several connections of one user', async () => {
    await using server = await startServer({
      env: { RATE_LIMIT_PER_SECOND: '1', RATE_LIMIT_BURST: '2', RATE_LIMIT_STRIKES: '100' },
    });
    const { token } = await server.guest('Twin');
    const sockets = await Promise.all([0, 1].map(() => RawClient.ready(server.wsUrl, token)));
    for (const [i, socket] of sockets.entries()) {
      socket.send({ type: 'join', room: 'global' });
      await socket.next((f) => f.type === 'joined');
      socket.send({ type: 'send', room: 'global', cid: `${i}a`, content: 'a' });
      socket.send({ type: 'send', room: 'global', cid: `${i}b`, content: 'b' });
    }
    const second = sockets[1]!;
    expect(await second.next((f) => f.type === 'error')).toMatchObject({ code: 'rate_limited' });
    for (const socket of sockets) socket.socket.terminate();
  });

  test('REST refuses bad input with 4xx and a machine-readable code', async () => {
    await using server = await startServer();
    const post = (body: string) =>
      fetch(`${server.httpUrl}/api/auth/guest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
    const tooLong = await post(
      JSON.stringify({ username: 'x'.repeat(limits.usernameMaxChars + 1) }),
    );
    expect(tooLong.status).toBe(400);
    expect(await tooLong.json()).toMatchObject({ error: { code: 'invalid_request' } });
    const blank = await post(JSON.stringify({ username: '   ' }));
    expect(blank.status).toBe(400);
    const badJson = await post('{"username":');
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toMatchObject({ error: { code: 'invalid_json' } });
    const huge = await post(JSON.stringify({ username: 'x'.repeat(200_000) }));
    expect(huge.status).toBe(413);
    expect(await huge.json()).toMatchObject({ error: { code: 'invalid_request' } });

    const noAuth = await fetch(`${server.httpUrl}/api/rooms/global/messages`);
    expect(noAuth.status).toBe(401);
    expect(await noAuth.json()).toMatchObject({ error: { code: 'not_authenticated' } });
    const { token } = await server.guest('Reader');
    const headers = { authorization: `Bearer ${token}` };
    const badLimit = await fetch(`${server.httpUrl}/api/rooms/global/messages?limit=500`, {
      headers,
    });
    expect(badLimit.status).toBe(400);
    const badRoom = await fetch(`${server.httpUrl}/api/rooms/BAD%20ROOM/messages`, { headers });
    expect(badRoom.status).toBe(400);
    const forged = await fetch(`${server.httpUrl}/api/rooms/global/messages`, {
      headers: { authorization: 'Bearer nope' },
    });
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ error: { code: 'auth_failed' } });
    const missing = await fetch(`${server.httpUrl}/api/nothing-here`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'not_found' } });
    expect((await fetch(`${server.httpUrl}/health`)).status).toBe(200);
  });

  test('ws library defaults that widen the attack surface are off', async () => {
    await using server = await startServer();
    const socket = new WebSocket(server.wsUrl, { perMessageDeflate: true });
    await new Promise((resolve) => socket.once('open', resolve));
    // The server declined compression: no extension was negotiated.
    expect(socket.extensions).toBe('');
    socket.terminate();
  });
});
