import { limits } from '@hubbub/protocol';
import { guestToken, HubbubError, login, registerAccount } from '@hubbub/sdk';
import { Link } from '@tanstack/react-router';
import { Radio } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { toast } from 'sonner';
import { Button } from './components/ui/button.js';
import { Input } from './components/ui/input.js';
import { Tabs, TabsContent, TabsList, TabsTrigger } from './components/ui/tabs.js';
import type { Session } from './session.js';

export type Mode = 'login' | 'register' | 'guest';

/** Sign up, log in, or join as a guest. */
export function Welcome({
  onSignedIn,
  initialMode = 'login',
}: {
  onSignedIn: (session: Session) => void;
  initialMode?: Mode;
}) {
  const [mode, setMode] = useState<Mode>(initialMode);
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
      <Tabs value={mode} onValueChange={(value) => setMode(value as Mode)}>
        <TabsList aria-label="How to sign in">
          <TabsTrigger value="login">Log in</TabsTrigger>
          <TabsTrigger value="register">Sign up</TabsTrigger>
          <TabsTrigger value="guest">Guest</TabsTrigger>
        </TabsList>
        <TabsContent value={mode} className="pt-6">
          <form onSubmit={submit} className="flex flex-col gap-3">
            <label className="flex flex-col gap-1 text-sm">
              {mode === 'guest' ? 'Display name' : 'Username'}
              <Input
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
                <Input
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
            <Button type="submit" disabled={busy}>
              {mode === 'login'
                ? 'Log in'
                : mode === 'register'
                  ? 'Create account'
                  : 'Join as guest'}
            </Button>
          </form>
        </TabsContent>
      </Tabs>
      <Link
        to="/events"
        className="inline-flex items-center justify-center gap-2 rounded-lg px-3 py-2 text-sm text-slate-300 hover:bg-slate-900 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-400"
      >
        <Radio aria-hidden className="size-4 text-red-400" /> See what is live now
      </Link>
    </main>
  );
}
