import { createHmac, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cleanName, type UserRef } from '@hubbub/protocol';
import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  type JWTPayload,
  errors as joseErrors,
  jwtVerify,
  SignJWT,
} from 'jose';

const ISSUER = 'hubbub';
const AUDIENCE = 'hubbub';
/** Clocks of clients, providers and nodes disagree a little; this much is forgiven. */
const CLOCK_TOLERANCE_SECONDS = 5;
/** The only algorithm of our own tokens: symmetric, so no public-key algorithm ever meets our key. */
const LOCAL_ALGORITHM = 'HS256';
/** What identity providers may sign with: asymmetric only, so their keys can never act as HMAC secrets. */
const EXTERNAL_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'];

export type TokenKind = 'user' | 'guest';

/** A token we signed ourselves. */
export interface LocalClaims {
  source: 'local';
  user: UserRef;
  kind: TokenKind;
  /** The login (refresh-token family) an account's token belongs to. */
  sessionId: string | undefined;
  issuedAt: number;
  expiresAt: number;
}

/** A token an external identity provider signed; the subject still needs a local user. */
export interface ExternalClaims {
  source: 'external';
  issuer: string;
  subject: string;
  name: string;
  issuedAt: number;
  expiresAt: number;
}

export type VerifiedToken = LocalClaims | ExternalClaims;

export class TokenError extends Error {
  override name = 'TokenError';
  constructor(
    readonly code: 'auth_failed' | 'token_expired',
    message: string,
  ) {
    super(message);
  }
}

export interface ExternalProvider {
  jwksUrl: string;
  issuer: string;
  audience: string;
}

export interface TokenSettings {
  accessTtlSeconds: number;
  guestTtlSeconds: number;
  external?: ExternalProvider | undefined;
}

/**
 * Signs our access tokens and verifies both ours and an identity provider's. Stateless on
 * purpose: any node holding the key can verify, so re-auth and resume need no sticky
 * sessions. The algorithm is pinned on each path, and `jku`/`jwk`/`x5u` headers are never
 * followed: keys come only from our secret or the configured JWKS URL.
 */
export class TokenService {
  private readonly key: Uint8Array;
  private readonly jwks: ReturnType<typeof createRemoteJWKSet> | undefined;

  private constructor(
    secret: string,
    private readonly settings: TokenSettings,
  ) {
    this.key = new TextEncoder().encode(secret);
    // Cached; an unknown `kid` triggers a refetch, so key rotation at the provider needs no
    // restart here. At most one refetch per 5 s, so forged kids cannot flood the provider.
    this.jwks =
      settings.external === undefined
        ? undefined
        : createRemoteJWKSet(new URL(settings.external.jwksUrl), {
            cooldownDuration: 5_000,
            cacheMaxAge: 10 * 60_000,
          });
  }

  static fromSecret(secret: string, settings: TokenSettings): TokenService {
    return new TokenService(secret, settings);
  }

  /**
   * Uses `secret` when set; otherwise the key in `<dataDir>/token-secret`, generated on the
   * first start so tokens survive restarts without any setup.
   */
  static async load(
    secret: string | undefined,
    dataDir: string,
    settings: TokenSettings,
  ): Promise<TokenService> {
    if (secret !== undefined) return new TokenService(secret, settings);
    const file = join(dataDir, 'token-secret');
    try {
      return new TokenService((await readFile(file, 'utf8')).trim(), settings);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    await mkdir(dataDir, { recursive: true });
    // `wx` so two processes starting at once cannot overwrite each other's key.
    await writeFile(file, `${randomBytes(48).toString('base64url')}\n`, {
      mode: 0o600,
      flag: 'wx',
    }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    return new TokenService((await readFile(file, 'utf8')).trim(), settings);
  }

  /**
   * A key for another purpose (signing media ids, say), derived from the token secret: the
   * nodes of a cluster share it because they share the secret, and it never equals it.
   */
  derivedKey(purpose: string): Buffer {
    return createHmac('sha256', this.key).update(`hubbub:${purpose}`).digest();
  }

  /** A token for a guest: display name only, no account behind it. */
  issueGuest(user: UserRef): Promise<{ token: string; expiresAt: string }> {
    return this.sign(user, 'guest', undefined, this.settings.guestTtlSeconds);
  }

  /** A short-lived access token for an account's login session. */
  issueAccess(user: UserRef, sessionId: string): Promise<{ token: string; expiresAt: string }> {
    return this.sign(user, 'user', sessionId, this.settings.accessTtlSeconds);
  }

  private async sign(
    user: UserRef,
    kind: TokenKind,
    sessionId: string | undefined,
    ttlSeconds: number,
  ): Promise<{ token: string; expiresAt: string }> {
    const now = Math.floor(Date.now() / 1000);
    const exp = now + ttlSeconds;
    const token = await new SignJWT({
      name: user.name,
      kind,
      ...(sessionId === undefined ? {} : { sid: sessionId }),
    })
      .setProtectedHeader({ alg: LOCAL_ALGORITHM, typ: 'JWT' })
      .setSubject(user.id)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(exp)
      .sign(this.key);
    return { token, expiresAt: new Date(exp * 1000).toISOString() };
  }

  /** Verifies signature, algorithm, issuer, audience and validity window; throws TokenError. */
  async verify(token: string): Promise<VerifiedToken> {
    let alg: string | undefined;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw new TokenError('auth_failed', 'token is malformed');
    }
    if (alg === LOCAL_ALGORITHM) return this.verifyLocal(token);
    if (this.jwks !== undefined && alg !== undefined && EXTERNAL_ALGORITHMS.includes(alg)) {
      return this.verifyExternal(token);
    }
    throw new TokenError(
      'auth_failed',
      `tokens signed with ${alg ?? 'no algorithm'} are not accepted`,
    );
  }

  private async verifyLocal(token: string): Promise<LocalClaims> {
    const payload = await this.check(() =>
      jwtVerify(token, this.key, {
        algorithms: [LOCAL_ALGORITHM],
        issuer: ISSUER,
        audience: AUDIENCE,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['sub', 'exp', 'iat'],
      }),
    );
    const { name, kind, sid } = payload;
    if (typeof name !== 'string' || (kind !== 'user' && kind !== 'guest')) {
      throw new TokenError('auth_failed', 'token lacks a name or kind');
    }
    return {
      source: 'local',
      user: { id: payload.sub!, name },
      kind,
      sessionId: typeof sid === 'string' ? sid : undefined,
      issuedAt: payload.iat!,
      expiresAt: payload.exp!,
    };
  }

  private async verifyExternal(token: string): Promise<ExternalClaims> {
    const provider = this.settings.external!;
    const payload = await this.check(() =>
      jwtVerify(token, this.jwks!, {
        algorithms: EXTERNAL_ALGORITHMS,
        issuer: provider.issuer,
        audience: provider.audience,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['sub', 'exp'],
      }),
    );
    // The first claim that makes a name by our rules (no bidi or invisible characters).
    const name = [payload.name, payload.preferred_username, payload.nickname, payload.email]
      .map((value) => (typeof value === 'string' ? cleanName(value) : undefined))
      .find((value) => value !== undefined);
    return {
      source: 'external',
      issuer: provider.issuer,
      subject: payload.sub!,
      name: name ?? 'user',
      issuedAt: payload.iat ?? Math.floor(Date.now() / 1000),
      expiresAt: payload.exp!,
    };
  }

  private async check(verification: () => Promise<{ payload: JWTPayload }>): Promise<JWTPayload> {
    try {
      return (await verification()).payload;
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired)
        throw new TokenError('token_expired', 'token expired');
      if (error instanceof joseErrors.JWTClaimValidationFailed) {
        throw new TokenError('auth_failed', `token claim "${error.claim}" is not acceptable`);
      }
      if (error instanceof joseErrors.JWKSNoMatchingKey)
        throw new TokenError('auth_failed', 'no key for this token');
      if (error instanceof joseErrors.JOSEError)
        throw new TokenError('auth_failed', 'token is invalid');
      throw error;
    }
  }
}
