import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DashboardListing, type EventsPage, EventsPreload } from '@hubbub/protocol';
import { listedEvent } from '@hubbub/testing';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type FirstEvents, webRoutes, withPreload } from './web.js';

const shell = '<!doctype html><html><head></head><body><div id="root"></div></body></html>';

function pageOf(name: string): EventsPage {
  return {
    events: [listedEvent('e1', { name, venue: 'Hall', city: 'Town', country: 'GB' })],
    offset: 0,
    hasMore: false,
    asOf: 1_795_456_370_705,
  };
}

/** The preload a served page carries, or undefined. */
function preloadIn(html: string): EventsPreload | undefined {
  const match = /<script id="hubbub-events" type="application\/json">(.*?)<\/script>/s.exec(html);
  return match?.[1] === undefined ? undefined : EventsPreload.parse(JSON.parse(match[1]));
}

describe('the web shell', () => {
  let dist = '';
  beforeAll(async () => {
    dist = await mkdtemp(join(tmpdir(), 'hubbub-web-'));
    await writeFile(join(dist, 'index.html'), shell);
  });
  afterAll(() => rm(dist, { recursive: true, force: true }));

  async function serve(firstEvents?: FirstEvents) {
    const app = Fastify();
    webRoutes(app, dist, firstEvents);
    await app.ready();
    return app;
  }

  test('the dashboard page carries the first listing for its URL, down to the page it names', async () => {
    const asked: DashboardListing[] = [];
    const app = await serve(async (listing) => {
      asked.push(listing);
      return pageOf('Night Show');
    });
    const response = await app.inject('/events?q=%20night%20&classification=music&offset=48');
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    const listing = { q: 'night', classification: 'music', offset: 0, limit: 72 };
    expect(asked).toEqual([listing]);
    expect(preloadIn(response.body)).toEqual({ listing, page: pageOf('Night Show') });
    // A bad value is dropped, as the app drops it; the deepest link asks what one request may.
    await app.inject('/events?classification=opera&offset=9000');
    expect(asked[1]).toEqual({ q: '', classification: undefined, offset: 0, limit: 100 });
    await app.close();
  });

  test('no name can end the script early or be read as a replacement pattern', () => {
    const name = "</script><script>alert(1)</script> $& $` $'";
    const html = withPreload(shell, {
      listing: { q: '', offset: 0, limit: 24 },
      page: pageOf(name),
    });
    expect(html.match(/<\/script>/g)).toHaveLength(1);
    expect(html.endsWith('</script></body></html>')).toBe(true);
    expect(preloadIn(html)?.page.events[0]?.name).toBe(name);
  });

  test('a failing or slow catalog leaves the page without the listing, never without the page', async () => {
    const failing = await serve(() => Promise.reject(new Error('database on fire')));
    const failed = await failing.inject('/events');
    expect(failed.statusCode).toBe(200);
    expect(failed.body).toBe(shell);
    await failing.close();

    const slow = await serve(() => new Promise<EventsPage>(() => {}));
    const started = Date.now();
    const late = await slow.inject('/events');
    expect(late.statusCode).toBe(200);
    expect(late.body).toBe(shell);
    expect(Date.now() - started).toBeLessThan(3000);
    await slow.close();
  });

  test('other pages are the plain shell, and API paths stay 404s', async () => {
    let calls = 0;
    const app = await serve(async () => {
      calls++;
      return pageOf('x');
    });
    const chat = await app.inject('/?room=general');
    expect(chat.body).toBe(shell);
    expect((await app.inject('/events/abc')).body).toBe(shell);
    expect((await app.inject('/api/nope')).statusCode).toBe(404);
    expect(calls).toBe(0);
    await app.close();
  });
});
