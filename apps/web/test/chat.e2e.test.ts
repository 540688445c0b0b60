import { guestIn, startServer } from '@hubbub/testing';
import { describe, expect, test } from 'vitest';
import {
  accessibilityViolations,
  badgeStates,
  joinAsGuest,
  open,
  openRoom,
  phone,
  say,
  screenshot,
  seen,
  sessionOf,
  sharedChromium,
  shown,
  twoInGeneral,
  watchBadge,
} from './browser.js';

const chromium = sharedChromium();

describe.runIf(chromium.enabled)(
  'chatting in the web app, in Chromium',
  { timeout: 120_000 },
  () => {
    test('two people sign up and chat in a channel and a DM; the session survives a reload', async () => {
      await using server = await startServer();
      const { alice, bob } = await twoInGeneral(chromium.browser(), server);
      await say(alice.page, 'hello from alice');
      await seen(bob.page, 'hello from alice');
      await say(bob.page, 'hi alice');
      await seen(alice.page, 'hi alice');
      expect(await shown(alice.page)).toEqual(['1:alice:hello from alice', '2:bob:hi alice']);
      await screenshot(alice.page, 'channel-desktop');
      expect(await accessibilityViolations(alice.page)).toEqual([]);

      // Bob opens a DM by clicking Alice's name; it is named for the other person on each side.
      await bob.page.getByRole('button', { name: 'alice', exact: true }).first().click();
      await bob.page.getByRole('heading', { name: 'alice', exact: true }).waitFor();
      await say(bob.page, 'just between us');
      await seen(bob.page, 'just between us');
      // The open room lives in the URL: a reload (or a shared link) lands in it again.
      expect(new URL(alice.page.url()).searchParams.get('room')).toBe('general');
      await alice.page.reload();
      await alice.page.getByText('Connected').waitFor();
      await alice.page.getByRole('heading', { name: '#general' }).waitFor();
      await seen(alice.page, 'hi alice');
      await openRoom(alice.page, 'bob');
      await seen(alice.page, 'just between us');
      await alice.context.close();
      await bob.context.close();
    });

    test('a guest joins global; the page looks right on a phone and passes an accessibility check', async () => {
      await using server = await startServer();
      const { context, page } = await open(chromium.browser(), server, phone);
      expect(await accessibilityViolations(page)).toEqual([]);
      await screenshot(page, 'welcome-mobile');
      await joinAsGuest(page, 'Visitor');
      await page.getByText('Connected').waitFor();
      // The counter shows the limit; past it, sending is off until the text is shorter.
      const box = page.getByLabel('Message', { exact: true });
      await box.fill('x'.repeat(1001));
      await page.getByText('1001/1000').waitFor();
      expect(await page.getByRole('button', { name: 'Send' }).isDisabled()).toBe(true);
      await box.press('Enter');
      expect(await page.getByTestId('pending-message').count()).toBe(0);
      await say(page, 'hello crowd');
      await seen(page, 'hello crowd');
      expect(await shown(page)).toEqual(['1:Visitor:hello crowd']);
      await screenshot(page, 'global-mobile');
      expect(await accessibilityViolations(page)).toEqual([]);
      // On a phone the room list is a drawer; signing out is in it.
      await page.getByRole('button', { name: 'Open rooms' }).click();
      const drawer = page.getByRole('dialog', { name: 'Rooms' });
      await drawer.getByRole('button', { name: 'Sign out' }).waitFor();
      await screenshot(page, 'rooms-drawer-mobile');
      expect(await accessibilityViolations(page)).toEqual([]);
      await drawer.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('button', { name: 'Log in' }).waitFor();

      // Installable: a manifest with icons, and a service worker that has taken over.
      const manifest = await (await fetch(`${server.httpUrl}/manifest.webmanifest`)).json();
      expect(manifest).toMatchObject({ name: 'Hubbub', display: 'standalone' });
      expect(manifest.icons.map((icon: { sizes: string }) => icon.sizes)).toEqual(
        expect.arrayContaining(['192x192', '512x512']),
      );
      expect(
        await page.evaluate(async () => Boolean((await navigator.serviceWorker.ready).active)),
      ).toBe(true);
      await context.close();
    });

    test('the server restarts mid-conversation: both pages recover and show every message once, in order', async () => {
      await using server = await startServer();
      const { alice, bob } = await twoInGeneral(chromium.browser(), server);
      await say(alice.page, 'before');
      await seen(bob.page, 'before');

      const sessions = await Promise.all([alice.page, bob.page].map(sessionOf));
      await Promise.all([alice.page, bob.page].map(watchBadge));
      await server.restart();
      // Wait for a new session on each page, not the old badge that has not noticed yet.
      await Promise.all(
        [alice.page, bob.page].map((page, i) =>
          page.waitForFunction(
            (old) => {
              const badge = document.querySelector<HTMLElement>('output[data-state]');
              return badge?.dataset.state === 'ready' && badge.dataset.session !== old;
            },
            sessions[i],
            // A restart on a busy machine can outlast a few backoff rounds (full jitter).
            { timeout: 90_000 },
          ),
        ),
      );
      // The badge said so while it was happening: reconnecting (with its countdown), then ready.
      for (const { page } of [alice, bob]) {
        const states = await badgeStates(page);
        expect(states).toContain('reconnecting');
        expect(states.at(-1)).toBe('ready');
      }
      await say(alice.page, 'after one');
      await say(bob.page, 'after two');
      for (const { page } of [alice, bob]) {
        await seen(page, 'after two');
        await seen(page, 'after one');
        const rows = await shown(page);
        expect(rows.map((r) => r.split(':')[0])).toEqual(['1', '2', '3']);
        expect(rows.join('|')).toMatch(
          /^1:alice:before\|2:\w+:after (one|two)\|3:\w+:after (one|two)$/,
        );
      }
      await alice.context.close();
      await bob.context.close();
    }, 180_000);

    test('a long room: only what is visible is rendered, and older history loads when scrolling up', async () => {
      await using server = await startServer({
        env: { RATE_LIMIT_PER_SECOND: '10000', RATE_LIMIT_BURST: '10000' },
      });
      await using writer = await guestIn(server, 'Writer', 'global');
      for (let i = 1; i <= 300; i++)
        writer.send({ type: 'send', room: 'global', cid: `${i}`, content: `line ${i}` });
      await writer.next((f) => f.type === 'ack' && f.cid === '300', 20_000);

      const { context, page } = await open(chromium.browser(), server);
      await joinAsGuest(page, 'Reader');
      await seen(page, 'line 300');
      // The join carried the latest 50; the list renders a window of them, not all.
      expect(await page.getByTestId('message').count()).toBeLessThan(50);
      const timeline = page.getByTestId('timeline');
      const firstLine = page
        .getByTestId('message')
        .locator('[data-content]')
        .filter({ hasText: /^line 1$/ });
      for (let i = 0; i < 30; i++) {
        if ((await firstLine.count()) > 0) break;
        await timeline.evaluate((element) => {
          element.scrollTop = 0;
        });
        await page.waitForTimeout(200);
      }
      await firstLine.waitFor({ timeout: 10_000 });
      expect(await page.getByTestId('message').count()).toBeLessThan(80);
      await page.getByText('This is the beginning of #global.').waitFor();
      // Reading old messages, the reader is not yanked down by a new one: a pill offers it.
      writer.send({ type: 'send', room: 'global', cid: '301', content: 'line 301' });
      await page.getByRole('button', { name: 'New messages' }).click();
      await seen(page, 'line 301');
      expect(await firstLine.count()).toBe(0);
      await context.close();
    });

    test('a rate-limit refusal shows a toast that explains it', async () => {
      await using server = await startServer({
        env: { RATE_LIMIT_PER_SECOND: '0.5', RATE_LIMIT_BURST: '2' },
      });
      const { context, page } = await open(chromium.browser(), server);
      await joinAsGuest(page, 'Spammer');
      await page.getByText('Connected').waitFor();
      for (let i = 0; i < 4; i++) await say(page, `spam ${i}`);
      await page.getByText('You are sending too fast').first().waitFor();
      await screenshot(page, 'rate-limited-desktop');
      await context.close();
    });
  },
);
