import type { UserRef } from '@hubbub/protocol';
import type { AccountStore } from './accounts.js';
import { TokenError, type TokenKind, type TokenService } from './tokens.js';

/** Who a request or connection acts as. The server trusts this, never a name or id in a frame. */
export interface Identity {
  user: UserRef;
  kind: TokenKind;
  /** The account's login (its username), as others `@mention` it; guests have none. */
  login?: string | undefined;
  /** The login session (refresh-token family) of an account's token. */
  sessionId: string | undefined;
  /** Seconds since the epoch after which the token is refused. */
  expiresAt: number;
}

/**
 * Turns a bearer token into an Identity: verifies it, maps an identity provider's subject to
 * a local user, and refuses tokens of ended sessions (logout, password change, refresh
 * reuse) and of guests when guest access is off. One place for WebSockets and REST alike.
 */
export class Authenticator {
  constructor(
    private readonly tokens: TokenService,
    private readonly accounts: AccountStore,
    private readonly guestAccess: boolean,
  ) {}

  async identify(token: string): Promise<Identity> {
    const verified = await this.tokens.verify(token);
    if (verified.source === 'external') {
      const user = await this.accounts.userForExternal(
        verified.issuer,
        verified.subject,
        verified.name,
      );
      return {
        user: { id: user.id, name: user.display_name },
        kind: 'user',
        login: user.username ?? undefined,
        sessionId: undefined,
        expiresAt: verified.expiresAt,
      };
    }
    if (verified.kind === 'guest') {
      if (!this.guestAccess) throw new TokenError('auth_failed', 'guest access is disabled');
      return {
        user: verified.user,
        kind: 'guest',
        sessionId: undefined,
        expiresAt: verified.expiresAt,
      };
    }
    const user = await this.accounts.findById(verified.user.id);
    if (user === undefined) throw new TokenError('auth_failed', 'no such user');
    // Second resolution on both sides: a token from the very second of a password change counts.
    if (verified.issuedAt < Math.floor(user.credentials_changed_at / 1000)) {
      throw new TokenError('auth_failed', 'credentials changed since this token was issued');
    }
    if (
      verified.sessionId !== undefined &&
      !(await this.accounts.isFamilyActive(verified.sessionId))
    ) {
      throw new TokenError('auth_failed', 'this session has ended');
    }
    return {
      user: { id: user.id, name: user.display_name },
      kind: 'user',
      login: user.username ?? undefined,
      sessionId: verified.sessionId,
      expiresAt: verified.expiresAt,
    };
  }
}
