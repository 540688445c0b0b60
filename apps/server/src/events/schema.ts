import type { EventClassification } from '@hubbub/protocol';
import type { Generated } from 'kysely';

/** The tables of the live-events feature. Times are ms since the epoch. */
export interface EventTables {
  events: EventsTable;
}

/** What a source says of an event's state; `live` and `ended` follow from the times. */
export type SourceStatus = 'scheduled' | 'cancelled' | 'postponed';

/** One event of the catalog, as a source listed it; one row per (source, source_id). */
export interface EventsTable {
  /** Ours (a UUIDv7), stable across re-ingests; the room is `event:<id>`. */
  id: string;
  source: string;
  source_id: string;
  name: string;
  classification: EventClassification;
  venue: string | null;
  city: string | null;
  country: string | null;
  latitude: number | null;
  longitude: number | null;
  starts_at: number;
  ends_at: number;
  /** 1 when the source gave no end time and `ends_at` is a default length for the kind. */
  end_estimated: number;
  image_url: string | null;
  ticket_url: string | null;
  /** Position in the source's last listing by relevance, 1 first. */
  rank: number;
  status: SourceStatus;
  /**
   * Name, venue and city lowercased with accents removed: what full-text search indexes
   * on both engines, so both fold "Beyoncé" and "beyonce" alike.
   */
  search_text: string;
  /** When its room was told it started, and that it ended (each said once). */
  announced_start_at: Generated<number | null>;
  announced_end_at: Generated<number | null>;
  /** When the catalog first stored it: the snapshot of a listing excludes what came later. */
  created_at: number;
  updated_at: number;
}
