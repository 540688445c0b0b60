import { guestIn, startServer } from '@hubbub/testing';
import sharp from 'sharp';
import { describe, expect, test } from 'vitest';
import {
  accessibilityViolations,
  joinAsGuest,
  open,
  openRoom,
  say,
  screenshot,
  seen,
  sharedChromium,
  twoInGeneral,
} from './browser.js';

const chromium = sharedChromium();

describe.runIf(chromium.enabled)(
  'conversations that feel alive, in Chromium',
  { timeout: 120_000 },
  () => {
    test('who is online and who is typing: shown to the other person, gone when the message lands', async () => {
      await using server = await startServer();
      const { alice, bob } = await twoInGeneral(chromium.browser(), server);
      // Both are in #general: each sees two online, and the list names them.
      for (const { page } of [alice, bob]) await page.getByText('2 online').waitFor();
      await alice.page.getByRole('button', { name: '2 online: show who' }).click();
      const online = alice.page.getByRole('dialog', { name: 'Online now' });
      await online.getByText('bob').waitFor();
      await online.getByText('alice (you)').waitFor();
      expect(await accessibilityViolations(alice.page)).toEqual([]);
      await alice.page.keyboard.press('Escape');

      // Bob types: Alice sees it, Bob does not see his own.
      await bob.page.getByLabel('Message', { exact: true }).pressSequentially('on my way', {
        delay: 20,
      });
      await alice.page.getByText('bob is typing…').waitFor();
      await screenshot(alice.page, 'typing-desktop');
      expect(await bob.page.getByText('is typing…').count()).toBe(0);
      await bob.page.getByLabel('Message', { exact: true }).press('Enter');
      await seen(alice.page, 'on my way');
      await expect.poll(() => alice.page.getByText('bob is typing…').count()).toBe(0);

      // Channels one is in stay joined: Bob reading #tech is still online in #general.
      await bob.page
        .getByRole('navigation', { name: 'Rooms' })
        .getByRole('link', { name: '#tech' })
        .click();
      await bob.page.getByRole('heading', { name: '#tech' }).waitFor();

      // A DM says whether the other person is there; Alice's list learns of it at once.
      await bob.page.getByRole('button', { name: 'New message' }).click();
      await bob.page.getByLabel('Find a person').fill('alice');
      await bob.page
        .getByRole('dialog', { name: 'New message' })
        .getByRole('button', { name: /alice/ })
        .click();
      await bob.page.getByText('here now').waitFor();
      await say(bob.page, 'ping');
      await alice.page
        .getByRole('navigation', { name: 'Rooms' })
        .getByRole('link', { name: 'bob' })
        .click();
      await seen(alice.page, 'ping');

      // The room list shows it too: a green dot on the other person's avatar.
      const dot = bob.page
        .getByRole('navigation', { name: 'Rooms' })
        .getByRole('link', { name: 'alice' })
        .locator('.bg-emerald-400');
      await dot.waitFor();

      // Alice closes her browser: Bob's DM says she is away, and #general counts one.
      await alice.context.close();
      await bob.page.getByText('away').waitFor();
      expect(await dot.count()).toBe(0);
      await bob.page
        .getByRole('navigation', { name: 'Rooms' })
        .getByRole('link', { name: '#general' })
        .click();
      await bob.page.getByText('1 online').waitFor();
      await bob.context.close();
    });

    test('receipts: DM ticks go sent → delivered → read, "seen by" in a channel, unread badges on every device', async () => {
      await using server = await startServer();
      const { alice, bob } = await twoInGeneral(chromium.browser(), server);
      // Bob has a second tab open on #support.
      const bobTab = await bob.context.newPage();
      await bobTab.goto(`${server.httpUrl}/?room=support`);
      await bobTab.getByText('Connected').waitFor();

      // Alice writes to Bob in a DM he has not opened: it reaches his devices (delivered).
      await alice.page.getByRole('button', { name: 'New message' }).click();
      await alice.page.getByLabel('Find a person').fill('bob');
      await alice.page
        .getByRole('dialog', { name: 'New message' })
        .getByRole('button', { name: /bob/ })
        .click();
      // The DM opens once the server made it: only then does the composer write to it.
      await alice.page.getByRole('heading', { name: 'bob', exact: true }).waitFor();
      await say(alice.page, 'are you there?');
      await seen(alice.page, 'are you there?');
      const ticks = alice.page
        .getByTestId('message')
        .filter({ hasText: 'are you there?' })
        .getByRole('img');
      await expect.poll(() => ticks.getAttribute('data-delivery')).toBe('delivered');
      for (const page of [bob.page, bobTab]) {
        await page
          .getByRole('navigation', { name: 'Rooms' })
          .getByRole('link', { name: 'alice' })
          .getByTestId('unread')
          .filter({ hasText: '1' })
          .waitFor();
      }
      await screenshot(bob.page, 'unread-desktop');

      // Bob opens it in one tab: Alice sees it read, and both of his tabs drop the badge.
      await bob.page
        .getByRole('navigation', { name: 'Rooms' })
        .getByRole('link', { name: 'alice' })
        .click();
      await seen(bob.page, 'are you there?');
      await expect.poll(() => ticks.getAttribute('data-delivery')).toBe('read');
      expect(await ticks.getAttribute('aria-label')).toBe('Read');
      await screenshot(alice.page, 'dm-read-desktop');
      for (const page of [bob.page, bobTab]) {
        await expect.poll(() => page.getByTestId('unread').count()).toBe(0);
      }

      // In a channel, one's latest message says how many others have seen it.
      await alice.page
        .getByRole('navigation', { name: 'Rooms' })
        .getByRole('link', { name: '#general' })
        .click();
      await say(alice.page, 'hello everyone');
      await seen(alice.page, 'hello everyone');
      await bob.page
        .getByRole('navigation', { name: 'Rooms' })
        .getByRole('link', { name: '#general' })
        .click();
      await seen(bob.page, 'hello everyone');
      await alice.page.getByTestId('seen-by').filter({ hasText: 'Seen by 1' }).waitFor();
      expect(await accessibilityViolations(alice.page)).toEqual([]);
      await alice.context.close();
      await bob.context.close();
    });

    test('editing, reacting and replying from the message menu; everyone sees all three', async () => {
      await using server = await startServer();
      const { alice, bob } = await twoInGeneral(chromium.browser(), server);
      await say(alice.page, 'see you at 8');
      await seen(bob.page, 'see you at 8');
      const line = alice.page.getByTestId('message').filter({ hasText: 'see you at 8' });
      await line.getByRole('button', { name: /^Actions for/ }).click();
      await alice.page.getByRole('menuitem', { name: 'Edit message' }).click();
      const box = alice.page.getByLabel('Edit message');
      await box.fill('see you at 9');
      await screenshot(alice.page, 'editing-desktop');
      await box.press('Enter');
      for (const page of [alice.page, bob.page]) {
        const edited = page.getByTestId('message').filter({ hasText: 'see you at 9' });
        await edited.getByText('(edited)').waitFor();
      }
      expect(await bob.page.getByText('see you at 8').count()).toBe(0);
      // Bob's menu on Alice's message offers no edit.
      await bob.page
        .getByTestId('message')
        .filter({ hasText: 'see you at 9' })
        .getByRole('button', { name: /^Actions for/ })
        .click();
      expect(await bob.page.getByRole('menuitem', { name: 'Edit message' }).count()).toBe(0);

      // …but a reaction: both see it; Alice joins in by clicking it, and takes it back.
      await bob.page.getByRole('menuitem', { name: 'React with 🎉' }).click();
      const chip = (page: typeof alice.page) =>
        page
          .getByTestId('message')
          .filter({ hasText: 'see you at 9' })
          .getByTestId('reactions')
          .getByRole('button');
      await chip(alice.page).filter({ hasText: '1' }).waitFor();
      expect(await chip(alice.page).getAttribute('aria-label')).toBe('🎉 1: bob');
      await chip(alice.page).click();
      await chip(bob.page).filter({ hasText: '2' }).waitFor();
      expect(await chip(alice.page).getAttribute('aria-pressed')).toBe('true');
      await screenshot(bob.page, 'reactions-desktop');
      await chip(alice.page).click();
      await chip(bob.page).filter({ hasText: '1' }).waitFor();

      // Bob replies to it: the reply quotes it for both of them.
      await bob.page
        .getByTestId('message')
        .filter({ hasText: 'see you at 9' })
        .getByRole('button', { name: /^Actions for/ })
        .click();
      await bob.page.getByRole('menuitem', { name: 'Reply' }).click();
      await bob.page.getByText('Replying to alice').waitFor();
      await say(bob.page, 'count me in');
      for (const page of [alice.page, bob.page]) {
        const reply = page.getByTestId('message').filter({ hasText: 'count me in' });
        await reply.getByTestId('quote').filter({ hasText: 'alice: see you at 9' }).waitFor();
      }
      expect(await bob.page.getByRole('button', { name: 'Cancel reply' }).count()).toBe(0);
      await screenshot(alice.page, 'reply-desktop');
      await alice.context.close();
      await bob.context.close();
    });

    test('@mentions: completed in the composer, announced to the person elsewhere, counted and highlighted', async () => {
      await using server = await startServer();
      const { alice, bob } = await twoInGeneral(chromium.browser(), server);
      await openRoom(bob.page, '#tech');
      const box = alice.page.getByLabel('Message', { exact: true });
      await box.pressSequentially('thanks @bo', { delay: 20 });
      const picker = alice.page.getByRole('listbox', { name: 'People to mention' });
      await picker.getByRole('option', { name: /bob/ }).waitFor();
      expect(await accessibilityViolations(alice.page)).toEqual([]);
      await box.press('Enter');
      await expect.poll(() => box.inputValue()).toBe('thanks @bob ');
      await box.pressSequentially('for the help', { delay: 10 });
      await box.press('Enter');

      // Bob is reading #tech: a toast says who and where, #general counts the mention.
      await bob.page.getByText('alice mentioned you in #general').waitFor();
      const general = bob.page
        .getByRole('navigation', { name: 'Rooms' })
        .getByRole('link', { name: '#general', exact: true });
      await general.getByTestId('mentions').filter({ hasText: '@1' }).waitFor();
      await screenshot(bob.page, 'mention-desktop');
      await bob.page.getByRole('button', { name: 'Open' }).click();
      await bob.page.getByRole('heading', { name: '#general', exact: true }).waitFor();
      const line = bob.page.locator('[data-mentions-me]');
      await line.getByText('@bob').waitFor();
      expect(await line.locator('[data-mention="me"]').textContent()).toBe('@bob');
      await expect.poll(() => general.getByTestId('mentions').count()).toBe(0);
      // Alice's own view marks the name, not the line.
      await seen(alice.page, 'thanks @bob for the help');
      expect(await alice.page.locator('[data-mentions-me]').count()).toBe(0);
    });

    test('search: matches marked, a hit 400 messages back opens in context', async () => {
      await using server = await startServer({
        env: { RATE_LIMIT_PER_SECOND: '10000', RATE_LIMIT_BURST: '10000' },
      });
      await using writer = await guestIn(server, 'Writer', 'global');
      for (let i = 1; i <= 400; i++) {
        const content = i === 7 ? 'the kickoff is at eight' : `line ${i}`;
        writer.send({ type: 'send', room: 'global', cid: `${i}`, content });
      }
      await writer.next((f) => f.type === 'ack' && f.cid === '400', 20_000);

      const { page } = await open(chromium.browser(), server);
      await joinAsGuest(page, 'Reader');
      await seen(page, 'line 400');
      await page.getByRole('button', { name: 'Search messages' }).click();
      const dialog = page.getByRole('dialog', { name: 'Search messages' });
      await dialog.getByLabel('Search for').fill('Kickoff eig');
      const hit = dialog.getByTestId('search-hit');
      await hit.waitFor();
      expect(await hit.locator('mark').allTextContents()).toEqual(['kickoff', 'eight']);
      expect(await hit.count()).toBe(1);
      expect(await accessibilityViolations(page)).toEqual([]);
      await screenshot(page, 'search-desktop');
      await hit.click();
      const focused = page.locator('[data-focused]');
      await focused.getByText('the kickoff is at eight').waitFor({ timeout: 15_000 });
      await expect.poll(() => focused.isVisible()).toBe(true);
      expect(new URL(page.url()).searchParams.get('at')).toBe('7');
    });

    test('media: an image by picker, a PDF by drop, an image by paste; the other person sees them', async () => {
      await using server = await startServer();
      const { alice, bob } = await twoInGeneral(chromium.browser(), server);
      const png = await sharp({
        create: { width: 640, height: 360, channels: 3, background: '#f80' },
      })
        .png()
        .toBuffer();
      await alice.page
        .locator('input[type=file]')
        .setInputFiles({ name: 'sunset.png', mimeType: 'image/png', buffer: png });
      const chips = alice.page.getByRole('list', { name: 'Attachments' });
      await chips.getByText('ready').waitFor();
      expect(await accessibilityViolations(alice.page)).toEqual([]);
      await say(alice.page, 'look at this');

      const image = bob.page.getByRole('button', { name: 'Open image sunset.png' });
      await image.waitFor();
      await expect
        .poll(() => image.locator('img').evaluate((img: HTMLImageElement) => img.naturalWidth))
        .toBe(320);
      await screenshot(bob.page, 'image-message');
      await image.click();
      const lightbox = bob.page.getByRole('dialog', { name: 'sunset.png' });
      await expect
        .poll(() => lightbox.getByRole('img').evaluate((img: HTMLImageElement) => img.naturalWidth))
        .toBe(640);
      expect(await accessibilityViolations(bob.page)).toEqual([]);
      await bob.page.keyboard.press('Escape');

      // A PDF dropped on the room, then an image pasted into the box, sent together.
      const pdf = '%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n';
      await alice.page.evaluate(
        ({ pdf, png }) => {
          const room = document.querySelector('[data-testid=timeline]');
          const drop = new DataTransfer();
          drop.items.add(new File([pdf], 'minutes.pdf', { type: 'application/pdf' }));
          room?.dispatchEvent(new DragEvent('dragover', { bubbles: true, dataTransfer: drop }));
          room?.dispatchEvent(new DragEvent('drop', { bubbles: true, dataTransfer: drop }));
          const paste = new DataTransfer();
          const bytes = Uint8Array.from(atob(png), (c) => c.charCodeAt(0));
          paste.items.add(new File([bytes], 'clip.png', { type: 'image/png' }));
          document
            .querySelector('textarea[aria-label=Message]')
            ?.dispatchEvent(new ClipboardEvent('paste', { bubbles: true, clipboardData: paste }));
        },
        { pdf, png: png.toString('base64') },
      );
      await expect.poll(() => chips.getByText('ready').count()).toBe(2);
      await alice.page.getByRole('button', { name: 'Send' }).click();
      const file = bob.page.getByRole('link', { name: /minutes\.pdf/ });
      await file.waitFor();
      expect(await file.getAttribute('download')).toBe('minutes.pdf');
      await bob.page.getByRole('button', { name: 'Open image clip.png' }).waitFor();
    });
  },
);
