import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventRoomOf, startServer } from '@hubbub/testing';
import type { ConsoleMessage } from 'playwright-core';
import sharp from 'sharp';
import { describe, expect, test } from 'vitest';
import { desktop, openRoom, say, seen, sharedChromium, signUp } from './browser.js';

const chromium = sharedChromium();

describe.runIf(chromium.enabled)(
  'the Content-Security-Policy, in Chromium',
  { timeout: 120_000 },
  () => {
    test('signing up, chatting, an image, the service worker, the events page and analytics break none of its rules', async () => {
      await using server = await startServer({ env: { ADMINS: 'alice' } });
      await eventRoomOf(server); // the catalog is in, so /events carries its inlined listing
      await using context = await chromium.browser().newContext({ viewport: desktop });
      const reported: string[] = [];
      const watch = (where: string) => (message: ConsoleMessage) => {
        if (/Content.Security.Policy|CSP violation/i.test(message.text()))
          reported.push(`${where}: ${message.text()}`);
      };
      // Every violation is an event in the page (logged here), and Chromium logs it too.
      await context.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (event) =>
          console.error(
            `CSP violation: ${event.effectiveDirective} ${event.blockedURI} at ${event.sourceFile}:${event.lineNumber}`,
          ),
        );
      });
      context.on('serviceworker', (worker) => worker.on('console', watch('service worker')));
      const page = await context.newPage();
      page.on('console', watch('page'));
      page.on('pageerror', (error) => reported.push(`page error: ${error.message}`));

      const shell = await page.goto(server.httpUrl);
      expect(shell?.headers()['content-security-policy']).toMatch(
        /(^|;)\s*script-src 'self'\s*(;|$)/,
      );
      await signUp(page, 'alice');
      await openRoom(page, '#general');
      await say(page, 'hello under a strict policy');
      await seen(page, 'hello under a strict policy');

      // An image: its preview (an object URL), its thumbnail and the full picture in a dialog.
      const png = await sharp({
        create: { width: 640, height: 360, channels: 3, background: '#f80' },
      })
        .png()
        .toBuffer();
      await page
        .locator('input[type=file]')
        .setInputFiles({ name: 'sunset.png', mimeType: 'image/png', buffer: png });
      await page.getByRole('list', { name: 'Attachments' }).getByText('ready').waitFor();
      await say(page, 'look at this');
      const image = page.getByRole('button', { name: 'Open image sunset.png' });
      await expect
        .poll(() => image.locator('img').evaluate((img: HTMLImageElement) => img.naturalWidth))
        .toBe(320);
      await image.click();
      const lightbox = page.getByRole('dialog', { name: 'sunset.png' });
      await expect
        .poll(() => lightbox.getByRole('img').evaluate((img: HTMLImageElement) => img.naturalWidth))
        .toBe(640);
      await page.keyboard.press('Escape');

      // The service worker installed (its script and precache under the same policy).
      expect(
        await page.evaluate(() => navigator.serviceWorker.ready.then((r) => r.active?.scriptURL)),
      ).toBe(`${server.httpUrl}/sw.js`);

      // The events page, with its first listing inlined as a JSON data block (never executed).
      const events = await page.goto(`${server.httpUrl}/events`);
      expect(await events?.text()).toContain('<script id="hubbub-events" type="application/json">');
      await page.getByRole('heading', { name: /^Live now/ }).waitFor();

      await page.goto(`${server.httpUrl}/analytics`);
      await page.getByRole('heading', { name: 'Analytics' }).waitFor();
      await expect.poll(() => page.locator('figure canvas').count()).toBe(3);

      // Back to the chat, its shell now from the service worker's cache.
      await page.goto(server.httpUrl);
      await page.getByText('Connected').waitFor();
      expect(reported).toEqual([]);
    });

    test('no other site can frame the app (clickjacking)', async () => {
      await using server = await startServer();
      // Another origin (another port) putting the app in a frame.
      await using framer = createServer((_request, response) =>
        response
          .writeHead(200, { 'content-type': 'text/html' })
          .end(`<iframe title="app" src="${server.httpUrl}/"></iframe>`),
      );
      await new Promise<void>((resolve) => framer.listen(0, '127.0.0.1', resolve));
      await using context = await chromium.browser().newContext({ viewport: desktop });
      const page = await context.newPage();
      const refusals: string[] = [];
      page.on('console', (message) => {
        if (/frame-ancestors/.test(message.text())) refusals.push(message.text());
      });
      await page.goto(`http://127.0.0.1:${(framer.address() as AddressInfo).port}/`);
      // Chromium refuses to render it: the frame holds its error page, not the app.
      await expect.poll(() => refusals.length).toBe(1);
      expect(refusals[0]).toContain(`"frame-ancestors 'none'"`);
      expect(page.frames().map((f) => f.url())[1]).toBe('chrome-error://chromewebdata/');
    });
  },
);
