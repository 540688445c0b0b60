import { register, startServer } from '@hubbub/testing';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { accessibilityViolations, open, phone, screenshot, sharedChromium } from './browser.js';

const chromium = sharedChromium();

/** The `name` of the focused element (the form's fields are named username and password). */
const focused = (page: Page) =>
  page.evaluate(
    () => document.activeElement?.getAttribute('name') ?? document.activeElement?.tagName,
  );

/** Whether a field is marked invalid, and what its description (aria-describedby) says. */
async function state(page: Page, label: string): Promise<{ invalid: boolean; says: string }> {
  return page.getByLabel(label, { exact: true }).evaluate((input) => ({
    invalid: input.getAttribute('aria-invalid') === 'true',
    says: (input.getAttribute('aria-describedby') ?? '')
      .split(' ')
      .filter((id) => id !== '')
      .map((id) => document.getElementById(id)?.textContent ?? '')
      .join(' '),
  }));
}

/** Presses Tab until the field named `name` has the focus (at most a few times). */
async function tabTo(page: Page, name: string): Promise<void> {
  for (let i = 0; i < 6 && (await focused(page)) !== name; i++) await page.keyboard.press('Tab');
  expect(await focused(page)).toBe(name);
}

/** Replaces the focused field's text, as a person does: select all, type. */
async function retype(page: Page, text: string): Promise<void> {
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type(text);
}

const errorToasts = (page: Page) => page.locator('[data-sonner-toast][data-type="error"]');

describe.runIf(chromium.enabled)('signing in, in Chromium', { timeout: 60_000 }, () => {
  test('sign-up and log-in errors are at their field, in plain words, focused, gone once edited; no error toast outlives the success', async () => {
    await using server = await startServer();
    await register(server, 'taken');
    const { context, page } = await open(chromium.browser(), server);

    // Keyboard only: into the tabs, across to Sign up, down to the form.
    await page.getByRole('tab', { name: 'Log in' }).waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Log in');
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('tab', { name: 'Sign up' }).getAttribute('aria-selected')).toBe(
      'true',
    );
    await tabTo(page, 'username');
    await page.keyboard.type('bad name!');
    await page.keyboard.press('Tab');
    await page.keyboard.type('short');
    await page.keyboard.press('Enter');

    // Both fields say what is wrong, and the first of them has the focus.
    await expect.poll(() => state(page, 'Username')).toMatchObject({ invalid: true });
    expect((await state(page, 'Username')).says).toContain(
      'Use letters, digits, dot, dash or underscore',
    );
    expect(await state(page, 'Password')).toMatchObject({
      invalid: true,
      says: expect.stringContaining('Use at least 8 characters'),
    });
    expect(await focused(page)).toBe('username');
    await screenshot(page, 'welcome-errors-desktop');
    expect(await accessibilityViolations(page)).toEqual([]);

    // Editing a field clears its error, and only its own.
    await retype(page, 'taken');
    expect(await state(page, 'Username')).toEqual({ invalid: false, says: expect.any(String) });
    expect((await state(page, 'Username')).says).not.toContain('Use letters');
    expect((await state(page, 'Password')).invalid).toBe(true);
    await page.keyboard.press('Tab');
    await retype(page, 'correct horse battery');
    expect((await state(page, 'Password')).invalid).toBe(false);

    // Refused by the server (409): the username is taken; the focus goes back to it.
    await page.keyboard.press('Enter');
    await expect.poll(() => state(page, 'Username')).toMatchObject({ invalid: true });
    expect((await state(page, 'Username')).says).toContain('That username is taken');
    expect(await focused(page)).toBe('username');
    expect(await errorToasts(page).count()).toBe(0);
    await retype(page, 'newbie');
    await page.keyboard.press('Enter');
    await page.getByText('Connected').waitFor();

    // Log in with the wrong password (401): said at the password, which has the focus.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('tab', { name: 'Log in' }).waitFor();
    await page.getByLabel('Username', { exact: true }).fill('newbie');
    await page.getByLabel('Password', { exact: true }).fill('not my password');
    await page.keyboard.press('Enter');
    await expect.poll(() => state(page, 'Password')).toMatchObject({ invalid: true });
    expect((await state(page, 'Password')).says).toContain('Wrong username or password');
    expect(await focused(page)).toBe('password');

    // The right one: in, and nothing about the failure is left on screen.
    await retype(page, 'correct horse battery');
    expect((await state(page, 'Password')).invalid).toBe(false);
    await page.keyboard.press('Enter');
    await page.getByText('Connected').waitFor();
    expect(await errorToasts(page).count()).toBe(0);
    await context.close();
  });

  test('on a phone: a guest without a name is told at the field; past the login limit, how long to wait', async () => {
    await using server = await startServer({ env: { LOGIN_ATTEMPTS_PER_ACCOUNT: '2' } });
    await register(server, 'ada');
    const { context, page } = await open(chromium.browser(), server, phone);

    await page.getByRole('tab', { name: 'Guest' }).click();
    await page.getByLabel('Display name', { exact: true }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => state(page, 'Display name')).toMatchObject({ invalid: true });
    expect((await state(page, 'Display name')).says).toContain('Enter a display name');
    expect(await focused(page)).toBe('username');
    // A name that passes for an account's (here ada's, in capitals) is refused at the field.
    await page.keyboard.type('ADA');
    await page.keyboard.press('Enter');
    await expect.poll(() => state(page, 'Display name')).toMatchObject({ invalid: true });
    expect((await state(page, 'Display name')).says).toContain('looks like, an account’s name');

    // Two wrong passwords, then the server refuses a third try (429 with Retry-After).
    await page.getByRole('tab', { name: 'Log in' }).click();
    await page.getByLabel('Username', { exact: true }).fill('ada');
    await page.getByLabel('Password', { exact: true }).fill('guess one');
    for (let attempt = 1; attempt <= 2; attempt++) {
      await page.keyboard.press('Enter');
      await expect.poll(() => state(page, 'Password')).toMatchObject({ invalid: true });
      await retype(page, `guess ${attempt + 1}`);
    }
    await page.keyboard.press('Enter');
    const alert = page.getByRole('alert').filter({ hasText: 'Too many attempts' });
    await alert.waitFor();
    // Retry-After is 450 s: two attempts refill over 15 minutes.
    expect(await alert.textContent()).toMatch(/Try again in 8 minutes/);
    expect(await focused(page)).toBe('password');
    expect(await errorToasts(page).count()).toBe(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      phone.width,
    );
    await screenshot(page, 'welcome-limited-mobile');
    expect(await accessibilityViolations(page)).toEqual([]);

    // A guest is still welcome.
    await page.getByRole('tab', { name: 'Guest' }).click();
    await page.getByLabel('Display name', { exact: true }).fill('Visitor');
    await page.keyboard.press('Enter');
    await page.getByText('Connected').waitFor();
    await context.close();
  });
});
