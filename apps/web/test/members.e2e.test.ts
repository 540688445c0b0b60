import { startServer } from '@hubbub/testing';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import {
  accessibilityViolations,
  focused,
  open,
  phone,
  say,
  screenshot,
  seen,
  sharedChromium,
  signUp,
} from './browser.js';

const chromium = sharedChromium();

async function openMembers(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Room options' }).click();
  await page.getByRole('menuitem', { name: 'Members' }).click();
}

describe.runIf(chromium.enabled)('a channel’s people, in Chromium', { timeout: 120_000 }, () => {
  test('a private channel gets a member, a moderator and loses one; strangers see a door, not a room', async () => {
    await using server = await startServer();
    const browser = chromium.browser();
    const alice = await open(browser, server);
    await signUp(alice.page, 'alice');
    const bob = await open(browser, server, phone);
    await signUp(bob.page, 'bob');

    // Alice makes #backstage, private.
    await alice.page.getByRole('button', { name: 'Create a channel' }).click();
    const create = alice.page.getByRole('dialog', { name: 'Create a channel' });
    await create.getByLabel('Name').fill('backstage');
    await create.getByRole('checkbox').check();
    await create.getByRole('button', { name: 'Create channel' }).click();
    await alice.page.getByRole('heading', { name: '#backstage', level: 1 }).waitFor();
    await say(alice.page, 'crew only');
    await seen(alice.page, 'crew only');

    // Bob follows a link to it: a clear "no access" with a way back, and nothing to type in.
    await bob.page.goto(`${server.httpUrl}/?room=backstage`);
    const door = bob.page.getByTestId('room-unavailable');
    await door.getByRole('heading', { name: 'You don’t have access to #backstage' }).waitFor();
    expect(await bob.page.getByLabel('Message', { exact: true }).count()).toBe(0);
    expect(await bob.page.getByText('crew only').count()).toBe(0);
    await expect.poll(() => focused(bob.page)).toBe('You don’t have access to #backstage');
    await screenshot(bob.page, 'no-access-mobile');
    expect(await accessibilityViolations(bob.page)).toEqual([]);

    // Alice opens the members panel: focus is in the add field; she finds Bob and adds him.
    await openMembers(alice.page);
    const panel = alice.page.getByRole('dialog', { name: '#backstage' });
    await panel.getByText('Private channel: only its members can see it.').waitFor();
    await expect.poll(() => focused(alice.page)).toBe('Add people to #backstage');
    await alice.page.keyboard.type('bo');
    await panel.getByRole('button', { name: 'Add bob' }).click();
    await panel.getByTestId('member').filter({ hasText: 'bob' }).waitFor();
    await expect.poll(() => focused(alice.page)).toBe('Add people to #backstage');
    // Bob's door opens by itself: he was added, and the room is there.
    await seen(bob.page, 'crew only');
    await bob.page.getByLabel('Message', { exact: true }).waitFor();

    // She makes him a moderator: he is told, and his menus change at once.
    await panel.getByLabel('Role of bob').selectOption('moderator');
    const told = bob.page.getByText('alice made you a moderator of #backstage.');
    await told.waitFor();
    // On a phone the toast sits over the header's buttons until it goes, as a person sees.
    await told.waitFor({ state: 'detached' });
    await bob.page.getByRole('button', { name: 'Room options' }).click();
    await bob.page.getByRole('menuitemradio', { name: 'One message every 30 s' }).waitFor();
    await bob.page.keyboard.press('Escape');

    // The only owner cannot step down: said in the panel, and nothing changes.
    await panel.getByLabel('Role of alice').selectOption('member');
    await panel
      .getByRole('alert')
      .getByText(/another owner first/)
      .waitFor();
    expect(await panel.getByLabel('Role of alice').inputValue()).toBe('owner');
    expect(await accessibilityViolations(alice.page)).toEqual([]);
    await screenshot(alice.page, 'members-desktop');

    // The activity log says who did what, in words.
    await panel.getByRole('tab', { name: 'Activity log' }).click();
    const log = panel.getByRole('list', { name: 'Activity log' });
    await log.getByText('alice made bob a moderator').waitFor();
    await log.getByText('alice added bob').waitFor();
    // The refused step-down left no trace: Alice is still the owner.
    expect(await log.getByText('alice made alice').count()).toBe(0);

    // Removed, Bob is out at once and told so in place of the room.
    await panel.getByRole('tab', { name: /Members/ }).click();
    await panel.getByRole('button', { name: 'Remove bob' }).click();
    await bob.page
      .getByTestId('room-unavailable')
      .getByRole('heading', { name: 'You were removed from #backstage.' })
      .waitFor();
    expect(await bob.page.getByLabel('Message', { exact: true }).count()).toBe(0);
    await bob.page.getByRole('button', { name: 'Go to #global' }).click();
    await bob.page.getByRole('heading', { name: '#global', level: 1 }).waitFor();

    // Bob looks at the members of a public channel on his phone: names and roles, no controls.
    await bob.page.goto(`${server.httpUrl}/?room=general`);
    await bob.page.getByRole('heading', { name: '#general', level: 1 }).waitFor();
    await openMembers(bob.page);
    const general = bob.page.getByRole('dialog', { name: '#general' });
    await general.getByTestId('member').filter({ hasText: 'alice' }).waitFor();
    expect(await general.getByRole('combobox').count()).toBe(0);
    expect(await general.getByRole('tab', { name: 'Activity log' }).count()).toBe(0);
    await screenshot(bob.page, 'members-mobile');

    // A room that does not exist says so.
    await bob.page.goto(`${server.httpUrl}/?room=event:no-such-event`);
    await bob.page
      .getByTestId('room-unavailable')
      .getByText(/does not exist/)
      .waitFor();
    await alice.context.close();
    await bob.context.close();
  });
});
