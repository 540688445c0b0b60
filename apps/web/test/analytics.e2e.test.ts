import type { LiveEvent } from '@hubbub/protocol';
import { eventRoomOf, get, guestIn, RawClient, register, startServer } from '@hubbub/testing';
import { describe, expect, test } from 'vitest';
import { accessibilityViolations, open, screenshot, sharedChromium, signUp } from './browser.js';

const chromium = sharedChromium();

describe.runIf(chromium.enabled)('the analytics page, in Chromium', { timeout: 120_000 }, () => {
  test('an admin watches the figures move, rooms by name, each tile saying its period; anyone else has no link, and a refusal stops the polling', async () => {
    await using server = await startServer({ env: { ADMINS: 'ada' } });
    const eventRoom = await eventRoomOf(server);
    const event = (await get<LiveEvent>(server, `/api/events/${eventRoom.slice('event:'.length)}`))
      .body;
    const ada = await open(chromium.browser(), server);
    await signUp(ada.page, 'ada');
    // Reached from the chat's sidebar.
    await ada.page.getByRole('link', { name: 'Analytics' }).click();
    await ada.page.getByRole('heading', { name: 'Analytics' }).waitFor();
    const tile = (label: string) => ada.page.getByTestId(`tile-${label}`);
    await expect.poll(() => tile('Messages').textContent()).toBe('0');

    // Each tile says what period it covers.
    const period = (label: string) =>
      ada.page.getByRole('group', { name: label, exact: true }).textContent();
    expect(await period('Connections')).toContain('now');
    expect(await period('People online')).toContain('now');
    expect(await period('Peak connections')).toMatch(/since the start, .+ ago/);
    expect(await period('Messages')).toMatch(/since the start, .+ ago/);
    expect(await period('Messages / min')).toContain('last full minute');
    expect(await period('p99 latency')).toContain('last 15 minutes');

    // Someone chats over the API, and a guest in an event's room: the page catches up within
    // a refresh or two, and names the rooms as people know them.
    const bob = await register(server, 'bob');
    const client = await RawClient.ready(server.wsUrl, bob.token);
    client.send({ type: 'join', room: 'general' });
    await client.next((f) => f.type === 'joined');
    for (let i = 1; i <= 3; i++) {
      client.send({ type: 'send', room: 'general', cid: `${i}`, content: `hello ${i}` });
      await client.next((f) => f.type === 'ack' && f.cid === `${i}`);
    }
    await using fan = await guestIn(server, 'Fan', eventRoom);
    fan.send({ type: 'send', room: eventRoom, cid: 'f1', content: 'what a goal' });
    await fan.next((f) => f.type === 'ack' && f.cid === 'f1');
    await expect.poll(() => tile('Messages').textContent(), { timeout: 15_000 }).toBe('4');
    await expect.poll(() => tile('Connections').textContent()).toBe('2');
    const busiest = ada.page.getByRole('region', { name: 'Busiest rooms' });
    await busiest.getByText('#general', { exact: true }).waitFor();
    await busiest.getByText(event.name, { exact: true }).waitFor();
    expect(await busiest.textContent()).not.toContain('event:');
    // Three live charts (messages, connections, latency), drawn by uPlot on canvases.
    expect(await ada.page.locator('figure canvas').count()).toBe(3);
    expect(await accessibilityViolations(ada.page)).toEqual([]);
    await screenshot(ada.page, 'analytics-desktop');

    // Carol is no admin: her sidebar has no way there, once it knows what she may open.
    const other = await open(chromium.browser(), server);
    const asked = other.page.waitForResponse((r) => new URL(r.url()).pathname === '/api/me', {
      timeout: 10_000,
    });
    await signUp(other.page, 'carol');
    expect((await (await asked).json()) as unknown).toMatchObject({ canReadAnalytics: false });
    await other.page.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(await other.page.getByRole('link', { name: 'Analytics' }).count()).toBe(0);

    // Typed in by hand, the page says it is for admins, and stops asking: a minute on the
    // page's clock brings no second request.
    const page = await other.context.newPage();
    await page.clock.install();
    const requests: string[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/api/analytics') requests.push(r.url());
    });
    await page.goto(`${server.httpUrl}/analytics`);
    await page.getByRole('alert').getByText('Analytics are for admins').waitFor();
    for (let quarter = 0; quarter < 4; quarter++) {
      await page.clock.runFor(15_000);
      await page.getByRole('alert').getByText('Analytics are for admins').waitFor();
    }
    expect(requests).toHaveLength(1);
    await client.close();
    await ada.context.close();
    await other.context.close();
  });
});
