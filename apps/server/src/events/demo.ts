import type { EventClassification } from '@hubbub/protocol';
import {
  acts,
  comedians,
  families,
  films,
  shows,
  sports,
  type Venue,
  venues,
} from './demo-catalog.js';
import { type EventSource, foldText, queryWords, type SourceEvent } from './source.js';

const hour = 3600_000;

/** A small seeded generator (mulberry32): the same hour always yields the same events. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const pick = <T>(rand: () => number, list: readonly T[]): T =>
  list[Math.floor(rand() * list.length)] as T;

/** One formatter per zone: making one costs far more than using it. */
const hourFormats = new Map<string, Intl.DateTimeFormat>();

/** The venue's local hour at an instant. */
function localHour(venue: Venue, at: number): number {
  let format = hourFormats.get(venue.timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-GB', {
      timeZone: venue.timeZone,
      hour: '2-digit',
      hourCycle: 'h23',
    });
    hourFormats.set(venue.timeZone, format);
  }
  return Number(format.format(at));
}

/** What is on, by share of the schedule. */
const mix: Array<[EventClassification, number]> = [
  ['music', 0.4],
  ['sports', 0.3],
  ['arts', 0.14],
  ['comedy', 0.08],
  ['family', 0.05],
  ['film', 0.03],
];

function kindOf(r: number): EventClassification {
  let sum = 0;
  for (const [kind, share] of mix) {
    sum += share;
    if (r < sum) return kind;
  }
  return 'music';
}

/** The events starting in one hour (ms since the epoch / hour), 1-6 of them. */
function hourOf(index: number): Array<SourceEvent & { popularity: number }> {
  const rand = random(index * 2654435761);
  const count = 1 + Math.floor(rand() * 6);
  const events: Array<SourceEvent & { popularity: number }> = [];
  for (let i = 0; i < count; i++) {
    const kind = kindOf(rand());
    const startsAt = index * hour + pick(rand, [0, 15, 30, 45]) * 60_000;
    // Shows start in the afternoon or evening where they are.
    const fitting = venues.filter((v) => {
      const h = localHour(v, startsAt);
      return v.hosts.includes(kind) && h >= 12 && h <= 21;
    });
    const popularity = rand();
    if (fitting.length === 0) continue;
    const venue = pick(rand, fitting);
    let name: string;
    let length: number;
    switch (kind) {
      case 'music': {
        const act = pick(rand, acts);
        name = rand() < 0.5 ? `${act.name}: ${act.tour}` : `${act.name} Live`;
        length = (2.5 + Math.floor(rand() * 3) * 0.5) * hour;
        break;
      }
      case 'sports': {
        const sport = pick(
          rand,
          sports.filter((s) => venue.sport === s.sport),
        );
        const home = pick(rand, sport.teams);
        const away = pick(
          rand,
          sport.teams.filter((team) => team !== home),
        );
        name = `${home} vs ${away}`;
        length = sport.hours * hour;
        break;
      }
      case 'arts':
        name = pick(rand, shows);
        length = 2.5 * hour;
        break;
      case 'comedy':
        name = `${pick(rand, comedians)}: Stand-Up`;
        length = 1.5 * hour;
        break;
      case 'family':
        name = pick(rand, families);
        length = 2 * hour;
        break;
      default:
        name = `Premiere: ${pick(rand, films)}`;
        length = 2.5 * hour;
    }
    events.push({
      sourceId: `${index}-${i}`,
      name,
      classification: kind,
      venue: venue.name,
      city: venue.city,
      country: venue.country,
      latitude: venue.lat,
      longitude: venue.lng,
      startsAt,
      endsAt: startsAt + length,
      endEstimated: false,
      image: null,
      ticketUrl: null,
      // One in forty is called off, as happens.
      status: rand() < 0.025 ? (rand() < 0.5 ? 'cancelled' : 'postponed') : 'scheduled',
      popularity,
    });
  }
  return events;
}

/** Every event starting in [from, to), most popular first. */
function schedule(from: number, to: number): SourceEvent[] {
  const all: Array<SourceEvent & { popularity: number }> = [];
  for (let h = Math.floor(from / hour) - 1; h <= Math.floor(to / hour); h++) all.push(...hourOf(h));
  return all
    .filter((event) => event.startsAt >= from && event.startsAt < to)
    .sort((a, b) => b.popularity - a.popularity)
    .map(({ popularity: _, ...event }) => event);
}

/**
 * The embedded default's catalog: a schedule generated from a bundled list of real venues
 * and made-up acts, teams and shows, the same for the same hour on every run (so re-ingests
 * update rather than add), around `now`: some ended within the hour, some under way, the
 * rest over the next day. Search looks a week ahead.
 */
export class DemoSource implements EventSource {
  readonly name = 'demo';

  async current(now: number, max: number): Promise<SourceEvent[]> {
    return schedule(now - 8 * hour, now + 24 * hour)
      .filter((event) => event.endsAt > now - hour)
      .slice(0, max);
  }

  async search(keyword: string, now: number, max: number): Promise<SourceEvent[]> {
    const words = queryWords(keyword);
    if (words.length === 0) return [];
    return schedule(now - 8 * hour, now + 7 * 24 * hour)
      .filter((event) => {
        if (event.endsAt <= now) return false;
        const text = foldText([event.name, event.venue, event.city].join(' '));
        return words.every((word) => text.includes(word));
      })
      .slice(0, max);
  }
}
