import { createHash, randomBytes } from 'node:crypto';
import type { SessionResponse, UserRef } from '@hubbub/protocol';
import { uuidv7 } from 'uuidv7';
import type { AccountStore, UserRow } from './accounts.js';
import { weakPasswordReason } from './common-passwords.js';
import { burnVerification, hashPassword, verifyPassword } from './passwords.js';
import type { TokenService } from './tokens.js';

export class AuthError extends Error {
  override name = 'AuthError';
  constructor(
    readonly code: 'auth_failed' | 'username_taken' | 'invalid_request',
    message: string,
  ) {
    super(message);
  }
}

/** Refuses a new password that is too easily guessed, saying why, at its field. */
function checkNewPassword(field: string, password: string, username?: string): void {
  const reason = weakPasswordReason(password, username);
  if (reason !== undefined) throw new AuthError('invalid_request', `${field}: ${reason}`);
}

/** Called when sessions end, so the node can close the sockets that belong to them. */
export type SessionsEnded = (userId: string, sessionId?: string) => void;

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

function userRef(user: UserRow): UserRef {
  return { id: user.id, name: user.display_name };
}

/**
 * Accounts and login sessions. A login is a family of refresh tokens: each refresh swaps
 * the presented token for a new one, and a token presented a second time means a copy
 * leaked, so the whole family is revoked and every socket of it closed.
 */
export class AuthService {
  constructor(
    private readonly accounts: AccountStore,
    private readonly tokens: TokenService,
    private readonly refresh: { ttlSeconds: number; reuseGraceSeconds: number },
    private readonly sessionsEnded: SessionsEnded,
    /** Runs once for each new account, before its first session (default channels). */
    private readonly welcome: (userId: string) => Promise<void> = async () => {},
  ) {}

  async register(input: {
    username: string;
    password: string;
    displayName?: string | undefined;
  }): Promise<SessionResponse> {
    checkNewPassword('password', input.password, input.username);
    const user = await this.accounts.createUser({
      username: input.username,
      displayName: input.displayName ?? input.username,
      passwordHash: await hashPassword(input.password),
    });
    await this.welcome(user.id);
    return this.startSession(user);
  }

  async login(username: string, password: string): Promise<SessionResponse> {
    const user = await this.accounts.findByUsername(username);
    if (user === undefined || user.password_hash === null) {
      await burnVerification(password);
      throw new AuthError('auth_failed', 'invalid username or password');
    }
    if (!(await verifyPassword(user.password_hash, password))) {
      throw new AuthError('auth_failed', 'invalid username or password');
    }
    return this.startSession(user);
  }

  /**
   * Swaps a refresh token for a new pair; a reused token revokes its whole family, unless it
   * comes back within the reuse grace of its first use: two tabs of one browser racing to
   * renew, or a retry whose first answer was lost, as Auth0's reuse interval allows.
   */
  async renew(refreshToken: string): Promise<SessionResponse> {
    const tokenHash = hashToken(refreshToken);
    const row = await this.accounts.findRefresh(tokenHash);
    if (row === undefined) throw new AuthError('auth_failed', 'unknown refresh token');
    if (row.revoked_at !== null) throw new AuthError('auth_failed', 'this session has ended');
    if (row.expires_at <= Date.now()) throw new AuthError('auth_failed', 'refresh token expired');
    if (!(await this.accounts.claimRefresh(row.token_hash))) {
      const usedAt = (await this.accounts.findRefresh(tokenHash))?.used_at ?? null;
      const graceMs = this.refresh.reuseGraceSeconds * 1000;
      if (usedAt === null || Date.now() - usedAt > graceMs) {
        await this.endFamily(row.user_id, row.family_id);
        throw new AuthError(
          'auth_failed',
          'refresh token was already used; the session is revoked',
        );
      }
    }
    const user = await this.accounts.findById(row.user_id);
    if (user === undefined) throw new AuthError('auth_failed', 'no such user');
    return this.issue(user, row.family_id);
  }

  /** Ends one login session: its refresh tokens stop working and its sockets close. */
  async logout(userId: string, sessionId: string | undefined): Promise<void> {
    if (sessionId === undefined) return;
    await this.endFamily(userId, sessionId);
  }

  /** Changes the password, ends every session of the user, and starts a fresh one. */
  async changePassword(userId: string, current: string, next: string): Promise<SessionResponse> {
    const user = await this.accounts.findById(userId);
    if (
      user?.password_hash === null ||
      user === undefined ||
      !(await verifyPassword(user.password_hash, current))
    ) {
      throw new AuthError('auth_failed', 'current password is wrong');
    }
    checkNewPassword('newPassword', next, user.username ?? undefined);
    await this.accounts.setPassword(userId, await hashPassword(next));
    await this.accounts.revokeUser(userId);
    this.sessionsEnded(userId);
    return this.startSession(user);
  }

  private async endFamily(userId: string, familyId: string): Promise<void> {
    await this.accounts.revokeFamily(familyId);
    this.sessionsEnded(userId, familyId);
  }

  private startSession(user: UserRow): Promise<SessionResponse> {
    return this.issue(user, uuidv7());
  }

  private async issue(user: UserRow, familyId: string): Promise<SessionResponse> {
    const refreshToken = randomBytes(32).toString('base64url');
    const refreshExpires = Date.now() + this.refresh.ttlSeconds * 1000;
    await this.accounts.insertRefresh({
      token_hash: hashToken(refreshToken),
      family_id: familyId,
      user_id: user.id,
      expires_at: refreshExpires,
    });
    const access = await this.tokens.issueAccess(userRef(user), familyId);
    return {
      token: access.token,
      expiresAt: access.expiresAt,
      refreshToken,
      refreshExpiresAt: new Date(refreshExpires).toISOString(),
      user: userRef(user),
    };
  }
}
