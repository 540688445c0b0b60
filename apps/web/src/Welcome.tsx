import { limits, type RoomId } from '@hubbub/protocol';
import { guestToken, login, registerAccount } from '@hubbub/sdk';
import { Link } from '@tanstack/react-router';
import { CircleAlert, Radio } from 'lucide-react';
import { type ComponentProps, type FormEvent, type Ref, useId, useRef, useState } from 'react';
import { toast } from 'sonner';
import { Button } from './components/ui/button.js';
import { Input } from './components/ui/input.js';
import { Tabs, TabsContent, TabsList, TabsTrigger } from './components/ui/tabs.js';
import { EventInvite } from './events/EventInvite.js';
import { eventIdOf } from './events/use-live-event.js';
import type { Session } from './session.js';
import {
  checkInput,
  type Field,
  fields,
  type Mode,
  noProblems,
  type Problems,
  problemsOf,
  wrongCredentials,
} from './sign-in-problems.js';

export type { Mode } from './sign-in-problems.js';

/**
 * Sign up, log in, or join as a guest. What stops a try is said at the field it concerns
 * (marked invalid, focused), in plain words, and goes as soon as that field is edited. A
 * link to an event's room (`room`) shows which event one is about to join.
 */
export function Welcome({
  onSignedIn,
  initialMode = 'login',
  room,
}: {
  onSignedIn: (session: Session) => void;
  initialMode?: Mode;
  room?: RoomId | undefined;
}) {
  const [mode, setMode] = useState<Mode>(initialMode);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [problems, setProblems] = useState<Problems>(noProblems);
  const inputs = {
    username: useRef<HTMLInputElement>(null),
    password: useRef<HTMLInputElement>(null),
  };
  const origin = window.location.origin;

  /** Shows `next`, with the focus on the first field it finds fault with. */
  function show(next: Problems) {
    setProblems(next);
    const first = fields.find((field) => next.fields[field] !== undefined);
    if (first !== undefined) inputs[first].current?.focus();
  }

  /** An edit answers its field's problem (and a wrong pair, which is about both). */
  function edited(field: Field) {
    setProblems((current) => ({
      fields: Object.fromEntries(
        Object.entries(current.fields).filter(
          ([key, words]) => key !== field && words !== wrongCredentials,
        ),
      ),
    }));
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    const found = checkInput(mode, username, password);
    if (Object.keys(found).length > 0) return show({ fields: found });
    setBusy(true);
    try {
      const session: Session =
        mode === 'guest'
          ? { kind: 'guest', guest: await guestToken(origin, username) }
          : {
              kind: 'account',
              session:
                mode === 'login'
                  ? await login(origin, username, password)
                  : await registerAccount(origin, { username, password }),
            };
      // Whatever was said while signed out is over now.
      toast.dismiss();
      setProblems(noProblems);
      onSignedIn(session);
    } catch (error) {
      show(problemsOf(mode, error));
    } finally {
      setBusy(false);
    }
  }

  const registering = mode === 'register';
  return (
    <main className="mx-auto flex min-h-full max-w-sm flex-col justify-center gap-6 p-6">
      <h1 className="text-center text-3xl font-bold tracking-tight">Hubbub</h1>
      <p className="text-center text-slate-400">Chat with the crowd, live.</p>
      {room !== undefined && eventIdOf(room) !== undefined && <EventInvite room={room} />}
      <Tabs
        value={mode}
        onValueChange={(value) => {
          setMode(value as Mode);
          setProblems(noProblems);
        }}
      >
        <TabsList aria-label="How to sign in">
          <TabsTrigger value="login">Log in</TabsTrigger>
          <TabsTrigger value="register">Sign up</TabsTrigger>
          <TabsTrigger value="guest">Guest</TabsTrigger>
        </TabsList>
        <TabsContent value={mode} className="pt-6">
          <form onSubmit={submit} noValidate className="flex flex-col gap-3">
            <TextField
              label={mode === 'guest' ? 'Display name' : 'Username'}
              hint={registering ? '3 to 32 letters, digits, dot, dash or underscore.' : undefined}
              problem={problems.fields.username}
              inputRef={inputs.username}
              name="username"
              autoComplete={mode === 'guest' ? 'nickname' : 'username'}
              autoCapitalize="none"
              spellCheck={false}
              required
              maxLength={mode === 'guest' ? limits.usernameMaxChars : 32}
              value={username}
              onChange={(e) => {
                setUsername(e.target.value);
                edited('username');
              }}
            />
            {mode !== 'guest' && (
              <TextField
                label="Password"
                hint={registering ? `At least ${limits.passwordMinChars} characters.` : undefined}
                problem={problems.fields.password}
                inputRef={inputs.password}
                name="password"
                type="password"
                autoComplete={registering ? 'new-password' : 'current-password'}
                required
                maxLength={limits.passwordMaxChars}
                value={password}
                onChange={(e) => {
                  setPassword(e.target.value);
                  edited('password');
                }}
              />
            )}
            {/* Not disabled while busy: a disabled button would drop the focus. */}
            <Button type="submit" aria-disabled={busy || undefined}>
              {mode === 'login'
                ? 'Log in'
                : mode === 'register'
                  ? 'Create account'
                  : 'Join as guest'}
            </Button>
            {problems.form !== undefined && (
              <p
                role="alert"
                className="flex items-start gap-2 rounded-lg border border-rose-800 bg-rose-950/50 p-3 text-sm text-rose-100"
              >
                <CircleAlert aria-hidden className="mt-0.5 size-4 shrink-0 text-rose-300" />
                {problems.form}
              </p>
            )}
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

/** A labelled input with its hint and, when there is one, its problem, both as its description. */
function TextField({
  label,
  hint,
  problem,
  inputRef,
  ...input
}: ComponentProps<'input'> & {
  label: string;
  hint: string | undefined;
  problem: string | undefined;
  inputRef: Ref<HTMLInputElement>;
}) {
  const id = useId();
  const described = [problem !== undefined && `${id}-problem`, hint !== undefined && `${id}-hint`]
    .filter((part) => part !== false)
    .join(' ');
  return (
    <div className="flex flex-col gap-1 text-sm">
      <label htmlFor={id}>{label}</label>
      <Input
        {...input}
        id={id}
        ref={inputRef}
        aria-invalid={problem !== undefined || undefined}
        aria-describedby={described === '' ? undefined : described}
        className={problem === undefined ? undefined : 'border-rose-500 focus:ring-rose-400'}
      />
      {problem !== undefined && (
        <p id={`${id}-problem`} className="flex items-start gap-1.5 text-rose-300">
          <CircleAlert aria-hidden className="mt-0.5 size-4 shrink-0" />
          {problem}
        </p>
      )}
      {hint !== undefined && (
        <p id={`${id}-hint`} className="text-xs text-slate-400">
          {hint}
        </p>
      )}
    </div>
  );
}
