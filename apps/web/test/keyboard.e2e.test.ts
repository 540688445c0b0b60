import { register, startServer } from '@hubbub/testing';
import { describe, expect, test } from 'vitest';
import {
  accessibilityViolations,
  focused,
  joinAsGuest,
  open,
  openWithSocketControl,
  say,
  screenshot,
  seen,
  sharedChromium,
  signUp,
} from './browser.js';

const chromium = sharedChromium();

describe.runIf(chromium.enabled)('the chat by keyboard, in Chromium', { timeout: 120_000 }, () => {
  test('keyboard only: skip link, one tab stop for the list, arrows, reply, edit, delete, dialogs that start at their field', async () => {
    await using server = await startServer();
    const { context, page } = await open(chromium.browser(), server);
    await signUp(page, 'kim');
    // Signed in: the caret is in the composer of the open room, which is the page's h1.
    await expect.poll(() => focused(page)).toBe('composer');
    expect(await page.locator('h1').textContent()).toBe('#global');
    expect(await page.locator('main').count()).toBe(1);
    for (const text of ['first words', 'second words', 'third words']) {
      await page.keyboard.type(text);
      await page.keyboard.press('Enter');
      await seen(page, text);
    }
    // One author within minutes: one name for the group, one divider for the day.
    expect(await page.locator('[data-author]:not(.sr-only)').count()).toBe(1);
    expect(await page.getByTestId('day-divider').allTextContents()).toEqual(['Today']);

    // The first stop of Tab on the page is the skip link, which lands in the composer.
    const first = await page.evaluate(
      () =>
        Array.from(
          document.querySelectorAll<HTMLElement>('a[href], button, input, textarea, [tabindex]'),
        ).find((element) => element.tabIndex >= 0)?.textContent,
    );
    expect(first).toBe('Skip to the message box');
    await page.getByRole('button', { name: 'Skip to the message box' }).focus();
    expect(await page.getByRole('button', { name: 'Skip to the message box' }).isVisible()).toBe(
      true,
    );
    await page.keyboard.press('Enter');
    await expect.poll(() => focused(page)).toBe('composer');

    // Back from the composer, the list is one stop: the newest row; arrows walk it.
    await page.keyboard.press('Shift+Tab');
    if ((await focused(page)) === 'Attach files') await page.keyboard.press('Shift+Tab');
    await expect.poll(() => focused(page)).toBe('row:third words');
    await page.keyboard.press('ArrowUp');
    await expect.poll(() => focused(page)).toBe('row:second words');
    expect(await page.evaluate(() => document.activeElement?.matches(':focus-visible'))).toBe(true);
    await page.keyboard.press('Home');
    await expect.poll(() => focused(page)).toBe('row:first words');
    await page.keyboard.press('ArrowDown');
    // Only the active row's controls are in the tab order.
    const tabbable = await page
      .getByTestId('timeline')
      .evaluate((list) =>
        Array.from(
          list.querySelectorAll<HTMLElement>('[tabindex="0"], button:not([tabindex="-1"])'),
        ).map(
          (element) =>
            element.closest('[data-row-key]')?.querySelector('[data-content]')?.textContent,
        ),
      );
    expect(new Set(tabbable)).toEqual(new Set(['second words']));
    await screenshot(page, 'keyboard-focus-desktop');

    // Enter opens the row's actions; Reply puts the caret in the composer, Escape cancels it.
    await page.keyboard.press('Enter');
    await page.getByRole('menuitem', { name: 'Reply' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => focused(page)).toBe('composer');
    await page.getByText('Replying to').waitFor();
    await page.keyboard.press('Escape');
    expect(await page.getByText('Replying to').count()).toBe(0);
    await page.keyboard.type('kept');
    expect(await page.getByLabel('Message', { exact: true }).inputValue()).toBe('kept');

    // Edit by keyboard: the caret goes into the edit box; Escape leaves it unchanged, back in
    // the composer with what was typed there, and no reaction sneaked in.
    await page.getByLabel('Message', { exact: true }).fill('');
    await page.keyboard.press('Shift+Tab');
    if ((await focused(page)) === 'Attach files') await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('menuitem', { name: 'Edit message' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => focused(page)).toBe('Edit message');
    await page.keyboard.press('End');
    await page.keyboard.type(', edited');
    await page.keyboard.press('Enter');
    await expect.poll(() => focused(page)).toBe('composer');
    await page.getByText('second words, edited').waitFor();
    expect(await page.getByTestId('reactions').count()).toBe(0);

    // Delete asks first; Cancel keeps it and returns to the menu's button, Delete removes it.
    await page.keyboard.press('Shift+Tab');
    if ((await focused(page)) === 'Attach files') await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('menuitem', { name: 'Delete message…' }).focus();
    await page.keyboard.press('Enter');
    const confirm = page.getByRole('dialog', { name: 'Delete this message?' });
    await confirm.waitFor();
    await expect.poll(() => focused(page)).toBe('Cancel');
    await page.keyboard.press('Escape');
    await expect.poll(() => focused(page)).toMatch(/^Actions for kim/);
    // A reaction sent after it on the same socket comes back: a delete sent by Cancel would
    // have been answered first, so the message is seen kept, not just not yet deleted.
    await page.keyboard.press('Enter');
    await page.getByRole('menuitem', { name: 'React with 👍' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: /👍 1: kim/ }).waitFor();
    expect(await page.getByText('message deleted').count()).toBe(0);
    await expect.poll(() => focused(page)).toMatch(/^Actions for kim/);
    await page.keyboard.press('Enter');
    await page.getByRole('menuitem', { name: 'Delete message…' }).focus();
    await page.keyboard.press('Enter');
    await confirm.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByText('message deleted').waitFor();
    await expect.poll(() => focused(page)).toBe('composer');

    // Each dialog opens on its first field, not on Close.
    for (const [button, field] of [
      ['Search messages', 'Search for'],
      ['Create a channel', 'Name'],
      ['New message', 'Find a person'],
      ['Browse channels', 'Filter channels'],
    ] as const) {
      await page.getByRole('button', { name: button }).click();
      const dialog = page.getByRole('dialog');
      await dialog.waitFor();
      expect(
        await dialog
          .getByLabel(field, { exact: true })
          .evaluate((e) => e === document.activeElement),
        `${button} opens on ${field}`,
      ).toBe(true);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
    }
    expect(await accessibilityViolations(page)).toEqual([]);

    // Rooms in the list are links (a new tab works); opening one puts the caret in its composer.
    const general = page.getByRole('navigation', { name: 'Rooms' }).getByRole('link', {
      name: '#general',
      exact: true,
    });
    expect(await general.getAttribute('href')).toBe('/?room=general');
    await general.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: '#general', level: 1 }).waitFor();
    await expect.poll(() => focused(page)).toBe('composer');
    await context.close();
  });

  test('reactions and edits survive a restart and an absence; emote-only and members-only show in the composer before sending', async () => {
    await using server = await startServer({ env: { ADMINS: 'ada' } });
    await register(server, 'ada');
    const { context, page } = await open(chromium.browser(), server);
    await page.getByLabel('Username').fill('ada');
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByText('Connected').waitFor();
    await say(page, 'react to me');
    await seen(page, 'react to me');
    const row = page.getByTestId('message').filter({ hasText: 'react to me' });
    await row.getByRole('button', { name: /^Actions for/ }).click();
    await page.getByRole('menuitem', { name: 'React with 🎉' }).click();
    await row.getByTestId('reactions').getByText('1').waitFor();

    // The server restarts; a fresh page load is answered from the restarted log.
    await server.restart();
    await page.reload();
    await page.getByText('Connected').waitFor();
    await row.getByRole('button', { name: /🎉 1: ada/ }).waitFor();

    // A visitor who is away while Ada edits and reacts sees both once back.
    const guest = await openWithSocketControl(chromium.browser(), server);
    await joinAsGuest(guest.page, 'Visitor');
    await guest.page.getByText('Connected').waitFor();
    await seen(guest.page, 'react to me');
    await page.getByText('2 online').waitFor();
    await guest.cut();
    await guest.page.getByText(/Reconnecting/).waitFor();
    // Gone as far as the server knows: presence says so.
    await page.getByText('1 online').waitFor();
    await row.getByRole('button', { name: /^Actions for/ }).click();
    await page.getByRole('menuitem', { name: 'Edit message' }).click();
    await page.getByLabel('Edit message').fill('react to me, edited');
    await page.getByLabel('Edit message').press('Enter');
    await row.getByRole('button', { name: /^Actions for/ }).click();
    await page.getByRole('menuitem', { name: 'React with 👍' }).click();
    await row.getByRole('button', { name: /👍 1: ada/ }).waitFor();
    guest.restore();
    await guest.page.getByRole('button', { name: 'Reconnect now' }).click();
    const theirs = guest.page.getByTestId('message').filter({ hasText: 'react to me' });
    await theirs.getByText('react to me, edited').waitFor();
    await theirs.getByRole('button', { name: /👍 1: ada/ }).waitFor();
    await theirs.getByRole('button', { name: /🎉 1: ada/ }).waitFor();

    // Ada, admin of #global, turns members-only and emote-only on.
    await page.getByRole('button', { name: 'Room options' }).click();
    await page.getByRole('menuitemcheckbox', { name: 'Members only (no guests)' }).click();
    const box = guest.page.getByLabel('Message', { exact: true });
    await expect.poll(() => box.getAttribute('aria-disabled')).toBe('true');
    expect(await box.evaluate((e) => (e as HTMLTextAreaElement).readOnly)).toBe(true);
    await guest.page.getByText('Members-only mode: sign in to chat here').waitFor();
    await screenshot(guest.page, 'members-only-composer-desktop');

    await page.getByRole('button', { name: 'Room options' }).click();
    await page.getByRole('menuitemcheckbox', { name: 'Members only (no guests)' }).click();
    await page.getByRole('button', { name: 'Room options' }).click();
    await page.getByRole('menuitemcheckbox', { name: 'Emote only' }).click();
    await expect.poll(() => box.getAttribute('placeholder')).toBe('Emoji only in #global');
    await box.fill('hello');
    await guest.page.getByText('Emote-only mode: only emoji can be sent here.').waitFor();
    expect(await box.getAttribute('aria-invalid')).toBe('true');
    expect(await guest.page.getByRole('button', { name: 'Send' }).isDisabled()).toBe(true);
    await box.fill('🎉🎉');
    expect(await guest.page.getByRole('button', { name: 'Send' }).isDisabled()).toBe(false);
    await box.press('Enter');
    await seen(page, '🎉🎉');
    // The admin is exempt: her composer takes words.
    expect(await page.getByLabel('Message', { exact: true }).getAttribute('placeholder')).toBe(
      'Message #global',
    );
    await guest.context.close();
    await context.close();
  });
});
