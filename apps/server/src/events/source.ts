import type { EventClassification } from '@hubbub/protocol';
import type { SourceStatus } from './schema.js';

/** An event as a source lists it, mapped to the catalog's fields. Times are ms. */
export interface SourceEvent {
  /** The source's own id, unique within the source. */
  sourceId: string;
  name: string;
  classification: EventClassification;
  venue: string | null;
  city: string | null;
  country: string | null;
  latitude: number | null;
  longitude: number | null;
  startsAt: number;
  endsAt: number;
  /** The source gave no end: `endsAt` is `defaultLength` of the kind after the start. */
  endEstimated: boolean;
  image: string | null;
  ticketUrl: string | null;
  status: SourceStatus;
}

/**
 * Where the catalog's events come from: Ticketmaster's Discovery API, or the bundled demo
 * schedule. Promises, checked for both by the contract suite (contract.ts):
 * - `current` lists at most `max` events, most relevant first, each source id once, each
 *   ending after it starts; which window it covers is the source's own (Ticketmaster: what
 *   starts in the next 24 hours; the demo: its schedule around `now`);
 * - `search` lists at most `max` events whose name, venue or city holds every word of
 *   `keyword`, most relevant first, none that ended before `now`;
 * - a source that cannot answer (unreachable, refused, out of quota, or `signal` aborted)
 *   rejects with a `SourceError`; it never answers a partial listing as if it were whole.
 */
export interface EventSource {
  readonly name: string;
  current(now: number, max: number, signal?: AbortSignal): Promise<SourceEvent[]>;
  search(keyword: string, now: number, max: number, signal?: AbortSignal): Promise<SourceEvent[]>;
}

/** Why a source could not answer; `retryAt` (ms) when it said when to ask again. */
export class SourceError extends Error {
  constructor(
    readonly kind: 'invalid_key' | 'rate_limited' | 'quota_exhausted' | 'unavailable' | 'bad_reply',
    message: string,
    readonly retryAt?: number,
  ) {
    super(message);
    this.name = 'SourceError';
  }
}

/** How long an event of each kind usually lasts, for sources that give no end time. */
export const defaultLength: Record<EventClassification, number> = {
  music: 3 * 3600_000,
  sports: 3 * 3600_000,
  arts: 2.5 * 3600_000,
  film: 2.5 * 3600_000,
  family: 2 * 3600_000,
  comedy: 2 * 3600_000,
  other: 3 * 3600_000,
};

/** Lowercased, accents removed: how names are indexed and queries matched. */
export function foldText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
}

/** The words of a query, folded: runs of letters and digits. */
export function queryWords(text: string, max = 8): string[] {
  return [...foldText(text).matchAll(/[\p{L}\p{N}]+/gu)].map((m) => m[0]).slice(0, max);
}
