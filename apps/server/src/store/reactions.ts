import { type ChatMessage, limits, type UserRef } from '@hubbub/protocol';
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

type Reactions = NonNullable<ChatMessage['reactions']>;

/**
 * Reactions are rows of (message, emoji, person); messages carry them summarized. Read in
 * one query for a page of messages, so history costs one more query, not one per message.
 */
export async function withReactions<T extends ChatMessage>(
  db: Kysely<Database>,
  messages: T[],
): Promise<T[]> {
  if (messages.length === 0) return messages;
  const rooms = [...new Set(messages.map((m) => m.room))];
  const seqs = [...new Set(messages.map((m) => m.seq))];
  const rows = await db
    .selectFrom('message_reactions')
    .select(['room_id', 'seq', 'emoji', 'user_id', 'user_name'])
    .where('room_id', 'in', rooms)
    .where('seq', 'in', seqs)
    .orderBy('created_at')
    .execute();
  if (rows.length === 0) return messages;
  const byMessage = new Map<string, Map<string, UserRef[]>>();
  for (const row of rows) {
    const key = `${row.room_id}\u0000${Number(row.seq)}`;
    let emojis = byMessage.get(key);
    if (emojis === undefined) {
      emojis = new Map();
      byMessage.set(key, emojis);
    }
    const users = emojis.get(row.emoji) ?? [];
    users.push({ id: row.user_id, name: row.user_name });
    emojis.set(row.emoji, users);
  }
  return messages.map((message) => {
    const emojis = byMessage.get(`${message.room}\u0000${message.seq}`);
    if (emojis === undefined || message.deleted === true) return message;
    const reactions: Reactions = [...emojis]
      .map(([emoji, users]) => ({
        emoji,
        count: users.length,
        users: users.slice(0, limits.reactionUsersListed),
      }))
      // Most used first; ties keep the order emoji were first used in.
      .sort((a, b) => b.count - a.count);
    return { ...message, reactions };
  });
}

/**
 * Adds or removes one person's reaction. Idempotent both ways. Returns false when adding
 * would give the message more than `limits.reactionsPerMessage` different emoji.
 */
export async function setReaction(
  db: Kysely<Database>,
  target: { room: string; seq: number },
  user: UserRef,
  emoji: string,
  on: boolean,
): Promise<boolean> {
  const ofMessage = db
    .selectFrom('message_reactions')
    .where('room_id', '=', target.room)
    .where('seq', '=', target.seq);
  if (!on) {
    await db
      .deleteFrom('message_reactions')
      .where('room_id', '=', target.room)
      .where('seq', '=', target.seq)
      .where('emoji', '=', emoji)
      .where('user_id', '=', user.id)
      .execute();
    return true;
  }
  const emojis = await ofMessage.select('emoji').distinct().execute();
  if (emojis.length >= limits.reactionsPerMessage && !emojis.some((r) => r.emoji === emoji))
    return false;
  await db
    .insertInto('message_reactions')
    .values({
      room_id: target.room,
      seq: target.seq,
      emoji,
      user_id: user.id,
      user_name: user.name,
      created_at: Date.now(),
    })
    .onConflict((oc) => oc.columns(['room_id', 'seq', 'emoji', 'user_id']).doNothing())
    .execute();
  return true;
}
