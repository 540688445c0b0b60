import { dictionary } from '@zxcvbn-ts/language-common';

/**
 * The ~49,000 passwords seen most often in breach corpora, as zxcvbn-ts ships them (its
 * `passwords-common` list, lower-case), held in memory once: NIST SP 800-63B (5.1.1.2)
 * asks that new passwords be checked against such a list, since an attacker tries them
 * first. Offline: nothing is fetched at run time.
 */
let common: ReadonlySet<string> | undefined;

/**
 * Why `password` may not be chosen, or undefined if it may: it is on the list (case
 * aside), or it is the login itself.
 */
export function weakPasswordReason(password: string, username?: string): string | undefined {
  common ??= new Set(dictionary['passwords-common']);
  const folded = password.toLowerCase();
  if (common.has(folded))
    return 'this password is on a list of commonly used passwords, which attackers try first: choose another';
  if (username !== undefined && folded === username.toLowerCase())
    return 'the password cannot be the username: choose another';
  return undefined;
}
