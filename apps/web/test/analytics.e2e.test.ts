import { RawClient, register, startServer } from '@hubbub/testing';
import { describe, expect, test } from 'vitest';
import { accessibilityViolations, open, screenshot, sharedChromium, signUp } from './browser.js';

const chromium = sharedChromium();

describe.runIf(chromium.enabled)('the analytics page, in Chromium', { timeout: 120_000 }, () => {
  test('an admin watches the figures move; anyone else is told it is for admins', async () => {
    await using server = await startServer({ env: { ADMINS: 'ada' } });
    const ada = await open(chromium.browser(), server);
    await signUp(ada.page, 'ada');
    // Reached from the chat's sidebar.
    await ada.page.getByRole('link', { name: 'Analytics' }).click();
    await ada.page.getByRole('heading', { name: 'Analytics' }).waitFor();
    const tile = (label: string) => ada.page.getByTestId(`tile-${label}`);
    await expect.poll(() => tile('Messages').textContent()).toBe('0');

    // Someone chats over the API: the page catches up within a refresh or two.
    const bob = await register(server, 'bob');
    const client = await RawClient.ready(server.wsUrl, bob.token);
    client.send({ type: 'join', room: 'general' });
    await client.next((f) => f.type === 'joined');
    for (let i = 1; i <= 3; i++) {
      client.send({ type: 'send', room: 'general', cid: `${i}`, content: `hello ${i}` });
      await client.next((f) => f.type === 'ack' && f.cid === `${i}`);
    }
    await expect.poll(() => tile('Messages').textContent(), { timeout: 15_000 }).toBe('3');
    await expect.poll(() => tile('Connections').textContent()).toBe('1');
    await ada.page.getByRole('region', { name: 'Busiest rooms' }).getByText('general').waitFor();
    // Three live charts (messages, connections, latency), drawn by uPlot on canvases.
    expect(await ada.page.locator('figure canvas').count()).toBe(3);
    expect(await accessibilityViolations(ada.page)).toEqual([]);
    await screenshot(ada.page, 'analytics-desktop');

    // Bob is no admin.
    const other = await open(chromium.browser(), server);
    await signUp(other.page, 'carol');
    await other.page.goto(`${server.httpUrl}/analytics`);
    await other.page.getByRole('alert').getByText('Analytics are for admins').waitFor();
    await client.close();
    await ada.context.close();
    await other.context.close();
  });
});
