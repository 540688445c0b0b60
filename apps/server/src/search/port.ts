import type { ChatMessage, RoomId } from '@hubbub/protocol';

/** A message that matched, its text cut into runs with the matching words marked. */
export interface SearchHit {
  message: ChatMessage;
  parts: Array<{ text: string; match?: true }>;
}

export interface SearchQuery {
  /** What the person typed; see `searchTerms` for what counts as a word. */
  text: string;
  /** The rooms to look in; the caller has checked that the person may read every one. */
  rooms: readonly RoomId[];
  /** Only messages older than this message id (the last hit of the previous page). */
  before?: string | undefined;
  limit: number;
}

/**
 * Full-text search over stored messages, by each engine's own index (SQLite FTS5,
 * PostgreSQL tsvector + GIN). Promises, checked by the contract suite on both:
 * - every word must match (case-insensitive; the last word also as a prefix, for
 *   search-as-you-type); punctuation in the query is never query syntax;
 * - only messages of `rooms`, never deleted ones, and only their current (edited) text;
 * - newest first, `limit` at most, `before` pages back without repeats or gaps;
 * - `parts` joined give the message's content, with the matching words marked.
 */
export interface MessageSearch {
  search(query: SearchQuery): Promise<SearchHit[]>;
}

/** At most this many words of a query are used. */
const maxTerms = 8;

/**
 * The words of a query: runs of letters, digits and marks, lowercased. Both engines
 * build their query from these, so neither ever parses what the person typed.
 */
export function searchTerms(text: string): string[] {
  return [...text.toLowerCase().matchAll(/[\p{L}\p{N}\p{M}]+/gu)]
    .map((m) => m[0])
    .slice(0, maxTerms);
}

/** Marks are control characters a message cannot usefully hold; they delimit matches. */
export const MARK_START = '\u0002';
export const MARK_END = '\u0003';

/** Cuts an engine's marked-up text (`\u0002word\u0003`) into parts. */
export function markedParts(marked: string): SearchHit['parts'] {
  const parts: SearchHit['parts'] = [];
  for (const [i, piece] of marked.split(MARK_START).entries()) {
    if (i === 0) {
      if (piece !== '') parts.push({ text: piece });
      continue;
    }
    const end = piece.indexOf(MARK_END);
    const hit = end === -1 ? piece : piece.slice(0, end);
    const rest = end === -1 ? '' : piece.slice(end + 1);
    if (hit !== '') parts.push({ text: hit, match: true });
    if (rest !== '') parts.push({ text: rest });
  }
  return parts;
}
