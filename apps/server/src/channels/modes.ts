import { createHash } from 'node:crypto';
import { limits, type RoomModes } from '@hubbub/protocol';

import type { Selectable } from 'kysely';
import type { RoomModesTable } from './schema.js';

export function modesOf(row: Selectable<RoomModesTable>): RoomModes {
  return {
    slowModeSeconds: Number(row.slow_mode_seconds),
    membersOnly: Number(row.members_only) === 1,
    emoteOnly: Number(row.emote_only) === 1,
    uniqueChatSeconds: Number(row.unique_chat_seconds),
    delaySeconds: Number(row.delay_seconds),
  };
}

export const anyModeOn = (modes: RoomModes): boolean =>
  modes.slowModeSeconds > 0 ||
  modes.membersOnly ||
  modes.emoteOnly ||
  modes.uniqueChatSeconds > 0 ||
  modes.delaySeconds > 0;

/**
 * The part of a message unique-chat compares: case, spacing and Unicode forms aside, so
 * "GOAL!!" and "goal!! " are the same message. Hashed: a window holds thousands.
 */
export function fingerprint(content: string): string {
  // Invisible format characters (zero-width spaces, joiners) would make a copy look new.
  const plain = content
    .normalize('NFKC')
    .replace(/\p{Cf}/gu, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
  return createHash('sha256').update(plain).digest('base64url').slice(0, 22);
}

/** Who last said a message: the user, and the cid when this node cleared the send itself. */
export interface Said {
  at: number;
  user: string;
  cid?: string | undefined;
}

/**
 * A room's recent messages, by fingerprint, for unique-chat: what was said in the last
 * `windowMs`, the newest `limits.uniqueChatMaxRemembered` at most. Fed with every message
 * the node sees in the room (from any node, over the bus) and with each send it clears.
 */
export class RecentMessages {
  /** Fingerprint → who said it last; in the order said (a repeat moves to the end). */
  private readonly said = new Map<string, Said>();

  /** Who said `print` within the window ending at `now`, if anyone did. */
  seen(print: string, now: number, windowMs: number): Said | undefined {
    const said = this.said.get(print);
    return said !== undefined && now - said.at < windowMs ? said : undefined;
  }

  record(print: string, said: Said, windowMs: number): void {
    const known = this.said.get(print);
    // The bus brings back a send this node cleared: keep its cid, so a resend is known.
    const entry =
      known !== undefined && known.user === said.user && said.cid === undefined
        ? { ...known, at: said.at }
        : said;
    this.said.delete(print);
    this.said.set(print, entry);
    for (const [oldest, { at }] of this.said) {
      if (this.said.size <= limits.uniqueChatMaxRemembered && said.at - at < windowMs) break;
      this.said.delete(oldest);
    }
  }

  /** Takes back a record made at `at` (a send that did not happen). */
  forget(print: string, at: number): void {
    if (this.said.get(print)?.at === at) this.said.delete(print);
  }

  clear(): void {
    this.said.clear();
  }
}
