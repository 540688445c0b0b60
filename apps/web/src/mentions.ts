import { type ChatMessage, mentionedLogins } from '@hubbub/protocol';

/** Each message's mentioned logins, parsed once: messages are immutable objects. */
const parsed = new WeakMap<ChatMessage, readonly string[]>();

/**
 * Whether `message` `@mentions` `login`. The room list asks this of every unread message
 * on every change, so each message is parsed once, not once per render.
 */
export function mentionsLogin(message: ChatMessage, login: string | undefined): boolean {
  if (login === undefined) return false;
  let logins = parsed.get(message);
  if (logins === undefined) {
    logins = mentionedLogins(message.content);
    parsed.set(message, logins);
  }
  return logins.includes(login);
}
