import type { LiveEvent } from '@hubbub/protocol';

/**
 * An event as `GET /api/events` lists it, for tests of what a listing becomes (the served
 * page's preload, the dashboard's sections): a scheduled concert on the evening of
 * 2026-11-23, its room open two hours either side; `overrides` for the rest.
 */
export function listedEvent(id: string, overrides: Partial<LiveEvent> = {}): LiveEvent {
  return {
    id,
    room: `event:${id}`,
    source: 'demo',
    name: `Event ${id}`,
    classification: 'music',
    venue: null,
    city: null,
    country: null,
    latitude: null,
    longitude: null,
    startsAt: '2026-11-23T18:00:00.000Z',
    endsAt: '2026-11-23T21:00:00.000Z',
    endEstimated: false,
    image: null,
    ticketUrl: null,
    rank: 1,
    status: 'scheduled',
    viewers: 0,
    roomOpensAt: '2026-11-23T16:00:00.000Z',
    roomClosesAt: '2026-11-23T22:00:00.000Z',
    ...overrides,
  };
}
