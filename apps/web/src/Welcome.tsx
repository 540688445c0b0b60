import { limits } from '@hubbub/protocol';
import { guestToken, HubbubError, login, registerAccount } from '@hubbub/sdk';
import { type FormEvent, useState } from 'react';
import { toast } from 'sonner';
import type { Session } from './session.js';

type Mode = 'login' | 'register' | 'guest';

const input =
  'w-full rounded-lg border border-slate-700 bg-slate-900 px-3 py-2 text-slate-100 placeholder:text-slate-500 focus:outline-none focus:ring-2 focus:ring-sky-500';

/** Sign up, log in, or join as a guest. */
export function Welcome({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [mode, setMode] = useState<Mode>('login');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const origin = window.location.origin;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    try {
      if (mode === 'guest')
        onSignedIn({ kind: 'guest', guest: await guestToken(origin, username) });
      else if (mode === 'login')
        onSignedIn({ kind: 'account', session: await login(origin, username, password) });
      else
        onSignedIn({
          kind: 'account',
          session: await registerAccount(origin, { username, password }),
        });
    } catch (error) {
      toast.error(error instanceof HubbubError ? error.message : 'Could not reach the server.');
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="mx-auto flex min-h-full max-w-sm flex-col justify-center gap-6 p-6">
      <h1 className="text-center text-3xl font-bold tracking-tight">Hubbub</h1>
      <p className="text-center text-slate-400">Chat with the crowd, live.</p>
      <div
        role="tablist"
        aria-label="How to sign in"
        className="grid grid-cols-3 gap-1 rounded-lg bg-slate-900 p-1"
      >
        {(['login', 'register', 'guest'] as const).map((m) => (
          <button
            key={m}
            type="button"
            role="tab"
            aria-selected={mode === m}
            onClick={() => setMode(m)}
            className={`rounded-md px-2 py-1.5 text-sm ${mode === m ? 'bg-sky-700 text-white' : 'text-slate-300 hover:bg-slate-800'}`}
          >
            {m === 'login' ? 'Log in' : m === 'register' ? 'Sign up' : 'Guest'}
          </button>
        ))}
      </div>
      <form onSubmit={submit} className="flex flex-col gap-3">
        <label className="flex flex-col gap-1 text-sm">
          {mode === 'guest' ? 'Display name' : 'Username'}
          <input
            className={input}
            name="username"
            autoComplete="username"
            required
            maxLength={mode === 'guest' ? limits.usernameMaxChars : 32}
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </label>
        {mode !== 'guest' && (
          <label className="flex flex-col gap-1 text-sm">
            Password
            <input
              className={input}
              name="password"
              type="password"
              autoComplete={mode === 'login' ? 'current-password' : 'new-password'}
              required
              minLength={mode === 'register' ? limits.passwordMinChars : 1}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </label>
        )}
        <button
          type="submit"
          disabled={busy}
          className="rounded-lg bg-sky-700 px-3 py-2 font-semibold text-white hover:bg-sky-600 disabled:opacity-50"
        >
          {mode === 'login' ? 'Log in' : mode === 'register' ? 'Create account' : 'Join as guest'}
        </button>
      </form>
    </main>
  );
}
