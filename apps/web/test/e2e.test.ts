import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { guestIn, requireService, startServer, type TestServer } from '@hubbub/testing';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';
const shots = fileURLToPath(new URL('../../../test-results/screenshots/', import.meta.url));
const webBuilt = existsSync(fileURLToPath(new URL('../dist/index.html', import.meta.url)));
const enabled = requireService(
  'the browser',
  !existsSync(CHROMIUM)
    ? { ok: false, reason: `${CHROMIUM} is missing (apt-get install chromium)` }
    : !webBuilt
      ? { ok: false, reason: 'apps/web/dist is missing (npm run build)' }
      : { ok: true },
);
const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

let browser: Browser;
beforeAll(async () => {
  if (!enabled) return;
  mkdirSync(shots, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-dev-shm-usage',
    ],
  });
});
afterAll(async () => {
  await browser?.close();
});

async function open(
  server: TestServer,
  viewport = { width: 1280, height: 800 },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  await page.goto(server.httpUrl);
  return { context, page };
}

async function signUp(page: Page, username: string): Promise<void> {
  await page.getByRole('tab', { name: 'Sign up' }).click();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByText('Connected').waitFor();
}

/** Alice and Bob, signed up in two browser contexts, both in #general. */
async function twoInGeneral(server: TestServer) {
  const alice = await open(server);
  const bob = await open(server);
  await signUp(alice.page, 'alice');
  await signUp(bob.page, 'bob');
  await openRoom(alice.page, '#general');
  await openRoom(bob.page, '#general');
  return { alice, bob };
}

async function openRoom(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Rooms' }).getByRole('button', { name }).click();
  await page.getByRole('heading', { name }).waitFor();
}

async function say(page: Page, text: string): Promise<void> {
  await page.getByLabel('Message', { exact: true }).fill(text);
  await page.getByLabel('Message', { exact: true }).press('Enter');
}

/** The session id the page's connection badge shows. */
function sessionOf(page: Page): Promise<string | undefined> {
  return page
    .locator('output[data-state]')
    .evaluate((badge) => (badge as HTMLElement).dataset.session);
}

/** Waits until the page shows `text` as a stored message (not just our pending copy). */
async function seen(page: Page, text: string): Promise<void> {
  await page.getByTestId('message').filter({ hasText: text }).first().waitFor({ timeout: 30_000 });
}

/** The contents of the messages the page shows, in order. */
async function shown(page: Page): Promise<string[]> {
  return page.getByTestId('message').evaluateAll((rows) =>
    rows
      .map((row) => ({
        seq: Number((row as HTMLElement).dataset.seq),
        author: row.querySelector('button, span')?.textContent ?? '',
        content: row.querySelector('[data-content]')?.textContent?.trim() ?? '',
      }))
      .sort((a, b) => a.seq - b.seq)
      .map((row) => `${row.seq}:${row.author}:${row.content}`),
  );
}

async function accessibilityViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run(): Promise<{ violations: Array<{ id: string; impact: string | null }> }> };
      }
    ).axe;
    return (await axe.run()).violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => v.id);
}

describe.runIf(enabled)('the web app in Chromium', { timeout: 120_000 }, () => {
  test('two people sign up and chat in a channel and a DM; the session survives a reload', async () => {
    await using server = await startServer();
    const { alice, bob } = await twoInGeneral(server);
    await say(alice.page, 'hello from alice');
    await seen(bob.page, 'hello from alice');
    await say(bob.page, 'hi alice');
    await seen(alice.page, 'hi alice');
    expect(await shown(alice.page)).toEqual(['1:alice:hello from alice', '2:bob:hi alice']);
    await alice.page.screenshot({ path: join(shots, 'channel-desktop.png') });
    expect(await accessibilityViolations(alice.page)).toEqual([]);

    // Bob opens a DM by clicking Alice's name; Alice reloads and finds it in her list.
    await bob.page.getByRole('button', { name: 'alice', exact: true }).first().click();
    await bob.page.getByRole('heading', { name: 'Direct message' }).waitFor();
    await say(bob.page, 'just between us');
    await seen(bob.page, 'just between us');
    // The open room lives in the URL: a reload (or a shared link) lands in it again.
    expect(new URL(alice.page.url()).searchParams.get('room')).toBe('general');
    await alice.page.reload();
    await alice.page.getByText('Connected').waitFor();
    await alice.page.getByRole('heading', { name: '#general' }).waitFor();
    await seen(alice.page, 'hi alice');
    await openRoom(alice.page, 'Direct message');
    await seen(alice.page, 'just between us');
    await alice.context.close();
    await bob.context.close();
  });

  test('a guest joins global; the page looks right on a phone and passes an accessibility check', async () => {
    await using server = await startServer();
    const { context, page } = await open(server, { width: 390, height: 844 });
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: join(shots, 'welcome-mobile.png') });
    await page.getByRole('tab', { name: 'Guest' }).click();
    await page.getByLabel('Display name').fill('Visitor');
    await page.getByRole('button', { name: 'Join as guest' }).click();
    await page.getByText('Connected').waitFor();
    await say(page, 'hello crowd');
    await seen(page, 'hello crowd');
    expect(await shown(page)).toEqual(['1:Visitor:hello crowd']);
    await page.screenshot({ path: join(shots, 'global-mobile.png') });
    // On a phone the sidebar footer is hidden, but signing out is one tap away.
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);

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
    const { alice, bob } = await twoInGeneral(server);
    await say(alice.page, 'before');
    await seen(bob.page, 'before');

    const sessions = await Promise.all([alice.page, bob.page].map(sessionOf));
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
          { timeout: 40_000 },
        ),
      ),
    );
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
  });

  test('a long room: only what is visible is rendered, and older history loads when scrolling up', async () => {
    await using server = await startServer({
      env: { RATE_LIMIT_PER_SECOND: '10000', RATE_LIMIT_BURST: '10000' },
    });
    await using writer = await guestIn(server, 'Writer', 'global');
    for (let i = 1; i <= 300; i++)
      writer.send({ type: 'send', room: 'global', cid: `${i}`, content: `line ${i}` });
    await writer.next((f) => f.type === 'ack' && f.cid === '300', 20_000);

    const { context, page } = await open(server);
    await page.getByRole('tab', { name: 'Guest' }).click();
    await page.getByLabel('Display name').fill('Reader');
    await page.getByRole('button', { name: 'Join as guest' }).click();
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
    await context.close();
  });

  test('a rate-limit refusal shows a toast that explains it', async () => {
    await using server = await startServer({
      env: { RATE_LIMIT_PER_SECOND: '0.5', RATE_LIMIT_BURST: '2' },
    });
    const { context, page } = await open(server);
    await page.getByRole('tab', { name: 'Guest' }).click();
    await page.getByLabel('Display name').fill('Spammer');
    await page.getByRole('button', { name: 'Join as guest' }).click();
    await page.getByText('Connected').waitFor();
    for (let i = 0; i < 4; i++) await say(page, `spam ${i}`);
    await page.getByText('You are sending too fast').first().waitFor();
    await page.screenshot({ path: join(shots, 'rate-limited-desktop.png') });
    await context.close();
  });
});
