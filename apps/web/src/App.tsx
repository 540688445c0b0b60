import { useCallback, useEffect, useState } from 'react';
import { toast } from 'sonner';
import { Chat } from './Chat.js';
import { eventIdOf } from './events/use-live-event.js';
import { chatRoute } from './router.js';
import {
  loadSession,
  onSessionChangedElsewhere,
  type Session,
  saveSession,
  sessionHolder,
} from './session.js';
import { Welcome } from './Welcome.js';

export function App() {
  const { room } = chatRoute.useSearch();
  const [session, setSession] = useState<Session | undefined>(loadSession);
  const signIn = (next: Session) => {
    saveSession(next);
    setSession(next);
  };
  const signOut = useCallback((reason?: string) => {
    saveSession(undefined);
    setSession(undefined);
    if (reason !== undefined) toast.info(reason);
  }, []);
  // Signing in or out in another tab does the same here; a refresh there is not a change.
  useEffect(
    () =>
      onSessionChangedElsewhere((next) =>
        setSession((current) =>
          next === undefined ||
          current === undefined ||
          sessionHolder(next) !== sessionHolder(current)
            ? next
            : current,
        ),
      ),
    [],
  );
  return session === undefined ? (
    // A link to an event's room is usually followed by someone who just wants in: as a guest.
    <Welcome
      onSignedIn={signIn}
      initialMode={room !== undefined && eventIdOf(room) !== undefined ? 'guest' : 'login'}
      room={room}
    />
  ) : (
    <Chat key={sessionHolder(session)} session={session} onSignOut={signOut} />
  );
}
