import {
  DashboardSearch,
  type EventStatus,
  type EventsPage,
  firstListing,
  type LiveEvent,
} from '@hubbub/protocol';
import { listedEvent } from '@hubbub/testing';
import { describe, expect, test } from 'vitest';
import {
  bySection,
  filling,
  mergePages,
  nextPage,
  statusAt,
  urlOffset,
} from '../src/events/listing.js';
import { plainSearch } from '../src/lib/search-params.js';

const event = (id: string, status: EventStatus = 'scheduled'): LiveEvent =>
  listedEvent(id, { status });

/** A page of `count` events numbered from `offset`. */
function page(offset: number, count: number, hasMore = true, asOf = 1000): EventsPage {
  const events = Array.from({ length: count }, (_, i) => event(String(offset + i)));
  return { events, offset, hasMore, asOf };
}

describe("the dashboard's URL", () => {
  test('is read leniently: a mangled value is dropped, not a reason to fail', () => {
    expect(DashboardSearch.parse({ q: '  jazz ', classification: 'sports', offset: '48' })).toEqual(
      {
        q: 'jazz',
        classification: 'sports',
        offset: 48,
      },
    );
    expect(DashboardSearch.parse({ classification: 'opera', offset: '-1' })).toEqual({});
    expect(DashboardSearch.parse({ offset: '1.5', q: 'x'.repeat(201) })).toEqual({});
  });

  test('asks first for everything down to the page it names, as far as one request goes', () => {
    expect(firstListing({})).toEqual({ q: '', classification: undefined, offset: 0, limit: 24 });
    expect(firstListing({ q: 'jazz', offset: 48 })).toMatchObject({ q: 'jazz', limit: 72 });
    expect(firstListing({ offset: 500 }).limit).toBe(100);
  });

  test('is a plain query string both ways, empty values left out', () => {
    expect(plainSearch.stringifySearch({ q: '2026', offset: 48, classification: undefined })).toBe(
      '?q=2026&offset=48',
    );
    expect(plainSearch.stringifySearch({ q: '' })).toBe('');
    expect(plainSearch.parseSearch('?q=rock%20%26%20roll&offset=24')).toEqual({
      q: 'rock & roll',
      offset: '24',
    });
  });
});

describe('paging through a listing', () => {
  test('merged pages show each event once, where it first came', () => {
    const first = page(0, 3);
    const again = { ...page(2, 3), events: [event('2'), event('3'), event('4')] };
    expect(mergePages([first, again]).map((e) => e.id)).toEqual(['0', '1', '2', '3', '4']);
    expect(mergePages([])).toEqual([]);
  });

  test('the next page continues the same snapshot where the last one ended', () => {
    expect(nextPage([page(0, 24, true, 77)], 24)).toEqual({
      offset: 24,
      limit: 24,
      asOf: 77,
      until: 24,
    });
    expect(nextPage([page(0, 24), page(24, 10, false)], 24)).toBeUndefined();
    expect(nextPage([], 24)).toBeUndefined();
  });

  test('a deep link fills in with requests as big as allowed, then goes on a page at a time', () => {
    const pages = [page(0, 100)];
    expect(filling(pages, 224)).toBe(true);
    expect(nextPage(pages, 224)).toMatchObject({ offset: 100, limit: 100 });
    pages.push(page(100, 100));
    expect(nextPage(pages, 224)).toMatchObject({ offset: 200, limit: 24 });
    pages.push(page(200, 24));
    expect(filling(pages, 224)).toBe(false);
    expect(nextPage(pages, 224)).toMatchObject({ offset: 224, limit: 24 });
    // The list ran out before the link's end: nothing more to fill.
    expect(filling([page(0, 30, false)], 72)).toBe(false);
  });

  test("the URL's offset is where the last page-size step starts", () => {
    expect(urlOffset([page(0, 24)])).toBeUndefined();
    expect(urlOffset([page(0, 24), page(24, 24), page(48, 24)])).toBe(48);
    // A restored link keeps its offset; a short last page moves it back by as much.
    expect(urlOffset([page(0, 72)])).toBe(48);
    expect(urlOffset([page(0, 24), page(24, 24), page(48, 19, false)])).toBe(43);
  });
});

describe('sections and status', () => {
  test('live first, then upcoming with the called-off ones among them, then ended', () => {
    const events = [
      event('a', 'live'),
      event('b', 'cancelled'),
      event('c', 'live'),
      event('d', 'scheduled'),
      event('e', 'postponed'),
    ];
    expect(bySection(events).map((s) => [s.section, s.events.map((e) => e.id)])).toEqual([
      ['live', ['a', 'c']],
      ['upcoming', ['b', 'd', 'e']],
    ]);
    expect(bySection([event('z', 'ended')]).map((s) => s.section)).toEqual(['ended']);
  });

  test('the clock moves an event on; it does not undo a cancellation', () => {
    const before = Date.parse('2026-11-23T17:59:00Z');
    const during = Date.parse('2026-11-23T18:00:00Z');
    const after = Date.parse('2026-11-23T21:00:00Z');
    expect(statusAt(event('a'), before)).toBe('scheduled');
    expect(statusAt(event('a'), during)).toBe('live');
    expect(statusAt(event('a', 'live'), after)).toBe('ended');
    expect(statusAt(event('a', 'cancelled'), during)).toBe('cancelled');
    expect(statusAt(event('a', 'postponed'), after)).toBe('postponed');
  });
});
