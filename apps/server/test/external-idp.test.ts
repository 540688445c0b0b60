import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloseCode, type MeResponse } from '@hubbub/protocol';
import { get, post, RawClient, startServer } from '@hubbub/testing';
import { type CryptoKey, exportJWK, exportSPKI, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const ISSUER = 'https://idp.test/';
const AUDIENCE = 'hubbub-app';

interface SigningKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
  publicPem: string;
}

async function signingKey(kid: string, alg: 'RS256' | 'ES256' | 'EdDSA'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return {
    kid,
    alg,
    privateKey,
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' },
    publicPem: await exportSPKI(publicKey),
  };
}

/** A stand-in identity provider on loopback: it serves a JWKS and signs tokens, as Clerk or Auth0 would. */
class FakeProvider {
  published: SigningKey[] = [];
  fetches = 0;
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((_request, response) => {
      this.fetches += 1;
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ keys: this.published.map((key) => key.publicJwk) }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/.well-known/jwks.json`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  sign(
    key: SigningKey,
    claims: Record<string, unknown> = {},
    audience = AUDIENCE,
  ): Promise<string> {
    return new SignJWT({ name: 'Ada Lovelace', ...claims })
      .setProtectedHeader({ alg: key.alg, kid: key.kid })
      .setSubject((claims.sub as string | undefined) ?? 'user_2abc')
      .setIssuer(ISSUER)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(key.privateKey);
  }
}

describe('external identity provider (JWKS)', () => {
  const provider = new FakeProvider();
  let rsa: SigningKey;
  beforeAll(async () => {
    rsa = await signingKey('rsa-1', 'RS256');
    provider.published = [rsa];
    await provider.start();
  });
  afterAll(() => provider.stop());

  const env = () => ({ AUTH_JWKS_URL: provider.url, AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE });

  test('a provider token works over REST and WebSocket and maps to one local user', async () => {
    await using server = await startServer({ env: env() });
    const token = await provider.sign(rsa);
    const me = await get<MeResponse>(server, '/api/me', token);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ kind: 'user', user: { name: 'Ada Lovelace' }, username: null });
    const again = await get<MeResponse>(server, '/api/me', await provider.sign(rsa));
    expect(again.body.user.id).toBe(me.body.user.id);
    const other = await get<MeResponse>(
      server,
      '/api/me',
      await provider.sign(rsa, { sub: 'user_other' }),
    );
    expect(other.body.user.id).not.toBe(me.body.user.id);

    await using socket = await RawClient.ready(server.wsUrl, token);
    expect(socket.received[0]).toMatchObject({ type: 'ready', user: me.body.user });
  });

  test("a provider's name is cleaned of what names cannot hold, and reserves what it looks like", async () => {
    await using server = await startServer({ env: env() });
    const me = (claims: Record<string, unknown>) =>
      provider.sign(rsa, claims).then((token) => get<MeResponse>(server, '/api/me', token));
    const spoofed = await me({ sub: 'user_rlo', name: 'Ad\u200Bmin\u202E \n Ｂｏｓｓ' });
    expect(spoofed.body.user.name).toBe('Admin Boss');
    // Nothing visible in `name`: the next claim that makes a name is used.
    const blank = await me({ sub: 'user_blank', name: '\u200B\u2800', nickname: 'Nick' });
    expect(blank.body.user.name).toBe('Nick');
    // A guest cannot then pass for the provider's user.
    const guest = await post(server, '/api/auth/guest', { username: 'ADMIN BOSS' });
    expect(guest.status).toBe(409);
  });

  test('ES256 and EdDSA keys work; a rotated-in key is fetched on first sight of its kid', async () => {
    await using server = await startServer({ env: env() });
    expect((await get(server, '/api/me', await provider.sign(rsa))).status).toBe(200);
    const ec = await signingKey('ec-1', 'ES256');
    const ed = await signingKey('ed-1', 'EdDSA');
    provider.published = [rsa, ec, ed];
    // Refetches on an unknown kid are spaced at least 5 s apart.
    await new Promise((resolve) => setTimeout(resolve, 5200));
    expect((await get(server, '/api/me', await provider.sign(ec))).status).toBe(200);
    expect((await get(server, '/api/me', await provider.sign(ed))).status).toBe(200);
  }, 20_000);

  test('wrong audience, unknown key and HS256 key confusion are refused', async () => {
    await using server = await startServer({ env: env() });
    const wrongAudience = await provider.sign(rsa, {}, 'some-other-app');
    const stranger = await signingKey('rsa-1', 'RS256'); // same kid, different key
    const forgedWithStranger = await provider.sign(stranger);
    // Key confusion: an attacker signs HS256 with the provider's public key as the secret.
    const confused = await new SignJWT({ name: 'Mallory' })
      .setProtectedHeader({ alg: 'HS256', kid: rsa.kid })
      .setSubject('user_2abc')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(rsa.publicPem));
    for (const [name, token] of Object.entries({ wrongAudience, forgedWithStranger, confused })) {
      const { status, body } = await get<{ error: { code: string } }>(server, '/api/me', token);
      expect({ status, code: body.error?.code }, name).toEqual({
        status: 401,
        code: 'auth_failed',
      });
    }
    const socket = await RawClient.connect(server.wsUrl);
    socket.send({ type: 'authenticate', token: confused });
    expect((await socket.closed).code).toBe(CloseCode.authFailed);
  });

  test('keys named inside the token (jwk, jku, x5u headers) are never used', async () => {
    await using server = await startServer({ env: env() });
    const attacker = await signingKey('rsa-1', 'RS256');
    const base = () =>
      new SignJWT({ name: 'Mallory' })
        .setSubject('user_2abc')
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime('10m');
    const embedded = await base()
      .setProtectedHeader({ alg: 'RS256', kid: rsa.kid, jwk: attacker.publicJwk })
      .sign(attacker.privateKey);
    const pointed = await base()
      .setProtectedHeader({
        alg: 'RS256',
        kid: 'evil',
        jku: `${provider.url}?evil`,
        x5u: 'http://127.0.0.1:1/cert',
      })
      .sign(attacker.privateKey);
    for (const token of [embedded, pointed]) {
      expect((await get(server, '/api/me', token)).status).toBe(401);
    }
  });

  test('without the provider configured, its tokens are not accepted at all', async () => {
    await using server = await startServer();
    const { status } = await get(server, '/api/me', await provider.sign(rsa));
    expect(status).toBe(401);
  });
});
