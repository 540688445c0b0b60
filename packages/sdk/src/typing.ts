import { limits, type RoomId, type TypingNotice, type UserRef } from '@hubbub/protocol';

/**
 * Who is typing in one room, for showing it: a notice lasts `limits.typingTtlMs` unless
 * renewed, and a person's message ends theirs at once. Time is passed in, so a UI can tick
 * it on its own clock and a test on a fake one.
 */
export class TypingRoster {
  private readonly until = new Map<string, { user: UserRef; until: number }>();

  constructor(
    readonly room: RoomId,
    private readonly ttlMs: number = limits.typingTtlMs,
  ) {}

  /** A `typing` notice arrived. Returns whether it is for this room. */
  noticed(notice: TypingNotice, now: number): boolean {
    if (notice.room !== this.room) return false;
    this.until.set(notice.user.id, { user: notice.user, until: now + this.ttlMs });
    return true;
  }

  /** The person sent a message: they are done typing. Returns whether they were shown. */
  spoke(userId: string): boolean {
    return this.until.delete(userId);
  }

  /** Who is typing at `now`, longest typing first; expired entries are dropped. */
  typing(now: number): UserRef[] {
    const users: UserRef[] = [];
    for (const [id, entry] of this.until) {
      if (entry.until <= now) this.until.delete(id);
      else users.push(entry.user);
    }
    return users;
  }

  /** When the next entry expires, for scheduling a re-render; undefined when no one types. */
  nextExpiry(): number | undefined {
    let next: number | undefined;
    for (const { until } of this.until.values())
      if (next === undefined || until < next) next = until;
    return next;
  }
}

/** "Alice is typing…", "Alice and Bob are typing…", "Several people are typing…". */
export function describeTyping(users: readonly UserRef[]): string | undefined {
  const [first, second] = users;
  if (first === undefined) return undefined;
  if (second === undefined) return `${first.name} is typing…`;
  if (users.length === 2) return `${first.name} and ${second.name} are typing…`;
  return 'Several people are typing…';
}
