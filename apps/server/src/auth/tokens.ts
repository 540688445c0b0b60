import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TokenResponse, UserRef } from '@hubbub/protocol';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { uuidv7 } from 'uuidv7';

const ISSUER = 'hubbub';
const AUDIENCE = 'hubbub';

/** A verified token's identity. The server trusts this, never a name or id in a frame. */
export interface Identity {
  user: UserRef;
  /** Seconds since the epoch after which the token is refused. */
  expiresAt: number;
}

export class TokenError extends Error {
  override name = 'TokenError';
}

/**
 * Signs and verifies HS256 JWTs. Stateless on purpose: any node holding the key can verify,
 * so re-auth and resume need no sticky sessions.
 */
export class TokenService {
  private constructor(
    private readonly key: Uint8Array,
    private readonly ttlSeconds: number,
  ) {}

  static fromSecret(secret: string, ttlSeconds: number): TokenService {
    return new TokenService(new TextEncoder().encode(secret), ttlSeconds);
  }

  /**
   * Uses `secret` when set; otherwise the key in `<dataDir>/token-secret`, generated on the
   * first start so tokens survive restarts without any setup.
   */
  static async load(
    secret: string | undefined,
    dataDir: string,
    ttlSeconds: number,
  ): Promise<TokenService> {
    if (secret !== undefined) return TokenService.fromSecret(secret, ttlSeconds);
    const file = join(dataDir, 'token-secret');
    try {
      return TokenService.fromSecret((await readFile(file, 'utf8')).trim(), ttlSeconds);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    await mkdir(dataDir, { recursive: true });
    const generated = randomBytes(48).toString('base64url');
    // `wx` so two processes starting at once cannot overwrite each other's key.
    await writeFile(file, `${generated}\n`, { mode: 0o600, flag: 'wx' }).catch(async (error) => {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    });
    return TokenService.fromSecret((await readFile(file, 'utf8')).trim(), ttlSeconds);
  }

  /** A token for a guest: a fresh user id each time, with the chosen display name. */
  async issueGuest(name: string): Promise<TokenResponse> {
    return this.issue({ id: uuidv7(), name });
  }

  async issue(user: UserRef): Promise<TokenResponse> {
    const now = Math.floor(Date.now() / 1000);
    const exp = now + this.ttlSeconds;
    const token = await new SignJWT({ name: user.name })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(user.id)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(exp)
      .sign(this.key);
    return { token, user, expiresAt: new Date(exp * 1000).toISOString() };
  }

  /** Verifies signature, issuer, audience and expiry; throws TokenError with a reason. */
  async verify(token: string): Promise<Identity> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ['HS256'],
      });
      if (typeof payload.sub !== 'string' || typeof payload.name !== 'string') {
        throw new TokenError('token lacks a subject or name');
      }
      return { user: { id: payload.sub, name: payload.name }, expiresAt: payload.exp ?? 0 };
    } catch (error) {
      if (error instanceof TokenError) throw error;
      if (error instanceof joseErrors.JWTExpired) throw new TokenError('token expired');
      throw new TokenError('token is invalid');
    }
  }
}
