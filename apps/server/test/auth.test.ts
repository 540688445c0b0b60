import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CloseCode, type MeResponse, type SessionResponse } from '@hubbub/protocol';
import { get, post, RawClient, register, startServer, type TestServer } from '@hubbub/testing';
import { SignJWT } from 'jose';
import { describe, expect, test } from 'vitest';

const PASSWORD = 'correct horse battery';

/** Signs a token with the server's own key, with whatever claims and header a test needs. */
async function forge(
  server: TestServer,
  claims: Record<string, unknown>,
  options: { alg?: string; key?: Uint8Array; iat?: number; exp?: number; nbf?: number } = {},
): Promise<string> {
  const secret = (await readFile(join(server.dataDir, 'token-secret'), 'utf8')).trim();
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ name: 'Forged', kind: 'guest', ...claims })
    .setProtectedHeader({ alg: options.alg ?? 'HS256' })
    .setSubject('someone')
    .setIssuer((claims.iss as string | undefined) ?? 'hubbub')
    .setAudience((claims.aud as string | undefined) ?? 'hubbub')
    .setIssuedAt(options.iat ?? now)
    .setNotBefore(options.nbf ?? now)
    .setExpirationTime(options.exp ?? now + 600)
    .sign(options.key ?? new TextEncoder().encode(secret));
}

function unsigned(payload: Record<string, unknown>): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(payload)}.`;
}

async function meStatus(
  server: TestServer,
  token: string,
): Promise<{ status: number; code?: string }> {
  const { status, body } = await get<{ error?: { code: string } }>(server, '/api/me', token);
  return { status, ...(body.error === undefined ? {} : { code: body.error.code }) };
}

describe('accounts', () => {
  test('register, me, login; names are unique and case-insensitive; input is validated', async () => {
    await using server = await startServer();
    const alice = await register(server, 'Alice');
    expect(alice.user.name).toBe('alice');
    const me = await get<MeResponse>(server, '/api/me', alice.token);
    expect(me.body).toEqual({
      user: alice.user,
      kind: 'user',
      username: 'alice',
      canReadAnalytics: false,
    });

    const taken = await post(server, '/api/auth/register', {
      username: 'ALICE',
      password: PASSWORD,
    });
    expect(taken).toMatchObject({ status: 409, body: { error: { code: 'username_taken' } } });
    const short = await post(server, '/api/auth/register', { username: 'bob', password: 'short' });
    expect(short).toMatchObject({ status: 400, body: { error: { code: 'invalid_request' } } });
    const badName = await post(server, '/api/auth/register', {
      username: 'b o b',
      password: PASSWORD,
    });
    expect(badName.status).toBe(400);

    const login = await post<SessionResponse>(server, '/api/auth/login', {
      username: 'Alice',
      password: PASSWORD,
    });
    expect(login.status).toBe(200);
    expect(login.body.user).toEqual(alice.user);
    const wrong = await post(server, '/api/auth/login', {
      username: 'alice',
      password: 'not the password',
    });
    expect(wrong).toMatchObject({ status: 401, body: { error: { code: 'auth_failed' } } });
    const nobody = await post(server, '/api/auth/login', {
      username: 'nobody',
      password: PASSWORD,
    });
    expect(nobody).toMatchObject({ status: 401, body: { error: { code: 'auth_failed' } } });
  });

  test('accounts and sessions survive a restart; the password is stored only as argon2id', async () => {
    await using server = await startServer();
    const alice = await register(server, 'alice');
    await server.restart();
    expect((await meStatus(server, alice.token)).status).toBe(200);
    const login = await post(server, '/api/auth/login', { username: 'alice', password: PASSWORD });
    expect(login.status).toBe(200);
    const db = await readFile(join(server.dataDir, 'hubbub.sqlite'));
    expect(db.includes(Buffer.from(PASSWORD))).toBe(false);
    expect(db.includes(Buffer.from('$argon2id$v=19$m=19456,t=2,p=1$'))).toBe(true);
  });

  test('refresh rotates; reusing a refresh token revokes the whole session', async () => {
    await using server = await startServer({ env: { REFRESH_REUSE_GRACE_SECONDS: '0' } });
    const first = await register(server, 'alice');
    const second = await post<SessionResponse>(server, '/api/auth/refresh', {
      refreshToken: first.refreshToken,
    });
    expect(second.status).toBe(200);
    expect(second.body.refreshToken).not.toBe(first.refreshToken);
    expect((await meStatus(server, second.body.token)).status).toBe(200);

    // The old refresh token again: someone has a copy. Everything of this login ends.
    const replay = await post(server, '/api/auth/refresh', { refreshToken: first.refreshToken });
    expect(replay).toMatchObject({ status: 401, body: { error: { code: 'auth_failed' } } });
    const successor = await post(server, '/api/auth/refresh', {
      refreshToken: second.body.refreshToken,
    });
    expect(successor.status).toBe(401);
    expect(await meStatus(server, second.body.token)).toEqual({ status: 401, code: 'auth_failed' });
    // Other logins of the same user are untouched.
    const other = await post<SessionResponse>(server, '/api/auth/login', {
      username: 'alice',
      password: PASSWORD,
    });
    expect((await meStatus(server, other.body.token)).status).toBe(200);
  });

  test('a spent refresh token back within the grace (two tabs racing) renews; after it, it revokes', async () => {
    await using server = await startServer({ env: { REFRESH_REUSE_GRACE_SECONDS: '2' } });
    const first = await register(server, 'alice');
    const refresh = (refreshToken: string) =>
      post<SessionResponse>(server, '/api/auth/refresh', { refreshToken });
    // Two tabs spend the same token at once: both get a working pair in the same login.
    const [tabA, tabB] = await Promise.all([
      refresh(first.refreshToken),
      refresh(first.refreshToken),
    ]);
    expect([tabA.status, tabB.status]).toEqual([200, 200]);
    expect(tabA.body.refreshToken).not.toBe(tabB.body.refreshToken);
    for (const tab of [tabA, tabB])
      expect((await meStatus(server, tab.body.token)).status).toBe(200);
    // Past the grace the same replay is theft: the whole login ends, both tabs' tokens too.
    await new Promise((resolve) => setTimeout(resolve, 2_300));
    expect((await refresh(first.refreshToken)).status).toBe(401);
    expect((await refresh(tabA.body.refreshToken)).status).toBe(401);
    expect(await meStatus(server, tabB.body.token)).toEqual({ status: 401, code: 'auth_failed' });
  });

  test('logout ends that session: its sockets close and its tokens stop working', async () => {
    await using server = await startServer();
    const phone = await register(server, 'alice');
    const laptop = (
      await post<SessionResponse>(server, '/api/auth/login', {
        username: 'alice',
        password: PASSWORD,
      })
    ).body;
    const phoneSocket = await RawClient.ready(server.wsUrl, phone.token);
    await using laptopSocket = await RawClient.ready(server.wsUrl, laptop.token);

    expect((await post(server, '/api/auth/logout', {}, phone.token)).status).toBe(204);
    expect((await phoneSocket.closed).code).toBe(CloseCode.authFailed);
    expect(await meStatus(server, phone.token)).toEqual({ status: 401, code: 'auth_failed' });
    expect(
      (await post(server, '/api/auth/refresh', { refreshToken: phone.refreshToken })).status,
    ).toBe(401);
    const again = await RawClient.connect(server.wsUrl);
    again.send({ type: 'authenticate', token: phone.token });
    expect((await again.closed).code).toBe(CloseCode.authFailed);
    // The laptop stays logged in.
    laptopSocket.send({ type: 'ping' });
    await laptopSocket.next((f) => f.type === 'pong');
  });

  test('a password change closes every socket of the user and voids every session', async () => {
    await using server = await startServer();
    const phone = await register(server, 'alice');
    const socket = await RawClient.ready(server.wsUrl, phone.token);
    const wrong = await post(
      server,
      '/api/auth/password',
      { currentPassword: 'nope nope', newPassword: 'a brand new one' },
      phone.token,
    );
    expect(wrong.status).toBe(401);
    const changed = await post<SessionResponse>(
      server,
      '/api/auth/password',
      { currentPassword: PASSWORD, newPassword: 'a brand new one' },
      phone.token,
    );
    expect(changed.status).toBe(200);
    expect((await socket.closed).code).toBe(CloseCode.authFailed);
    expect((await meStatus(server, phone.token)).status).toBe(401);
    expect((await meStatus(server, changed.body.token)).status).toBe(200);
    expect(
      (await post(server, '/api/auth/login', { username: 'alice', password: PASSWORD })).status,
    ).toBe(401);
    expect(
      (await post(server, '/api/auth/login', { username: 'alice', password: 'a brand new one' }))
        .status,
    ).toBe(200);
  });

  test('login brute force is limited per account, with 429 and Retry-After', async () => {
    await using server = await startServer({ env: { LOGIN_ATTEMPTS_PER_ACCOUNT: '3' } });
    await register(server, 'alice');
    for (let i = 0; i < 3; i++) {
      expect(
        (await post(server, '/api/auth/login', { username: 'alice', password: 'guess guess' }))
          .status,
      ).toBe(401);
    }
    const limited = await post(server, '/api/auth/login', {
      username: 'alice',
      password: PASSWORD,
    });
    expect(limited).toMatchObject({ status: 429, body: { error: { code: 'rate_limited' } } });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another account from the same address is not locked by it.
    await register(server, 'bob');
    expect(
      (await post(server, '/api/auth/login', { username: 'bob', password: PASSWORD })).status,
    ).toBe(200);
  });

  test('common passwords are refused at sign-up and on change, saying why (NIST 800-63B)', async () => {
    await using server = await startServer();
    for (const password of ['password', '12345678', 'Password', 'qwertyuiop', 'iloveyou1']) {
      const refused = await post<{ error: { code: string; message: string } }>(
        server,
        '/api/auth/register',
        { username: 'carol', password },
      );
      expect({ password, status: refused.status }).toEqual({ password, status: 400 });
      expect(refused.body.error.code).toBe('invalid_request');
      expect(refused.body.error.message).toMatch(
        /^password: this password is on a list of commonly used passwords/,
      );
    }
    const own = await post<{ error: { message: string } }>(server, '/api/auth/register', {
      username: 'zebulonq',
      password: 'ZEBULONQ',
    });
    expect(own.status).toBe(400);
    expect(own.body.error.message).toMatch(/cannot be the username/);

    const carol = await register(server, 'carol');
    const weak = await post<{ error: { code: string; message: string } }>(
      server,
      '/api/auth/password',
      { currentPassword: PASSWORD, newPassword: 'letmein123' },
      carol.token,
    );
    expect(weak.status).toBe(400);
    expect(weak.body.error.message).toMatch(/^newPassword: this password is on a list/);
    // Refused before anything changed: the session and the old password still work.
    expect((await meStatus(server, carol.token)).status).toBe(200);
    expect(
      (await post(server, '/api/auth/login', { username: 'carol', password: PASSWORD })).status,
    ).toBe(200);
  });

  test("a stranger's failures from another address do not lock the owner out", async () => {
    const env = { TRUST_PROXY: '127.0.0.1', LOGIN_ATTEMPTS_PER_ACCOUNT: '3' };
    await using server = await startServer({ env });
    await register(server, 'alice');
    const login = (from: string, password: string) =>
      fetch(`${server.httpUrl}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
        body: JSON.stringify({ username: 'alice', password }),
      });
    const stranger = '203.0.113.66';
    for (let i = 0; i < 3; i++) expect((await login(stranger, 'guess guess')).status).toBe(401);
    const locked = await login(stranger, PASSWORD);
    expect(locked.status).toBe(429);
    // How long to wait: one attempt of three refills in a third of 15 minutes.
    const wait = Number(locked.headers.get('retry-after'));
    expect(wait).toBeGreaterThan(290);
    expect(wait).toBeLessThanOrEqual(300);
    expect(((await locked.json()) as { error: { message: string } }).error.message).toMatch(
      /try again in \d+ s/,
    );
    // The owner, at home, gets in, and keeps getting in.
    for (let i = 0; i < 4; i++) expect((await login('198.51.100.7', PASSWORD)).status).toBe(200);
  });

  test('successful logins do not count against the limit; only failures do', async () => {
    await using server = await startServer({
      env: { LOGIN_ATTEMPTS_PER_ACCOUNT: '2', LOGIN_ATTEMPTS_PER_ADDRESS: '3' },
    });
    await register(server, 'alice');
    const login = (password: string) =>
      post(server, '/api/auth/login', { username: 'alice', password }).then((r) => r.status);
    for (let i = 0; i < 6; i++) expect(await login(PASSWORD)).toBe(200);
    expect([await login('wrong one'), await login('wrong two'), await login(PASSWORD)]).toEqual([
      401, 401, 429,
    ]);

    // Many guesses at once cannot overdraw it: each takes its attempt before it is checked.
    await using other = await startServer({ env: { LOGIN_ATTEMPTS_PER_ACCOUNT: '1' } });
    await register(other, 'bob');
    const burst = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        post(other, '/api/auth/login', { username: 'bob', password: `guess ${i}` }),
      ),
    );
    expect(burst.filter((r) => r.status === 401)).toHaveLength(1);
    expect(burst.filter((r) => r.status === 429)).toHaveLength(7);
  });

  test('guesses spread over many addresses meet a looser ceiling per account', async () => {
    const env = {
      TRUST_PROXY: '127.0.0.1',
      LOGIN_ATTEMPTS_PER_ACCOUNT: '2',
      LOGIN_ATTEMPTS_PER_ACCOUNT_TOTAL: '4',
    };
    await using server = await startServer({ env });
    await register(server, 'alice');
    const login = (from: string) =>
      fetch(`${server.httpUrl}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
        body: JSON.stringify({ username: 'alice', password: 'guess guess' }),
      });
    const statuses: number[] = [];
    for (let i = 1; i <= 5; i++) statuses.push((await login(`203.0.113.${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
    expect(Number((await login('203.0.113.9')).headers.get('retry-after'))).toBeGreaterThan(0);
  });

  test('and per client address', async () => {
    await using server = await startServer({ env: { LOGIN_ATTEMPTS_PER_ADDRESS: '4' } });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push(
        (await post(server, '/api/auth/login', { username: `user${i}`, password: 'x' })).status,
      );
    }
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
  });

  test('behind a trusted proxy the address is the forwarded one; elsewhere the header buys nothing', async () => {
    const login = (server: { httpUrl: string }, from: string) =>
      fetch(`${server.httpUrl}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
        body: JSON.stringify({ username: 'nobody', password: 'x' }),
      }).then((response) => response.status);
    const env = { LOGIN_ATTEMPTS_PER_ACCOUNT: '1000', LOGIN_ATTEMPTS_PER_ADDRESS: '2' };
    await using proxied = await startServer({ env: { ...env, TRUST_PROXY: '127.0.0.1' } });
    expect([await login(proxied, '203.0.113.1'), await login(proxied, '203.0.113.1')]).toEqual([
      401, 401,
    ]);
    expect(await login(proxied, '203.0.113.1')).toBe(429);
    // Another client behind the same proxy has its own budget.
    expect(await login(proxied, '203.0.113.2')).toBe(401);

    await using direct = await startServer({ env });
    expect([await login(direct, '203.0.113.1'), await login(direct, '203.0.113.2')]).toEqual([
      401, 401,
    ]);
    expect(await login(direct, '203.0.113.3')).toBe(429);
  });

  test('guest access can be switched off: no guest tokens, and old ones are refused', async () => {
    await using open = await startServer();
    const guest = await open.guest('Visitor');
    await using closed = await startServer({
      env: { GUEST_ACCESS: 'false' },
      dataDir: open.dataDir,
    });
    expect((await post(closed, '/api/auth/guest', { username: 'Visitor' })).status).toBe(403);
    expect(await meStatus(closed, guest.token)).toEqual({ status: 401, code: 'auth_failed' });
    expect((await meStatus(open, guest.token)).status).toBe(200);
  });
});

describe('tokens an attacker might try', () => {
  test('alg none, a wrong key, a tampered payload, wrong issuer or audience are all refused', async () => {
    await using server = await startServer();
    const real = await register(server, 'alice');
    const now = Math.floor(Date.now() / 1000);
    const [header, payload, signature] = real.token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, name: 'Admin' })).toString('base64url')}.${signature}`;
    const attempts = {
      none: unsigned({
        sub: real.user.id,
        name: 'alice',
        kind: 'user',
        iss: 'hubbub',
        aud: 'hubbub',
        iat: now,
        exp: now + 600,
      }),
      wrongKey: await forge(server, {}, { key: new TextEncoder().encode('x'.repeat(48)) }),
      tampered,
      wrongIssuer: await forge(server, { iss: 'someone-else' }),
      wrongAudience: await forge(server, { aud: 'another-app' }),
      garbage: 'not.a.token',
    };
    for (const [name, token] of Object.entries(attempts)) {
      expect(await meStatus(server, token), name).toEqual({ status: 401, code: 'auth_failed' });
      const socket = await RawClient.connect(server.wsUrl);
      socket.send({ type: 'authenticate', token });
      expect(await socket.next((f) => f.type === 'error'), name).toMatchObject({
        code: 'auth_failed',
      });
      expect((await socket.closed).code, name).toBe(CloseCode.authFailed);
    }
    // The genuine token still works, so the refusals above were about the tokens.
    expect((await meStatus(server, real.token)).status).toBe(200);
  });

  test('expired and not-yet-valid tokens are refused; expiry is a typed, recoverable error', async () => {
    await using server = await startServer();
    const now = Math.floor(Date.now() / 1000);
    const expired = await forge(server, {}, { iat: now - 3600, nbf: now - 3600, exp: now - 60 });
    const early = await forge(server, {}, { nbf: now + 3600 });
    const barelyExpired = await forge(server, {}, { iat: now - 600, nbf: now - 600, exp: now - 2 });
    expect(await meStatus(server, expired)).toEqual({ status: 401, code: 'token_expired' });
    expect(await meStatus(server, early)).toEqual({ status: 401, code: 'auth_failed' });
    // Within the clock leeway: a client's clock a moment ahead is forgiven.
    expect((await meStatus(server, barelyExpired)).status).toBe(200);

    const socket = await RawClient.connect(server.wsUrl);
    socket.send({ type: 'authenticate', token: expired });
    expect(await socket.next((f) => f.type === 'error')).toMatchObject({ code: 'token_expired' });
    expect((await socket.closed).code).toBe(CloseCode.tokenExpired);
  });

  test('a session whose token expires while connected is told so and closed with 4004', async () => {
    await using server = await startServer();
    const now = Math.floor(Date.now() / 1000);
    const shortLived = await forge(server, { name: 'Brief' }, { exp: now + 2 });
    const socket = await RawClient.ready(server.wsUrl, shortLived);
    expect(await socket.next((f) => f.type === 'error', 10_000)).toMatchObject({
      code: 'token_expired',
    });
    expect((await socket.closed).code).toBe(CloseCode.tokenExpired);
  });

  test('a fresh token sent before the old one runs out keeps the session open past it', async () => {
    await using server = await startServer();
    const now = Math.floor(Date.now() / 1000);
    const shortLived = await forge(server, { name: 'Renewing' }, { exp: now + 4 });
    await using socket = await RawClient.ready(server.wsUrl, shortLived);
    socket.send({ type: 'authenticate', token: await forge(server, { name: 'Renewing' }) });
    await socket.next((f) => f.type === 'ready');
    // Past the first token's exp and the sweep after it: still open, still answering.
    await new Promise((resolve) => setTimeout(resolve, (now + 6) * 1000 - Date.now()));
    socket.send({ type: 'ping' });
    await socket.next((f) => f.type === 'pong');
    expect(socket.received.filter((f) => f.type === 'error')).toEqual([]);
  });
});

describe('CORS shares the Origin allowlist', () => {
  test('an allowed origin gets CORS headers; another does not', async () => {
    await using server = await startServer({ env: { ALLOWED_ORIGINS: 'https://chat.example' } });
    const preflight = (origin: string) =>
      fetch(`${server.httpUrl}/api/auth/login`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
    expect(
      (await preflight('https://chat.example')).headers.get('access-control-allow-origin'),
    ).toBe('https://chat.example');
    expect(
      (await preflight('https://evil.example')).headers.get('access-control-allow-origin'),
    ).toBeNull();
  });
});
