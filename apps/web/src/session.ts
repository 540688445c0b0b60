import type { SessionResponse, TokenResponse, UserRef } from '@hubbub/protocol';
import { guestToken, sessionTokenProvider } from '@hubbub/sdk';

/** Who is signed in on this device, kept in localStorage so a reload keeps the session. */
export type Session =
  | { kind: 'account'; session: SessionResponse }
  | { kind: 'guest'; guest: TokenResponse };

const KEY = 'hubbub.session';

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

export function userOf(session: Session): UserRef {
  return session.kind === 'account' ? session.session.user : session.guest.user;
}

/**
 * A token provider for the client: accounts refresh (rotating and saving the refresh
 * token); guests get a new guest token under the same name when theirs runs out.
 */
export function tokenProvider(session: Session, origin: string): () => Promise<string> {
  if (session.kind === 'account') {
    return sessionTokenProvider(origin, session.session, (next) =>
      saveSession({ kind: 'account', session: next }),
    );
  }
  let current = session.guest;
  return async () => {
    if (Date.parse(current.expiresAt) - Date.now() > 60_000) return current.token;
    current = await guestToken(origin, current.user.name);
    saveSession({ kind: 'guest', guest: current });
    return current.token;
  };
}

/** The current access token for REST calls. */
export async function bearer(provider: () => Promise<string>): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await provider()}` };
}
