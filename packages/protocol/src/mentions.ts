import { limits } from './limits.js';

/**
 * `@login` in a message's text, where a login is an account's username (3-32 of a-z 0-9 _ . -).
 * The `@` must not follow a word character, so an e-mail address is not a mention, and a
 * sentence's final dot is not part of the name. One parser for the server (who is notified)
 * and clients (what is highlighted), so both always agree.
 */
const mention = /(?<![\w@.-])@([a-z0-9_.-]{3,32})(?![a-z0-9_-])/gi;

/** The logins a message mentions, lowercased, each once, in order, at most `limits.mentionsPerMessage`. */
export function mentionedLogins(content: string): string[] {
  // Every message sent passes here on the server: most have no `@` at all.
  if (!content.includes('@')) return [];
  const found = new Set<string>();
  for (const match of content.matchAll(mention)) {
    const login = (match[1] ?? '').replace(/\.+$/, '').toLowerCase();
    if (login.length >= 3) found.add(login);
    if (found.size === limits.mentionsPerMessage) break;
  }
  return [...found];
}

/** A message's text cut into plain runs and `@login` mentions, for rendering. */
export function splitMentions(content: string): Array<{ text: string; login?: string }> {
  const parts: Array<{ text: string; login?: string }> = [];
  let at = 0;
  for (const match of content.matchAll(mention)) {
    const login = (match[1] ?? '').replace(/\.+$/, '');
    if (login.length < 3) continue;
    const start = match.index;
    if (start > at) parts.push({ text: content.slice(at, start) });
    parts.push({ text: `@${login}`, login: login.toLowerCase() });
    at = start + 1 + login.length;
  }
  if (at < content.length) parts.push({ text: content.slice(at) });
  return parts;
}
