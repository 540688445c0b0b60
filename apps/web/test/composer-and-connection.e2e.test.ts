import { startServer } from '@hubbub/testing';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { describe, expect, test } from 'vitest';
import {
  accessibilityViolations,
  joinAsGuest,
  open,
  openRoom,
  phone,
  say,
  screenshot,
  seen,
  sharedChromium,
  shown,
  signUp,
  twoInGeneral,
} from './browser.js';

const chromium = sharedChromium();

/** A PNG of the given size, as the picker, a drop or a paste would hand it over. */
function png(width: number, height: number, background: string): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background } })
    .png()
    .toBuffer();
}

/**
 * Whether an object URL still serves its image (a revoked one does not): loaded as an image,
 * as the page's CSP allows for blob: URLs (it lets the page fetch only from its origin).
 */
function urlAlive(page: Page, url: string): Promise<boolean> {
  return page.evaluate(
    (href) =>
      new Promise<boolean>((resolve) => {
        const image = new Image();
        image.onload = () => resolve(true);
        image.onerror = () => resolve(false);
        image.src = href;
      }),
    url,
  );
}

/** The accessible name of what has the keyboard focus. */
function focused(page: Page): Promise<string | null> {
  return page.evaluate(
    () =>
      document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.tagName ?? null,
  );
}

/**
 * Waits until the page's client is waiting out a backoff that still has more than `ms` to
 * run: a reconnect before that moment is one the page made itself, not the timer.
 */
async function waitForLongBackoff(page: Page, ms: number): Promise<void> {
  await page.waitForFunction(
    (least) => {
      const badge = document.querySelector<HTMLElement>('output[data-state]');
      return (
        badge?.dataset.state === 'reconnecting' &&
        Number(badge.dataset.retryAt) - Date.now() > least
      );
    },
    ms,
    { timeout: 75_000, polling: 100 },
  );
}

/**
 * With the server back, makes `reconnect` happen and returns when the page was connected
 * again and when its backoff would have tried next: the first must come before the second.
 */
async function reconnectedAhead(
  page: Page,
  reconnect: () => Promise<void>,
): Promise<{ readyAt: number; retryAt: number }> {
  const before = await page.evaluate(() => {
    const badge = document.querySelector<HTMLElement>('output[data-state]')!;
    const record = window as unknown as { readyAt?: number };
    record.readyAt = undefined;
    new MutationObserver(() => {
      if (badge.dataset.state === 'ready') record.readyAt ??= Date.now();
    }).observe(badge, { attributes: true, attributeFilter: ['data-state'] });
    return { state: badge.dataset.state, retryAt: Number(badge.dataset.retryAt), now: Date.now() };
  });
  // Still waiting, with the next try ahead: otherwise the restart outlasted the backoff.
  expect(before.state).toBe('reconnecting');
  expect(before.retryAt).toBeGreaterThan(before.now);
  const { retryAt } = before;
  await reconnect();
  const readyAt = await page
    .waitForFunction(() => (window as unknown as { readyAt?: number }).readyAt, undefined, {
      timeout: 60_000,
    })
    .then((handle) => handle.jsonValue() as Promise<number>);
  return { readyAt, retryAt };
}

describe.runIf(chromium.enabled)(
  'the composer and the connection, in Chromium',
  { timeout: 120_000 },
  () => {
    test('attaching images: a thumbnail for each by picker, drop and paste, removed by keyboard, a refused type explained; guests cannot attach', async () => {
      await using server = await startServer();
      const { alice, bob } = await twoInGeneral(chromium.browser(), server);
      const chips = alice.page.getByRole('list', { name: 'Attachments' });
      const preview = (name: string) => chips.getByRole('img', { name: `Preview of ${name}` });

      // The picker: the image shows as a thumbnail of the local file while it uploads.
      await alice.page.locator('input[type=file]').setInputFiles({
        name: 'sunset.png',
        mimeType: 'image/png',
        buffer: await png(640, 360, '#f80'),
      });
      await expect
        .poll(() => preview('sunset.png').evaluate((img: HTMLImageElement) => img.naturalWidth))
        .toBe(640);
      const sunsetUrl = (await preview('sunset.png').getAttribute('src')) ?? '';
      expect(sunsetUrl).toMatch(/^blob:/);

      // A PNG and an SVG dropped on the room, a PNG pasted into the box.
      const pitch = (await png(300, 200, '#0a0')).toString('base64');
      const clip = (await png(120, 120, '#08f')).toString('base64');
      await alice.page.evaluate(
        ({ pitch, clip }) => {
          const file = (base64: string, name: string, type: string) =>
            new File([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], name, { type });
          const room = document.querySelector('[data-testid=timeline]');
          const drop = new DataTransfer();
          drop.items.add(file(pitch, 'pitch.png', 'image/png'));
          drop.items.add(
            new File(['<svg xmlns="http://www.w3.org/2000/svg"/>'], 'logo.svg', {
              type: 'image/svg+xml',
            }),
          );
          room?.dispatchEvent(new DragEvent('dragover', { bubbles: true, dataTransfer: drop }));
          room?.dispatchEvent(new DragEvent('drop', { bubbles: true, dataTransfer: drop }));
          const paste = new DataTransfer();
          paste.items.add(file(clip, 'clip.png', 'image/png'));
          document
            .querySelector('textarea[aria-label=Message]')
            ?.dispatchEvent(new ClipboardEvent('paste', { bubbles: true, clipboardData: paste }));
        },
        { pitch, clip },
      );
      for (const name of ['pitch.png', 'clip.png']) await preview(name).waitFor();
      // The server takes no SVG: the chip says why, and nothing of it would be sent.
      await chips
        .getByRole('alert')
        .filter({ hasText: 'only JPEG, PNG, WebP, GIF and PDF files can be uploaded' })
        .waitFor();
      await expect.poll(() => chips.getByText('ready').count()).toBe(3);
      expect(await accessibilityViolations(alice.page)).toEqual([]);
      await screenshot(alice.page, 'attachments-desktop');

      // By keyboard: back from the message box, past "Attach files", to the remove buttons.
      const box = alice.page.getByLabel('Message', { exact: true });
      await box.focus();
      await alice.page.keyboard.press('Shift+Tab');
      expect(await focused(alice.page)).toBe('Attach files');
      await alice.page.keyboard.press('Shift+Tab');
      expect(await focused(alice.page)).toBe('Remove clip.png');
      await alice.page.keyboard.press('Shift+Tab');
      expect(await focused(alice.page)).toBe('Remove logo.svg');
      await alice.page.keyboard.press('Enter');
      // The chip is gone and the typing goes on where it was.
      await expect.poll(() => chips.getByRole('alert').count()).toBe(0);
      expect(await focused(alice.page)).toBe('Message');
      // A removed image's preview lets go of its file.
      const pitchUrl = (await preview('pitch.png').getAttribute('src')) ?? '';
      expect(await urlAlive(alice.page, pitchUrl)).toBe(true);
      for (let i = 0; i < 3; i++) await alice.page.keyboard.press('Shift+Tab');
      expect(await focused(alice.page)).toBe('Remove pitch.png');
      await alice.page.keyboard.press('Enter');
      await expect.poll(() => preview('pitch.png').count()).toBe(0);
      expect(await urlAlive(alice.page, pitchUrl)).toBe(false);

      // Sent with Enter: the previews are let go, Bob sees the two images that were kept.
      await box.fill('two pictures');
      await box.press('Enter');
      await expect.poll(() => chips.count()).toBe(0);
      expect(await urlAlive(alice.page, sunsetUrl)).toBe(false);
      for (const name of ['sunset.png', 'clip.png'])
        await bob.page.getByRole('button', { name: `Open image ${name}` }).waitFor();
      expect(await bob.page.getByRole('button', { name: 'Open image pitch.png' }).count()).toBe(0);
      await alice.context.close();
      await bob.context.close();

      // A guest, on a phone, has nothing to attach with, and a file dropped is refused, saying why.
      const guest = await open(chromium.browser(), server, phone);
      await joinAsGuest(guest.page, 'Visitor');
      await guest.page.getByText('Connected').waitFor();
      expect(await guest.page.getByRole('button', { name: 'Attach files' }).count()).toBe(0);
      await guest.page.evaluate((base64) => {
        const drop = new DataTransfer();
        const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
        drop.items.add(new File([bytes], 'pitch.png', { type: 'image/png' }));
        const room = document.querySelector('[data-testid=timeline]');
        room?.dispatchEvent(new DragEvent('dragover', { bubbles: true, dataTransfer: drop }));
        room?.dispatchEvent(new DragEvent('drop', { bubbles: true, dataTransfer: drop }));
      }, pitch);
      await guest.page.getByText('Sign in to attach files').waitFor();
      expect(await guest.page.getByRole('list', { name: 'Attachments' }).count()).toBe(0);
      await guest.context.close();
    });

    test('the server goes away: counts greyed, a message waits as "sending…", Reconnect now brings it back at once and it lands once', async () => {
      await using server = await startServer();
      const browser = chromium.browser();
      // Alice on a phone, Bob on a desktop, both in #general.
      const alice = await open(browser, server, phone);
      await signUp(alice.page, 'alice');
      await alice.page.goto(`${server.httpUrl}/?room=general`);
      await alice.page.getByRole('heading', { name: '#general', exact: true }).waitFor();
      const bob = await open(browser, server);
      await signUp(bob.page, 'bob');
      await openRoom(bob.page, '#general');
      const count = alice.page.getByRole('button', { name: '2 online: show who' });
      await count.waitFor();

      await server.node.close();
      // What Alice last heard of who is here no longer looks live.
      await alice.page.getByText('2 online (last known)').waitFor();
      expect(await count.count()).toBe(0);
      const reconnect = alice.page.getByRole('button', { name: 'Reconnect now' });
      await reconnect.waitFor();
      // What she writes meanwhile waits, saying so.
      await say(alice.page, 'are you still there?');
      const pending = alice.page
        .getByTestId('pending-message')
        .filter({ hasText: 'are you still there?' });
      await pending.getByText('sending…').waitFor();
      expect(await accessibilityViolations(alice.page)).toEqual([]);
      await screenshot(alice.page, 'disconnected-mobile');

      // The server is back while her client waits out a long backoff: the button goes now.
      await waitForLongBackoff(alice.page, 4_000);
      await server.restart();
      const { readyAt, retryAt } = await reconnectedAhead(alice.page, async () => {
        await reconnect.focus();
        await alice.page.keyboard.press('Enter');
      });
      expect(readyAt).toBeLessThan(retryAt);
      // Live again (Bob, still waiting out his own backoff, may not be counted yet).
      await alice.page.getByRole('button', { name: /online: show who$/ }).waitFor();
      expect(await alice.page.getByText('(last known)').count()).toBe(0);
      // The message went once, and only once: on Alice's screen, and in the server's history
      // as Bob's page loads it afresh.
      await seen(alice.page, 'are you still there?');
      await expect.poll(() => pending.count()).toBe(0);
      await bob.page.reload();
      await seen(bob.page, 'are you still there?');
      await count.waitFor();
      for (const page of [alice.page, bob.page])
        expect((await shown(page)).filter((row) => row.endsWith(':are you still there?'))).toEqual([
          '1:alice:are you still there?',
        ]);
      await alice.context.close();
      await bob.context.close();
    });

    test('back to the tab, or back online: the page reconnects at once instead of waiting out its backoff', async () => {
      await using server = await startServer();
      const { context, page } = await open(chromium.browser(), server);
      await joinAsGuest(page, 'Commuter');
      await page.getByText('Connected').waitFor();

      // The tab comes back into view.
      await server.node.close();
      await waitForLongBackoff(page, 4_000);
      await server.restart();
      const visible = await reconnectedAhead(page, () =>
        page.evaluate(() => {
          document.dispatchEvent(new Event('visibilitychange'));
        }),
      );
      expect(visible.readyAt).toBeLessThan(visible.retryAt);

      // The network comes back.
      await server.node.close();
      await context.setOffline(true);
      await page.getByText('Offline').waitFor();
      await page.getByRole('button', { name: 'Reconnect now' }).waitFor();
      await waitForLongBackoff(page, 4_000);
      await server.restart();
      const online = await reconnectedAhead(page, () => context.setOffline(false));
      expect(online.readyAt).toBeLessThan(online.retryAt);
      await say(page, 'back on the train');
      await seen(page, 'back on the train');
      await context.close();
    });

    test('on a phone, the room name in the header is shown whole', async () => {
      await using server = await startServer();
      const { context, page } = await open(chromium.browser(), server, phone);
      await signUp(page, 'dave');
      const whole = (name: string) =>
        page
          .getByRole('heading', { name, exact: true })
          .evaluate((heading) => heading.scrollWidth <= heading.clientWidth);
      await page.goto(`${server.httpUrl}/?room=general`);
      await page.getByRole('heading', { name: '#general', exact: true }).waitFor();
      await page.getByText('1 online').waitFor();
      expect(await whole('#general')).toBe(true);

      // A channel with a twenty-character name, made from the drawer.
      await page.getByRole('button', { name: 'Open rooms' }).click();
      await page.getByRole('button', { name: 'Create a channel' }).click();
      const create = page.getByRole('dialog', { name: 'Create a channel' });
      await create.getByLabel('Name').fill('weekend-match-thread');
      await create.getByLabel('Topic').fill('Who is going to the match on Saturday?');
      await create.getByRole('button', { name: 'Create channel' }).click();
      await page.getByRole('heading', { name: '#weekend-match-thread', exact: true }).waitFor();
      expect(await whole('#weekend-match-thread')).toBe(true);
      // Nothing in the header runs off the screen, and its actions are all still there.
      const header = page.locator('header').filter({ has: page.getByRole('heading') });
      expect(await header.evaluate((h) => h.scrollWidth <= h.clientWidth)).toBe(true);
      for (const name of ['Open rooms', 'Search messages', 'Room options'])
        expect(await header.getByRole('button', { name }).isVisible()).toBe(true);
      expect(await accessibilityViolations(page)).toEqual([]);
      await screenshot(page, 'room-header-mobile');
      await context.close();
    });
  },
);
