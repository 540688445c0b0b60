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
 * - every word must match (case-insensitive, accents significant; the last word also as
 *   a prefix of `minPrefix` characters or more, for search-as-you-type); punctuation in
 *   the query is never query syntax;
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

/** How a word is written for matching: lowercased; accents stay (neither engine folds them). */
const fold = (word: string) => word.toLowerCase();

/**
 * A message's text cut into parts, the words the query matched marked: a word equal to a
 * term, or starting with the last one (the prefix the engines matched). Done here rather
 * than by each engine's highlighter, so both mark alike, only for the page of hits, and
 * nothing in a message can pass for a mark.
 */
export function markTerms(content: string, terms: readonly string[]): SearchHit['parts'] {
  const whole = new Set(terms.map(fold));
  const prefix = terms.at(-1);
  const parts: SearchHit['parts'] = [];
  let at = 0;
  for (const word of content.matchAll(/[\p{L}\p{N}\p{M}]+/gu)) {
    const text = fold(word[0]);
    const matched =
      whole.has(text) ||
      (prefix !== undefined && prefix.length >= minPrefix && text.startsWith(prefix));
    if (!matched) continue;
    if (word.index > at) parts.push({ text: content.slice(at, word.index) });
    parts.push({ text: word[0], match: true });
    at = word.index + word[0].length;
  }
  if (at < content.length) parts.push({ text: content.slice(at) });
  return parts;
}

/**
 * The last word matches as a prefix only from this many characters: a one-letter prefix
 * would match most of the history, and costs the engine as much.
 */
export const minPrefix = 2;
