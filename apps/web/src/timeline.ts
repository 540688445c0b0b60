import type { Attachment, ChatMessage } from '@hubbub/protocol';

/** One line of a room's timeline: a stored message, or one of ours still on its way. */
export type Entry =
  | { kind: 'message'; key: string; message: ChatMessage }
  | {
      kind: 'pending';
      key: string;
      cid: string;
      content: string;
      user: { id: string; name: string };
      /** The seq it answers, if it is a reply. */
      replyTo?: number | undefined;
      attachments?: Attachment[] | undefined;
      /** Set once the server acknowledged it: the id its message will arrive with. */
      ackedId: string | undefined;
      failed: string | undefined;
    };

export interface Timeline {
  /** Stored messages by seq, ascending, each seq once. */
  messages: ChatMessage[];
  /** Our unacknowledged sends, in the order they were made. */
  pending: Array<Extract<Entry, { kind: 'pending' }>>;
}

export const emptyTimeline: Timeline = { messages: [], pending: [] };

/**
 * Adds messages (live, replayed or from history pages, in any order) keeping one entry per
 * seq in ascending order. A later copy of the same seq (a tombstone) replaces the earlier.
 * Live traffic, the common case, only appends: that path copies once and sorts nothing, so
 * a room with ten thousand messages takes a busy batch as cheaply as a quiet one.
 */
export function mergeMessages(timeline: Timeline, incoming: readonly ChatMessage[]): Timeline {
  if (incoming.length === 0) return timeline;
  const messages = appendsInOrder(timeline.messages, incoming)
    ? timeline.messages.concat(incoming)
    : mergeBySeq(timeline.messages, incoming);
  if (timeline.pending.length === 0) return { messages, pending: timeline.pending };
  // A pending send whose message has arrived is no longer pending.
  const arrived = new Set(incoming.map((m) => m.id));
  return {
    messages,
    pending: timeline.pending.filter((p) => p.ackedId === undefined || !arrived.has(p.ackedId)),
  };
}

function appendsInOrder(messages: readonly ChatMessage[], incoming: readonly ChatMessage[]) {
  let previous = messages.at(-1)?.seq ?? 0;
  for (const message of incoming) {
    if (message.seq <= previous) return false;
    previous = message.seq;
  }
  return true;
}

function mergeBySeq(messages: readonly ChatMessage[], incoming: readonly ChatMessage[]) {
  const bySeq = new Map(messages.map((m) => [m.seq, m]));
  for (const message of incoming) bySeq.set(message.seq, message);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

export function addPending(
  timeline: Timeline,
  entry: {
    cid: string;
    content: string;
    user: { id: string; name: string };
    replyTo?: number | undefined;
    attachments?: Attachment[] | undefined;
  },
): Timeline {
  return {
    ...timeline,
    pending: [
      ...timeline.pending,
      { kind: 'pending', key: `p:${entry.cid}`, ackedId: undefined, failed: undefined, ...entry },
    ],
  };
}

/**
 * The server acknowledged `cid` as message `messageId`: the line turns solid, and goes away
 * as soon as the message itself is in the timeline (it may already be).
 */
export function settlePending(timeline: Timeline, cid: string, messageId: string): Timeline {
  if (timeline.messages.some((m) => m.id === messageId)) {
    return { ...timeline, pending: timeline.pending.filter((p) => p.cid !== cid) };
  }
  return {
    ...timeline,
    pending: timeline.pending.map((p) =>
      p.cid === cid ? { ...p, ackedId: messageId, failed: undefined } : p,
    ),
  };
}

export function failPending(timeline: Timeline, cid: string, reason: string): Timeline {
  return {
    ...timeline,
    pending: timeline.pending.map((p) => (p.cid === cid ? { ...p, failed: reason } : p)),
  };
}

export function dropPending(timeline: Timeline, cid: string): Timeline {
  return { ...timeline, pending: timeline.pending.filter((p) => p.cid !== cid) };
}

/** What the list renders: stored messages, then our pending ones. */
export function entries(timeline: Timeline): Entry[] {
  return [
    ...timeline.messages.map((message) => ({
      kind: 'message' as const,
      key: `m:${message.seq}`,
      message,
    })),
    ...timeline.pending,
  ];
}

/** The message with `seq` among messages sorted by seq (a binary search), if present. */
export function findBySeq(messages: readonly ChatMessage[], seq: number): ChatMessage | undefined {
  let low = 0;
  let high = messages.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const found = messages[middle]!;
    if (found.seq === seq) return found;
    if (found.seq < seq) low = middle + 1;
    else high = middle - 1;
  }
  return undefined;
}

/** How a row of the timeline is drawn beside its neighbours. */
export interface RowLayout {
  /** Set on the first row of a day: the day divider's words ("Today", "Monday 30 November"). */
  day: string | undefined;
  /** The same author as the row above, moments later: drawn without name and time. */
  continued: boolean;
}

/** Messages of one author within this long of each other are drawn as one group. */
export const groupWithinMs = 5 * 60_000;

const dayKey = (date: Date) => `${date.getFullYear()}-${date.getMonth()}-${date.getDate()}`;

/** "Today", "Yesterday", or the date, with the year only when it is not this one. */
export function dayLabel(date: Date, now: Date): string {
  if (dayKey(date) === dayKey(now)) return 'Today';
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (dayKey(date) === dayKey(yesterday)) return 'Yesterday';
  return date.toLocaleDateString(undefined, {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    ...(date.getFullYear() === now.getFullYear() ? {} : { year: 'numeric' }),
  });
}

/**
 * The day divider and author group of `rows[index]`, from it and the row above alone (so a
 * virtualized list works out only the rows it renders), in local time. A row continues the
 * group above when the same person wrote both within `groupWithinMs` on the same day and it
 * is not a reply (a reply shows what it answers, under its author's name). Pending sends
 * are "now".
 */
export function layoutRow(
  rows: readonly Entry[],
  index: number,
  now: Date = new Date(),
): RowLayout {
  const row = rows[index];
  if (row === undefined) return { day: undefined, continued: false };
  const here = placeOf(row, now);
  const above = index > 0 ? rows[index - 1] : undefined;
  const previous = above === undefined ? undefined : placeOf(above, now);
  const sameDay = previous !== undefined && previous.day === here.day;
  return {
    day: sameDay ? undefined : dayLabel(new Date(here.at), now),
    continued:
      sameDay &&
      previous.user === here.user &&
      !here.reply &&
      here.at - previous.at < groupWithinMs,
  };
}

function placeOf(row: Entry, now: Date) {
  const at = row.kind === 'message' ? Date.parse(row.message.ts) : now.getTime();
  return {
    user: row.kind === 'message' ? row.message.user.id : row.user.id,
    at,
    day: dayKey(new Date(at)),
    reply: (row.kind === 'message' ? row.message.replyTo : row.replyTo) !== undefined,
  };
}
