import { discoveryEvent, startFakeDiscovery } from '@hubbub/testing';
import { eventSourceContract } from './contract.js';
import { DemoSource } from './demo.js';
import { TicketmasterSource } from './ticketmaster.js';

const now = Date.parse('2026-11-23T18:00:00Z');

eventSourceContract('demo schedule', async () => ({
  source: new DemoSource(),
  now,
  keyword: 'Madison Square',
  cleanup: async () => {},
}));

eventSourceContract('Ticketmaster (a local Discovery API)', async () => {
  const venues = [
    {
      venue: 'Madison Square Garden',
      city: 'New York',
      latitude: '40.75072910',
      longitude: '-73.99160060',
    },
    { venue: 'The O2', city: 'London', latitude: '51.503', longitude: '0.0032', countryCode: 'GB' },
    {
      venue: 'Tokyo Dome',
      city: 'Tokyo',
      latitude: '35.7056',
      longitude: '139.7519',
      countryCode: 'JP',
    },
  ];
  // 300 events over the next day, a tenth of them ended an hour ago (outside the window).
  const fake = await startFakeDiscovery(
    Array.from({ length: 300 }, (_, i) => {
      const start = i % 10 === 0 ? now - 4 * 3600_000 : now + (i * 4 + 1) * 60_000;
      return discoveryEvent({
        id: `G5vzZ9${String(i).padStart(5, '0')}`,
        name: `Artist ${i} World Tour`,
        start,
        end: start + 3 * 3600_000,
        ...venues[i % venues.length],
      });
    }),
  );
  return {
    source: new TicketmasterSource({ apiKey: fake.apiKey, baseUrl: fake.url, perSecond: 50 }),
    now,
    keyword: 'madison',
    cleanup: () => fake.close(),
  };
});
