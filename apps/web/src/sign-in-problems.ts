import { GuestRequest, LoginRequest, RegisterRequest } from '@hubbub/protocol';
import { HubbubError } from '@hubbub/sdk';
import type { z } from 'zod';

/** The welcome screen's ways in. */
export type Mode = 'login' | 'register' | 'guest';

/** The form's fields, in the order they are on screen (`username` is the display name for guests). */
export const fields = ['username', 'password'] as const;
export type Field = (typeof fields)[number];

/** What stops a sign-in, in plain words: at the field it concerns, or about the whole try. */
export interface Problems {
  fields: Partial<Record<Field, string>>;
  /** Not about a field: too many tries, no connection, guests turned away. */
  form?: string | undefined;
}

export const noProblems: Problems = { fields: {} };

/** The server does not say which of the two was wrong, so neither does this; it sits at the password. */
export const wrongCredentials = 'Wrong username or password.';

const schemas = { login: LoginRequest, register: RegisterRequest, guest: GuestRequest };

/**
 * What is wrong with the input before it is sent, by the same rules the server applies
 * (the protocol's schemas), worded for people rather than programs.
 */
export function checkInput(mode: Mode, username: string, password: string): Problems['fields'] {
  const body = mode === 'guest' ? { username } : { username, password };
  const parsed = schemas[mode].safeParse(body);
  if (parsed.success) return {};
  const found: Problems['fields'] = {};
  for (const issue of parsed.error.issues) {
    const field = issue.path[0];
    if (field !== 'username' && field !== 'password') continue;
    const value = field === 'username' ? username : password;
    found[field] ??= wordsFor(mode, field, issue, value);
  }
  return found;
}

function wordsFor(mode: Mode, field: Field, issue: z.core.$ZodIssue, value: string): string {
  const empty = (field === 'username' ? value.trim() : value) === '';
  if (empty || (issue.code === 'too_small' && Number(issue.minimum) <= 1)) {
    if (mode === 'guest') return 'Enter a display name.';
    if (mode === 'register')
      return field === 'username' ? 'Choose a username.' : 'Choose a password.';
    return field === 'username' ? 'Enter your username.' : 'Enter your password.';
  }
  switch (issue.code) {
    case 'too_small':
      return `Use at least ${issue.minimum} characters.`;
    case 'too_big':
      return `Use at most ${issue.maximum} characters.`;
    case 'invalid_format':
      return 'Use letters, digits, dot, dash or underscore.';
    default:
      return sentence(issue.message);
  }
}

/** What a refusal from the server means for the form. */
export function problemsOf(mode: Mode, error: unknown): Problems {
  if (!(error instanceof HubbubError))
    return { fields: {}, form: 'Could not reach the server. Check your connection and try again.' };
  switch (error.code) {
    case 'username_taken':
      // Taken, or so like an account's name that it could pass for it.
      return mode === 'guest'
        ? { fields: { username: 'That is, or looks like, an account’s name. Choose another one.' } }
        : { fields: { username: 'That username is taken. Try another one.' } };
    case 'auth_failed':
      return { fields: { password: wrongCredentials } };
    case 'rate_limited':
      return { fields: {}, form: `Too many attempts. ${tryAgainIn(error.retryAfterMs)}` };
    case 'forbidden':
      return mode === 'guest'
        ? { fields: {}, form: 'This server does not take guests. Sign up or log in instead.' }
        : { fields: {}, form: sentence(error.message) };
    case 'unavailable':
    case 'shutting_down':
      return { fields: {}, form: 'The server is busy. Try again in a moment.' };
    case 'invalid_request':
      return fromValidation(error.message);
    default:
      return { fields: {}, form: `Could not sign in: ${error.message}.` };
  }
}

/**
 * The server's validation message (`username: …; password: …`, see parseOr400), each part at
 * its field. The form checks the same rules first, so this is for rules it does not know yet.
 */
function fromValidation(message: string): Problems {
  const problems: Problems = { fields: {} };
  for (const part of message.split('; ')) {
    const colon = part.indexOf(': ');
    const field = colon < 0 ? undefined : part.slice(0, colon);
    const words = sentence(colon < 0 ? part : part.slice(colon + 2));
    if (field === 'username' || field === 'password') problems.fields[field] ??= words;
    else problems.form ??= words;
  }
  return problems;
}

/** "Try again in 8 minutes." from a Retry-After. */
export function tryAgainIn(ms: number | undefined): string {
  if (ms === undefined) return 'Try again later.';
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (seconds < 60) return `Try again in ${plural(seconds, 'second')}.`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `Try again in ${plural(minutes, 'minute')}.`;
  return `Try again in ${plural(Math.ceil(minutes / 60), 'hour')}.`;
}

/** "username is at most 32 characters" as a sentence. */
function sentence(text: string): string {
  const trimmed = text.trim();
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}
