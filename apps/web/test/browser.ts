import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireService, type TestServer } from '@hubbub/testing';
import {
  type Browser,
  type BrowserContext,
  chromium,
  type Page,
  type WebSocketRoute,
} from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { WebSocket } from 'ws';

/** Helpers for the web app's end-to-end tests: Debian's Chromium, driven by playwright-core. */

const CHROMIUM = '/usr/bin/chromium';
const shots = fileURLToPath(new URL('../../../test-results/screenshots/', import.meta.url));
const webBuilt = existsSync(fileURLToPath(new URL('../dist/index.html', import.meta.url)));
const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

export const phone = { width: 390, height: 844 };
export const desktop = { width: 1280, height: 800 };

/**
 * Whether the browser tests can run here (a loud skip, or a failure under CI=true), and a
 * getter for one Chromium launched before the file's tests and closed after them.
 */
export function sharedChromium(): { enabled: boolean; browser(): Browser } {
  const enabled = requireService(
    'the browser',
    !existsSync(CHROMIUM)
      ? { ok: false, reason: `${CHROMIUM} is missing (apt-get install chromium)` }
      : !webBuilt
        ? { ok: false, reason: 'apps/web/dist is missing (npm run build)' }
        : { ok: true },
  );
  let browser: Browser | undefined;
  if (enabled) {
    beforeAll(async () => {
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
  }
  return {
    enabled,
    browser() {
      if (browser === undefined) throw new Error('Chromium is not running');
      return browser;
    },
  };
}

export async function open(
  browser: Browser,
  server: TestServer,
  viewport = desktop,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  await page.goto(server.httpUrl);
  return { context, page };
}

/**
 * A page whose WebSocket to the server the test can cut (as a dead network or a sleeping
 * laptop would) while the server stays up for everyone else: `cut` closes it on both ends and
 * refuses new ones until `restore`. The page's socket is relayed through this process, so the
 * server sees the close at once. HTTP is untouched.
 */
export async function openWithSocketControl(
  browser: Browser,
  server: TestServer,
  viewport = desktop,
): Promise<{ context: BrowserContext; page: Page; cut(): Promise<void>; restore(): void }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  let refusing = false;
  const live = new Set<{ page: WebSocketRoute; upstream: WebSocket }>();
  await page.routeWebSocket(/\/ws$/, (socket) => {
    if (refusing) {
      void socket.close({ code: 1001, reason: 'cut by the test' });
      return;
    }
    const upstream = new WebSocket(socket.url(), { headers: { origin: server.httpUrl } });
    const early: Array<string | Buffer> = [];
    upstream.on('open', () => {
      for (const message of early.splice(0)) upstream.send(message);
    });
    upstream.on('message', (data, binary) =>
      socket.send(binary ? Buffer.from(data as Buffer) : data.toString()),
    );
    upstream.on('close', (code) => void socket.close({ code: code === 1005 ? 1000 : code }));
    upstream.on('error', () => {});
    socket.onMessage((message) => {
      if (upstream.readyState === WebSocket.OPEN) upstream.send(message);
      else early.push(message);
    });
    socket.onClose(() => upstream.close());
    live.add({ page: socket, upstream });
  });
  await page.goto(server.httpUrl);
  return {
    context,
    page,
    async cut() {
      refusing = true;
      for (const socket of live) {
        socket.upstream.terminate();
        await socket.page.close({ code: 1001, reason: 'cut by the test' });
      }
      live.clear();
    },
    restore() {
      refusing = false;
    },
  };
}

/**
 * The screens docs/web.md shows a visitor: every run of the suite takes them afresh, into
 * docs/screenshots/ (tracked) as well as test-results/screenshots/.
 */
const documented = new Set([
  'welcome-mobile',
  'channel-desktop',
  'reactions-desktop',
  'members-desktop',
  'members-mobile',
  'no-access-mobile',
  'global-mobile',
  'rooms-drawer-mobile',
  'search-desktop',
  'events-desktop',
  'events-mobile',
  'event-room-desktop',
  'event-room-mobile',
  'analytics-desktop',
]);
const docsShots = fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url));

export async function screenshot(page: Page, name: string): Promise<Buffer> {
  const image = await page.screenshot({ path: join(shots, `${name}.png`) });
  if (documented.has(name)) {
    mkdirSync(docsShots, { recursive: true });
    writeFileSync(join(docsShots, `${name}.png`), image);
  }
  return image;
}

export async function signUp(page: Page, username: string): Promise<void> {
  await page.getByRole('tab', { name: 'Sign up' }).click();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByText('Connected').waitFor();
}

export async function joinAsGuest(page: Page, name: string): Promise<void> {
  await page.getByRole('tab', { name: 'Guest' }).click();
  await page.getByLabel('Display name').fill(name);
  await page.getByRole('button', { name: 'Join as guest' }).click();
}

/** Alice and Bob, signed up in two browser contexts, both in #general. */
export async function twoInGeneral(browser: Browser, server: TestServer) {
  const alice = await open(browser, server);
  const bob = await open(browser, server);
  await signUp(alice.page, 'alice');
  await signUp(bob.page, 'bob');
  await openRoom(alice.page, '#general');
  await openRoom(bob.page, '#general');
  return { alice, bob };
}

/** Opens a room from the room list (desktop layout), and waits for its heading. */
export async function openRoom(page: Page, name: string): Promise<void> {
  await page
    .getByRole('navigation', { name: 'Rooms' })
    .getByRole('link', { name, exact: true })
    .click();
  await page.getByRole('heading', { name, exact: true }).waitFor();
}

export async function say(page: Page, text: string): Promise<void> {
  await page.getByLabel('Message', { exact: true }).fill(text);
  await page.getByLabel('Message', { exact: true }).press('Enter');
}

/**
 * What has focus, in words: `composer`, `row:<content>` for a message row of the list, else
 * the element's label, text or tag.
 */
export function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const element = document.activeElement as HTMLElement | null;
    if (element === null || element === document.body) return 'nothing';
    if (element.id === 'composer') return 'composer';
    if (element.dataset.rowKey !== undefined)
      return `row:${element.querySelector('[data-content]')?.textContent ?? ''}`;
    return (
      element.getAttribute('aria-label') ??
      (element.textContent?.trim() || element.tagName.toLowerCase())
    );
  });
}

/** The session id the page's connection badge shows. */
export function sessionOf(page: Page): Promise<string | undefined> {
  return page
    .locator('output[data-state]')
    .evaluate((badge) => (badge as HTMLElement).dataset.session);
}

/** Starts recording every state the connection badge shows from now on (see badgeStates). */
export async function watchBadge(page: Page): Promise<void> {
  await page.evaluate(() => {
    const states: string[] = [];
    const badge = document.querySelector<HTMLElement>('output[data-state]')!;
    new MutationObserver(() => states.push(badge.dataset.state ?? '')).observe(badge, {
      attributes: true,
      attributeFilter: ['data-state'],
    });
    (window as unknown as { badgeStates: string[] }).badgeStates = states;
  });
}

/** The badge states seen since watchBadge, in order (a repeated state counts once per change). */
export function badgeStates(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { badgeStates: string[] }).badgeStates);
}

/** Waits until the page shows `text` as a stored message (not just our pending copy). */
export async function seen(page: Page, text: string, timeout = 30_000): Promise<void> {
  await page.getByTestId('message').filter({ hasText: text }).first().waitFor({ timeout });
}

/** The messages the page shows, in order, as `seq:author:content`. */
export async function shown(page: Page): Promise<string[]> {
  return page.getByTestId('message').evaluateAll((rows) =>
    rows
      .map((row) => ({
        seq: Number((row as HTMLElement).dataset.seq),
        author: row.querySelector('[data-author]')?.textContent ?? '',
        content: row.querySelector('[data-content]')?.textContent?.trim() ?? '',
      }))
      .sort((a, b) => a.seq - b.seq)
      .map((row) => `${row.seq}:${row.author}:${row.content}`),
  );
}

/** axe-core's serious and critical findings on the page as it is now. */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  // Mid-fade, text is fainter than it will be: judge contrast once entrances have finished.
  // (Endless ones, such as a spinner, are left alone.)
  await page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        .filter((a) => a.effect?.getComputedTiming().endTime !== Number.POSITIVE_INFINITY)
        // An animation cancelled meanwhile (its element gone) rejects: that one is done too.
        .map((a) => a.finished.catch(() => undefined)),
    ),
  );
  // Evaluated, not added as a <script>: the page's CSP runs no inline script.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run(): Promise<{
            violations: Array<{
              id: string;
              impact: string | null;
              nodes: Array<{ html: string }>;
            }>;
          }>;
        };
      }
    ).axe;
    return (await axe.run()).violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.html).join(' | ')}`);
}
