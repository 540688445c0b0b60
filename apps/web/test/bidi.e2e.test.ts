import { guestIn, startServer } from '@hubbub/testing';
import type { Locator } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { joinAsGuest, open, screenshot, seen, sharedChromium } from './browser.js';

const chromium = sharedChromium();

/**
 * Where the first and the last character of `text` are drawn inside `element` (the left
 * edge of each, in CSS pixels), measured with a Range over each character: left-to-right
 * text has its first character left of its last, text reordered by bidi the other way.
 */
function edges(element: Locator, text: string): Promise<{ first: number; last: number }> {
  return element.evaluate((root, wanted) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
      const at = node.textContent?.indexOf(wanted) ?? -1;
      if (at < 0) continue;
      const left = (offset: number) => {
        const range = document.createRange();
        range.setStart(node, offset);
        range.setEnd(node, offset + 1);
        return range.getBoundingClientRect().left;
      };
      return { first: left(at), last: left(at + wanted.length - 1) };
    }
    throw new Error(`"${wanted}" is not drawn here`);
  }, text);
}

describe.runIf(chromium.enabled)('text someone typed, in Chromium', { timeout: 60_000 }, () => {
  test('a message with a right-to-left override reorders neither itself nor what is around it', async () => {
    await using server = await startServer();
    const { context, page } = await open(chromium.browser(), server);
    await joinAsGuest(page, 'Reader');
    await page.getByText('Connected').waitFor();
    await using mallory = await guestIn(server, 'Mallory', 'global');
    await using ann = await guestIn(server, 'Ann', 'global');

    // "pay to \u202Emoc.live" would draw as "pay to evil.com"; then someone else speaks.
    mallory.send({ type: 'send', room: 'global', cid: 'a', content: 'pay to \u202Emoc.live' });
    const ack = await mallory.next((f) => f.type === 'ack');
    ann.send({ type: 'send', room: 'global', cid: 'b', content: 'next line' });
    await seen(page, 'next line');
    // An edit puts "(edited)" after the content, on the same line.
    mallory.send({
      type: 'edit',
      room: 'global',
      id: ack.type === 'ack' ? ack.id : '',
      content: 'pay to \u202Emoc.live now',
    });
    const spoof = page.getByTestId('message').filter({ hasText: 'pay to' });
    await spoof.getByText('(edited)').waitFor();
    await screenshot(page, 'bidi-override');

    // The content and the name are isolated: nothing in them reaches outside.
    const content = spoof.locator('[data-content]');
    expect(await content.evaluate((el) => getComputedStyle(el).unicodeBidi)).toBe('isolate');
    expect(
      await spoof.locator('[data-author]').evaluate((el) => getComputedStyle(el).unicodeBidi),
    ).toBe('isolate');

    // The override shows as a mark instead of turning the text around: "moc.live" reads so.
    expect(await content.locator('[data-bidi-control]').textContent()).toBe('RLO');
    const word = await edges(content, 'moc.live');
    expect(word.first).toBeLessThan(word.last);

    // "(edited)" after it still reads left to right, and sits right of the content.
    const edited = await edges(spoof, '(edited)');
    expect(edited.first).toBeLessThan(edited.last);
    const contentBox = await content.boundingBox();
    expect(edited.first).toBeGreaterThanOrEqual((contentBox?.x ?? 0) + (contentBox?.width ?? 0));

    // The next line, its author's name included, is drawn as it would be anyway.
    const next = page.getByTestId('message').filter({ hasText: 'next line' });
    expect(await next.locator('[data-author]').textContent()).toBe('Ann');
    const name = await edges(next.locator('[data-author]'), 'Ann');
    expect(name.first).toBeLessThan(name.last);
    const line = await edges(next.locator('[data-content]'), 'next line');
    expect(line.first).toBeLessThan(line.last);
    await context.close();
  });
});
