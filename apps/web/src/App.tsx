import { useState } from 'react';
import { Chat } from './Chat.js';
import { loadSession, type Session, saveSession } from './session.js';
import { Welcome } from './Welcome.js';

export function App() {
  const [session, setSession] = useState<Session | undefined>(loadSession);
  const signIn = (next: Session) => {
    saveSession(next);
    setSession(next);
  };
  const signOut = () => {
    saveSession(undefined);
    setSession(undefined);
  };
  return session === undefined ? (
    <Welcome onSignedIn={signIn} />
  ) : (
    <Chat session={session} onSignOut={signOut} />
  );
}
