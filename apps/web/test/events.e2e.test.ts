import type { EventsPage } from '@hubbub/protocol';
import {
  discoveryEvent,
  get,
  guestIn,
  startFakeDiscovery,
  startServer,
  type TestServer,
} from '@hubbub/testing';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import {
  accessibilityViolations,
  desktop,
  joinAsGuest,
  phone,
  say,
  screenshot,
  seen,
  sharedChromium,
  signUp,
} from './browser.js';

const chromium = sharedChromium();

/** The demo catalog, once the node has ingested it (it does so just after starting). */
async function demoCatalog(server: TestServer): Promise<EventsPage> {
  let page: EventsPage | undefined;
  await expect
    .poll(
      async () => {
        page = (await get<EventsPage>(server, '/api/events?limit=100')).body;
        return page.events.length;
      },
      { timeout: 30_000 },
    )
    .toBeGreaterThan(0);
  return page!;
}

/** How many events the dashboard's first page shows for a query. */
async function firstPageSize(server: TestServer, query: string): Promise<number> {
  return (await get<EventsPage>(server, `/api/events?limit=24&${query}`)).body.events.length;
}

const cards = (page: Page) => page.getByTestId('event-card');
/** The cards' names, in the order they are shown. */
const names = (page: Page) => page.getByTestId('event-name').allTextContents();
/** The cards' event ids, in the order they are shown. */
const ids = (page: Page) =>
  cards(page).evaluateAll((links) => links.map((link) => (link as HTMLElement).dataset.event));

/** Records the page's requests for event listings (the first one should never be needed). */
function listingRequests(page: Page): string[] {
  const seenUrls: string[] = [];
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === '/api/events') seenUrls.push(request.url());
  });
  return seenUrls;
}

async function scrollToEnd(page: Page): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
}

describe.runIf(chromium.enabled)(
  'the live events dashboard and an event room, in Chromium',
  { timeout: 180_000 },
  () => {
    test('browse, search, filter and scroll the dashboard; a copied link shows the same list', async () => {
      await using server = await startServer();
      const catalog = await demoCatalog(server);
      expect(catalog.events.length).toBeGreaterThan(72);
      const context = await chromium.browser().newContext({ viewport: desktop });
      const page = await context.newPage();
      const requested = listingRequests(page);

      // The list comes inlined in the page itself: no second round trip for it.
      const response = await page.goto(`${server.httpUrl}/events`);
      expect(response?.headers()['cache-control']).toBe('no-cache');
      expect(await response?.text()).toContain('<script id="hubbub-events"');
      await page.getByRole('heading', { name: 'Live events', level: 1 }).waitFor();
      await page.getByRole('heading', { name: /^Live now/ }).waitFor();
      await page.getByRole('heading', { name: /^Upcoming/ }).waitFor();
      expect(await cards(page).count()).toBe(24);
      expect(requested).toEqual([]);
      const live = page.getByRole('region', { name: /^Live now/ });
      expect(await live.getByTestId('status').first().textContent()).toBe('LIVE');
      expect(await accessibilityViolations(page)).toEqual([]);
      await screenshot(page, 'events-desktop');

      // Search: the URL follows the typing (after a pause), and the list narrows to it.
      const city = catalog.events.find((e) => e.city !== null)?.city ?? '';
      const inCity = await firstPageSize(server, `q=${encodeURIComponent(city)}`);
      await page.getByRole('searchbox', { name: 'Search events' }).fill(city);
      await expect
        .poll(() => new URL(page.url()).searchParams.get('q'), { timeout: 5000 })
        .toBe(city);
      await expect.poll(() => cards(page).count()).toBe(inCity);
      for (const text of await cards(page).allTextContents()) expect(text).toContain(city);
      await page.getByRole('button', { name: 'Clear search' }).click();
      await expect.poll(() => new URL(page.url()).search).toBe('');
      await expect.poll(() => cards(page).count()).toBe(24);

      // A kind filter is a chip, in the URL too.
      const sports = await firstPageSize(server, 'classification=sports');
      await page.getByRole('button', { name: 'Sports', exact: true }).click();
      await expect
        .poll(() => new URL(page.url()).searchParams.get('classification'))
        .toBe('sports');
      await expect.poll(() => cards(page).count()).toBe(sports);
      expect(
        await page
          .getByRole('button', { name: 'Sports', exact: true })
          .getAttribute('aria-pressed'),
      ).toBe('true');
      await page.getByRole('button', { name: 'All', exact: true }).click();
      await expect.poll(() => cards(page).count()).toBe(24);

      // Scrolling loads the next pages of the same snapshot, with no event twice.
      for (const shown of [48, 72]) {
        await scrollToEnd(page);
        await expect.poll(() => cards(page).count()).toBe(shown);
      }
      const listed = await ids(page);
      expect(new Set(listed).size).toBe(listed.length);
      await expect.poll(() => new URL(page.url()).searchParams.get('offset')).toBe('48');
      const further = requested
        .map((url) => new URL(url).searchParams)
        .filter((params) => params.get('offset') !== '0');
      expect(further.map((params) => params.get('offset'))).toEqual(['24', '48']);
      expect(new Set(further.map((params) => params.get('asOf'))).size).toBe(1);

      // The link, opened afresh, shows the same list down to where it was, in one page load.
      const copy = await context.newPage();
      const copyRequested = listingRequests(copy);
      await copy.goto(page.url());
      await expect.poll(() => cards(copy).count()).toBe(72);
      expect(await names(copy)).toEqual(await names(page));
      expect(copyRequested).toEqual([]);

      // Back from an event's page lands where one was in the list.
      const deep = cards(copy).nth(40);
      await deep.scrollIntoViewIfNeeded();
      const y = await copy.evaluate(() => window.scrollY);
      expect(y).toBeGreaterThan(0);
      await deep.click();
      await expect.poll(() => new URL(copy.url()).pathname).toBe('/');
      await copy.goBack();
      await expect.poll(() => cards(copy).count()).toBe(72);
      await expect.poll(() => copy.evaluate(() => window.scrollY)).toBe(y);
      await context.close();
    });

    test('on a phone: one column, nothing wider than the screen; a bad link still opens', async () => {
      await using server = await startServer();
      await demoCatalog(server);
      const context = await chromium.browser().newContext({ viewport: phone });
      const page = await context.newPage();
      await page.goto(`${server.httpUrl}/events?classification=nonsense&offset=-3`);
      await expect.poll(() => cards(page).count()).toBeGreaterThan(0);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        phone.width,
      );
      const [first, second] = await cards(page).all();
      const [a, b] = [await first?.boundingBox(), await second?.boundingBox()];
      expect(a?.x).toBe(b?.x);
      expect(await accessibilityViolations(page)).toEqual([]);
      await screenshot(page, 'events-mobile');

      // A search that finds nothing says so, and offers the way back.
      await page.getByRole('searchbox', { name: 'Search events' }).fill('zzqx nothing here');
      await page.getByText('No events match “zzqx nothing here”.').waitFor();
      await page.getByRole('button', { name: 'Clear search and filters' }).click();
      await expect.poll(() => cards(page).count()).toBeGreaterThan(0);
      await context.close();
    });

    test('called-off events never lead Upcoming; a shared link opened signed out names the event', async () => {
      const minute = 60_000;
      const now = Date.now();
      await using fake = await startFakeDiscovery([
        discoveryEvent({
          id: 'off',
          name: 'Called Off Gala',
          start: now + 20 * minute,
          status: 'cancelled',
        }),
        discoveryEvent({
          id: 'moved',
          name: 'Moved Recital',
          start: now + 25 * minute,
          status: 'postponed',
        }),
        discoveryEvent({
          id: 'on',
          name: 'Harbour Lights Live',
          start: now + 60 * minute,
          end: now + 180 * minute,
        }),
        discoveryEvent({ id: 'later', name: 'Late Night Jazz', start: now + 300 * minute }),
      ]);
      await using server = await startServer({
        env: { TICKETMASTER_API_KEY: fake.apiKey, TICKETMASTER_URL: fake.url },
      });
      let listed: EventsPage | undefined;
      await expect
        .poll(
          async () => {
            listed = (await get<EventsPage>(server, '/api/events')).body;
            return listed.events.length;
          },
          { timeout: 15_000 },
        )
        .toBe(4);
      const named = (name: string) => {
        const event = listed?.events.find((e) => e.name === name);
        if (event === undefined) throw new Error(`${name} is listed`);
        return event;
      };

      // The events going ahead come first, soonest first; the called-off ones after them.
      const context = await chromium.browser().newContext({ viewport: phone });
      const page = await context.newPage();
      await page.goto(`${server.httpUrl}/events`);
      const upcoming = page.getByRole('region', { name: /^Upcoming/ });
      await upcoming.getByTestId('event-card').first().waitFor();
      expect(await upcoming.getByTestId('event-name').allTextContents()).toEqual([
        'Harbour Lights Live',
        'Late Night Jazz',
        'Called Off Gala',
        'Moved Recital',
      ]);
      expect(await upcoming.getByTestId('status').allTextContents()).toEqual([
        'Upcoming',
        'Upcoming',
        'Cancelled',
        'Postponed',
      ]);

      // A link to an event's room, opened signed out, says which event it is and when.
      const invite = page.getByRole('region', { name: 'The event you are joining' });
      await page.goto(
        `${server.httpUrl}/?room=${encodeURIComponent(named('Called Off Gala').room)}`,
      );
      await invite.getByRole('heading', { name: 'Called Off Gala' }).waitFor();
      expect(await invite.getByTestId('status').textContent()).toBe('Cancelled');
      const harbour = named('Harbour Lights Live');
      await page.goto(`${server.httpUrl}/?room=${encodeURIComponent(harbour.room)}`);
      await invite.getByRole('heading', { name: 'Harbour Lights Live' }).waitFor();
      expect(await invite.locator('time').getAttribute('datetime')).toBe(harbour.startsAt);
      expect(await invite.textContent()).toMatch(/Today|Tomorrow/);
      expect(await page.getByRole('tab', { name: 'Guest' }).getAttribute('aria-selected')).toBe(
        'true',
      );
      expect(await accessibilityViolations(page)).toEqual([]);
      await screenshot(page, 'event-invite-mobile');

      // By keyboard: to the display name, a name, Enter: in the event's room.
      for (let i = 0; i < 8; i++) {
        if (await page.evaluate(() => document.activeElement?.getAttribute('name') === 'username'))
          break;
        await page.keyboard.press('Tab');
      }
      expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe(
        'username',
      );
      await page.keyboard.type('Early Bird');
      await page.keyboard.press('Enter');
      await invite.waitFor({ state: 'detached' });
      await page.getByText('Connected').waitFor();
      await page.getByRole('heading', { name: 'Harbour Lights Live', exact: true }).waitFor();
      await context.close();
    });

    test('a guest opens a live event from the dashboard, chats, and cheers with the crowd', async () => {
      await using server = await startServer();
      await demoCatalog(server);
      const context = await chromium.browser().newContext({ viewport: desktop });
      const page = await context.newPage();
      await page.goto(`${server.httpUrl}/events`);
      const live = page.getByRole('region', { name: /^Live now/ });
      // The live event that ends last: the first card's may end while the test runs.
      const { events } = (await get<EventsPage>(server, '/api/events?status=live')).body;
      const lasting = events.reduce((a, b) =>
        Date.parse(b.endsAt) > Date.parse(a.endsAt) ? b : a,
      );
      const card = live.locator(`[data-testid="event-card"][data-event="${lasting.id}"]`);
      const name = (await card.getByTestId('event-name').textContent()) ?? '';
      const id = (await card.getAttribute('data-event')) ?? '';
      await card.click();

      // The room is a shareable chat URL; a newcomer is offered to join as a guest.
      await expect.poll(() => new URL(page.url()).searchParams.get('room')).toBe(`event:${id}`);
      expect(await page.getByRole('tab', { name: 'Guest' }).getAttribute('aria-selected')).toBe(
        'true',
      );
      await joinAsGuest(page, 'Fan One');
      // (The welcome screen names the event too: wait for the chat's own heading.)
      await page.getByText('Connected').waitFor();
      await page.getByRole('heading', { name, exact: true }).waitFor();
      expect(await page.getByTestId('status').textContent()).toBe('LIVE');
      await expect
        .poll(() => page.getByTestId('viewer-count').textContent())
        .toMatch(/\b1 watching/);

      // Chat, as in any room.
      await say(page, 'what a start!');
      await seen(page, 'what a start!');

      // Someone else arrives: the count follows the room's presence.
      await using other = await guestIn(server, 'Fan Two', `event:${id}`);
      await expect
        .poll(() => page.getByTestId('viewer-count').textContent())
        .toMatch(/\b2 watching/);

      // A tap comes back, with everyone's, as emoji rising over the chat.
      await page.getByRole('button', { name: 'Cheer with fire' }).click();
      await page.locator('[data-testid="cheer"][data-emoji="🔥"]').first().waitFor();
      // A crowd's taps in one tick are a few emoji with the count on them, not one per tap.
      other.send({ type: 'cheer', room: `event:${id}`, emoji: '🎉', count: 20 });
      await page.locator('[data-testid="cheer"][data-emoji="🎉"]', { hasText: '×20' }).waitFor();
      expect(await page.locator('[data-testid="cheer"][data-emoji="🎉"]').count()).toBeLessThan(6);
      await screenshot(page, 'event-room-desktop');
      expect(await accessibilityViolations(page)).toEqual([]);
      await page.setViewportSize(phone);
      await page.getByRole('button', { name: 'Cheer with love' }).click();
      await page.locator('[data-testid="cheer"][data-emoji="❤️"]').first().waitFor();
      await screenshot(page, 'event-room-mobile');
      await page.setViewportSize(desktop);

      // Without motion, reactions still show: they fade where they appear.
      await page.emulateMedia({ reducedMotion: 'reduce' });
      await page.getByRole('button', { name: 'Cheer with fire' }).click();
      const still = page.locator('[data-testid="cheer"][data-emoji="🔥"]').last();
      await still.waitFor();
      expect(await still.evaluate((node) => getComputedStyle(node).animationName)).toBe(
        'cheer-fade',
      );
      await page.emulateMedia({ reducedMotion: 'no-preference' });

      // The dashboard is a click away, and the chat a click back.
      await page.getByRole('link', { name: 'Live events' }).click();
      await page.getByRole('heading', { name: 'Live events', level: 1 }).waitFor();
      await page.getByRole('link', { name: 'Chat', exact: true }).click();
      await page.getByRole('heading', { name: '#global' }).waitFor();
      await context.close();
    });

    test('an admin switches crowd modes in an event room and removes a held message before the crowd sees it', async () => {
      await using server = await startServer({ env: { ADMINS: 'boss' } });
      const catalog = await demoCatalog(server);
      const live = catalog.events.find((event) => event.status === 'live');
      if (live === undefined) throw new Error('the demo catalog has a live event');
      const context = await chromium.browser().newContext({ viewport: desktop });
      const page = await context.newPage();
      await page.goto(server.httpUrl);
      await signUp(page, 'boss');
      await page.goto(`${server.httpUrl}/?room=${encodeURIComponent(live.room)}`);
      await page.getByRole('heading', { name: live.name, exact: true }).waitFor();
      await using fan = await guestIn(server, 'Loud Fan', live.room);
      await using watcher = await guestIn(server, 'Quiet Fan', live.room);

      // The admin owns every event room: the room's menu has the crowd modes.
      const menu = async (item: () => Promise<void>) => {
        await page.getByRole('button', { name: 'Room options' }).click();
        await item();
      };
      await menu(() => page.getByRole('menuitemcheckbox', { name: 'Emote only' }).click());
      await page.getByText('Emote only', { exact: true }).waitFor();
      await fan.next((f) => f.type === 'moderated' && f.action === 'modes');
      fan.send({ type: 'send', room: live.room, cid: 'e1', content: 'words' });
      expect(await fan.next((f) => f.type === 'error' && f.ref === 'e1')).toMatchObject({
        code: 'emote_only',
      });
      await menu(() => page.getByRole('menuitemcheckbox', { name: 'Emote only' }).click());
      await menu(() => page.getByRole('menuitemradio', { name: '10 s' }).click());
      await page.getByText('10 s delay', { exact: true }).waitFor();
      await fan.next((f) => f.type === 'moderated' && f.modes?.delaySeconds === 10);

      // A fan's message waits for review; the admin sees it and removes it.
      fan.send({ type: 'send', room: live.room, cid: 'h1', content: 'the spoiler nobody wants' });
      const review = page.getByRole('region', { name: 'Messages held for review' });
      await review.getByText('the spoiler nobody wants').waitFor();
      await screenshot(page, 'event-room-held');
      await review.getByRole('button', { name: "Remove Loud Fan's held message" }).click();
      expect(await fan.next((f) => f.type === 'error' && f.ref === 'h1')).toMatchObject({
        code: 'message_removed',
      });
      await review.waitFor({ state: 'detached' });
      // The admin's own message is not held; the crowd never saw the removed one.
      await say(page, 'let us keep it fun');
      await watcher.next((f) => f.type === 'message' && f.content === 'let us keep it fun');
      expect(watcher.messagesIn(live.room).map((m) => m.content)).not.toContain(
        'the spoiler nobody wants',
      );
      expect(await accessibilityViolations(page)).toEqual([]);
      await context.close();
    });
  },
);
