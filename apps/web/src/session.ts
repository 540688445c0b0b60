import type { SessionResponse, TokenResponse, UserRef } from '@hubbub/protocol';
import { guestToken, refreshSession } from '@hubbub/sdk';

/** Who is signed in on this device, kept in localStorage so a reload keeps the session. */
export type Session =
  | { kind: 'account'; session: SessionResponse }
  | { kind: 'guest'; guest: TokenResponse };

const KEY = 'hubbub.session';
/** Tokens are renewed this long before they expire, so no call races the expiry. */
const RENEW_BEFORE_MS = 60_000;

export function loadSession(): Session | undefined {
  try {
    const raw = localStorage.getItem(KEY);
    return raw === null ? undefined : (JSON.parse(raw) as Session);
  } catch {
    return undefined;
  }
}

export function saveSession(session: Session | undefined): void {
  if (session === undefined) localStorage.removeItem(KEY);
  else localStorage.setItem(KEY, JSON.stringify(session));
}

/** Calls `onChange` when another tab signs in or out (not when this one writes). */
export function onSessionChangedElsewhere(onChange: (next: Session | undefined) => void) {
  const listener = (event: StorageEvent) => {
    if (event.key === KEY || event.key === null) onChange(loadSession());
  };
  window.addEventListener('storage', listener);
  return () => window.removeEventListener('storage', listener);
}

export function userOf(session: Session): UserRef {
  return session.kind === 'account' ? session.session.user : session.guest.user;
}

/**
 * Who holds a session, stable across token renewals: an account keeps its id, and a renewed
 * guest token is a new guest under the same name.
 */
export function sessionHolder(session: Session): string {
  return session.kind === 'account' ? session.session.user.id : `guest:${session.guest.user.name}`;
}

/** The session's access token and when it runs out. */
function tokenOf(session: Session): { token: string; expiresAt: string } {
  return session.kind === 'account' ? session.session : session.guest;
}

/**
 * A token provider for the client and the REST calls. Every tab of the browser shares one
 * session in localStorage, and a refresh token can be spent only once (a second use revokes
 * the whole login), so renewals are serialized across tabs with a Web Lock, and a tab that
 * waited picks up the token the other tab just stored instead of spending the old one.
 */
export function tokenProvider(initial: Session, origin: string): () => Promise<string> {
  const stored = (): Session => {
    const session = loadSession();
    return session !== undefined && sessionHolder(session) === sessionHolder(initial)
      ? session
      : initial;
  };
  const fresh = (session: Session) =>
    Date.parse(tokenOf(session).expiresAt) - Date.now() > RENEW_BEFORE_MS;

  // A refusal is the server's HubbubError, passed on as it is: auth_failed (the login was
  // revoked or ran out) is final for the client, which then ends the session; anything else
  // (no network) is tried again.
  async function renew(): Promise<string> {
    const current = stored();
    if (fresh(current)) return tokenOf(current).token;
    const next: Session =
      current.kind === 'account'
        ? { kind: 'account', session: await refreshSession(origin, current.session.refreshToken) }
        : { kind: 'guest', guest: await guestToken(origin, current.guest.user.name) };
    saveSession(next);
    return tokenOf(next).token;
  }

  let renewing: Promise<string> | undefined;
  return async () => {
    const current = stored();
    if (fresh(current)) return tokenOf(current).token;
    if (renewing === undefined) {
      const locked = (async () =>
        'locks' in navigator ? await navigator.locks.request('hubbub.session', renew) : renew())();
      renewing = locked.finally(() => {
        renewing = undefined;
      });
    }
    return renewing;
  };
}
