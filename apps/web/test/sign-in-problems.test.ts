import { HubbubError } from '@hubbub/sdk';
import { describe, expect, test } from 'vitest';
import { checkInput, problemsOf, tryAgainIn, wrongCredentials } from '../src/sign-in-problems.js';

describe('sign-in problems, in plain words', () => {
  test('the input is checked by the protocol rules, each problem at its field', () => {
    expect(checkInput('register', 'bad name!', 'short')).toEqual({
      username: 'Use letters, digits, dot, dash or underscore.',
      password: 'Use at least 8 characters.',
    });
    expect(checkInput('register', 'ab', '')).toEqual({
      username: 'Use at least 3 characters.',
      password: 'Choose a password.',
    });
    expect(checkInput('register', '  Ada.Lovelace ', 'correct horse')).toEqual({});
    expect(checkInput('login', '', '')).toEqual({
      username: 'Enter your username.',
      password: 'Enter your password.',
    });
    expect(checkInput('guest', '   ', '')).toEqual({ username: 'Enter a display name.' });
    expect(checkInput('guest', 'x'.repeat(51), '')).toEqual({
      username: 'Use at most 50 characters.',
    });
    // Names by the protocol's rules: nothing invisible or reordering, something to see.
    expect(checkInput('guest', 'ad\u200Bmin', '')).toEqual({
      username:
        'Names cannot contain control, formatting (bidi, zero-width) or invisible characters.',
    });
    expect(checkInput('guest', 'Ｚｏｅ', '')).toEqual({});
  });

  test("the server's refusals land at their field, or say what to do", () => {
    expect(problemsOf('register', new HubbubError('username_taken', 'taken'))).toEqual({
      fields: { username: 'That username is taken. Try another one.' },
    });
    expect(problemsOf('guest', new HubbubError('username_taken', 'taken')).fields.username).toMatch(
      /looks like, an account’s name/,
    );
    expect(
      problemsOf(
        'register',
        new HubbubError(
          'invalid_request',
          'password: this password is on a list of commonly used passwords, which attackers try first: choose another',
        ),
      ),
    ).toEqual({
      fields: {
        password:
          'This password is on a list of commonly used passwords, which attackers try first: choose another.',
      },
    });
    expect(problemsOf('login', new HubbubError('auth_failed', 'no'))).toEqual({
      fields: { password: wrongCredentials },
    });
    expect(problemsOf('login', new HubbubError('rate_limited', 'slow', 450_000))).toEqual({
      fields: {},
      form: 'Too many attempts. Try again in 8 minutes.',
    });
    expect(
      problemsOf(
        'register',
        new HubbubError('invalid_request', 'username: username is reserved; body: odd'),
      ),
    ).toEqual({ fields: { username: 'Username is reserved.' }, form: 'Odd.' });
    expect(problemsOf('guest', new HubbubError('forbidden', 'no guests')).form).toMatch(
      /does not take guests/,
    );
    expect(problemsOf('login', new TypeError('Failed to fetch')).form).toMatch(
      /Could not reach the server/,
    );
  });

  test('how long to wait, rounded up', () => {
    expect(tryAgainIn(undefined)).toBe('Try again later.');
    expect(tryAgainIn(1000)).toBe('Try again in 1 second.');
    expect(tryAgainIn(59_500)).toBe('Try again in 1 minute.');
    expect(tryAgainIn(45_000)).toBe('Try again in 45 seconds.');
    expect(tryAgainIn(61_000)).toBe('Try again in 2 minutes.');
    expect(tryAgainIn(2 * 3600_000)).toBe('Try again in 2 hours.');
  });
});
