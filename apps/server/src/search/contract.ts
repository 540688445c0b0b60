import { harnesses } from '@hubbub/testing';
import { uuidv7 } from 'uuidv7';
import { describe, expect, test } from 'vitest';
import type { MessageStore, StoredMessage } from '../store/port.js';
import type { MessageSearch, SearchHit } from './port.js';

/** A migrated store and the search over the same database. */
export interface SearchHarness {
  store: MessageStore;
  search: MessageSearch;
  cleanup(): Promise<void>;
}

const BASE_TIME = Date.parse('2026-11-22T10:00:00.000Z');

/**
 * The promises of the MessageSearch port (search/port.ts), checked against every engine,
 * so SQLite's FTS5 and PostgreSQL's tsvector find the same messages.
 */
export function messageSearchContract(name: string, open: () => Promise<SearchHarness>): void {
  describe(`MessageSearch contract: ${name}`, () => {
    const start = harnesses(open);

    /** Stores these texts in order (seq 1, 2, …) in `room`; ids grow with seq. */
    async function seed(harness: SearchHarness, room: string, texts: readonly string[]) {
      const head = (await harness.store.openRoom(room)).seq;
      const messages: StoredMessage[] = texts.map((content, i) => ({
        room,
        seq: head + i + 1,
        id: uuidv7(),
        user: { id: 'u1', name: 'Alice' },
        content,
        ts: new Date(BASE_TIME + head + i).toISOString(),
        cid: `${room}-${head + i + 1}`,
      }));
      await harness.store.insertMessages(messages);
      return messages;
    }

    const contents = (hits: SearchHit[]) => hits.map((hit) => hit.message.content);

    test('every word must match, in any case and order; the last word is also a prefix', async () => {
      const h = await start();
      await seed(h, 'r', [
        'The Goal was offside',
        'what a goal by Messi',
        'goalkeeper saves it',
        'Messi scores again',
        'nothing to see',
      ]);
      const find = (text: string) => h.search.search({ text, rooms: ['r'], limit: 10 });
      expect(contents(await find('goal'))).toEqual([
        'goalkeeper saves it',
        'what a goal by Messi',
        'The Goal was offside',
      ]);
      expect(contents(await find('MESSI goal'))).toEqual(['what a goal by Messi']);
      expect(contents(await find('messi sco'))).toEqual(['Messi scores again']);
      // Only the last word is a prefix: "goa" inside a query must be a whole word.
      expect(contents(await find('goa messi'))).toEqual([]);
      expect(await find('absent')).toEqual([]);
    });

    test('accents are significant, a one-letter last word is a whole word, marks cannot be faked', async () => {
      const h = await start();
      await seed(h, 'r', ['un café noir', 'cafe au lait', 'a b c', 'x \u0002fake\u0003 y']);
      const find = (text: string) => h.search.search({ text, rooms: ['r'], limit: 10 });
      expect(contents(await find('café'))).toEqual(['un café noir']);
      expect(contents(await find('CAFE'))).toEqual(['cafe au lait']);
      expect(contents(await find('caf'))).toEqual(['cafe au lait', 'un café noir']);
      expect(contents(await find('b'))).toEqual(['a b c']);
      expect(contents(await find('c'))).toEqual(['a b c']);
      const [hit] = await find('y');
      expect(hit?.parts).toEqual([{ text: 'x \u0002fake\u0003 ' }, { text: 'y', match: true }]);
    });

    test('what people type is never query syntax', async () => {
      const h = await start();
      await seed(h, 'r', ['a "quoted" word and NEAR things', "don't panic: it's fine & good"]);
      const find = (text: string) => h.search.search({ text, rooms: ['r'], limit: 10 });
      for (const hostile of [
        '"',
        '"quoted',
        'NEAR(',
        'word*',
        'panic:*',
        "it's & | ! (",
        'AND OR NOT',
        '\\',
        '',
        '   ',
      ]) {
        await expect(find(hostile)).resolves.toBeInstanceOf(Array);
      }
      expect(contents(await find('"quoted" NEAR'))).toEqual(['a "quoted" word and NEAR things']);
      expect(contents(await find('panic fine!'))).toEqual(["don't panic: it's fine & good"]);
      expect(await find('!!!')).toEqual([]);
    });

    test('only the rooms asked for, never deleted messages, always the current text', async () => {
      const h = await start();
      const [mine] = await seed(h, 'mine', ['secret plans for the match']);
      await seed(h, 'theirs', ['secret plans of others']);
      const [gone] = await seed(h, 'mine', ['secret to be deleted']);
      await h.store.redact('mine', gone?.id ?? '');
      const find = (text: string, rooms: string[]) => h.search.search({ text, rooms, limit: 10 });
      expect(contents(await find('secret', ['mine']))).toEqual(['secret plans for the match']);
      expect(await find('secret', [])).toEqual([]);
      expect((await find('secret', ['mine', 'theirs'])).map((hit) => hit.message.room)).toEqual([
        'theirs',
        'mine',
      ]);
      await h.store.edit('mine', mine?.id ?? '', 'revised tactics', BASE_TIME + 60_000);
      expect(await find('secret', ['mine'])).toEqual([]);
      const [edited] = await find('tactics', ['mine']);
      expect(edited?.message).toMatchObject({ seq: 1, content: 'revised tactics' });
      expect(edited?.message.editedAt).toBeDefined();
    });

    test('newest first; `before` pages back without repeats or gaps', async () => {
      const h = await start();
      const seeded = await seed(
        h,
        'r',
        Array.from({ length: 25 }, (_, i) => `ping number ${i + 1}`),
      );
      const seen: number[] = [];
      let before: string | undefined;
      for (let page = 0; page < 10; page += 1) {
        const hits = await h.search.search({ text: 'ping', rooms: ['r'], before, limit: 10 });
        if (hits.length === 0) break;
        seen.push(...hits.map((hit) => hit.message.seq));
        before = hits.at(-1)?.message.id;
      }
      expect(seen).toEqual(seeded.map((m) => m.seq).reverse());
    });

    test('parts give back the whole text with the matching words marked', async () => {
      const h = await start();
      await seed(h, 'r', ['Kick-off at 8pm, kick it!']);
      const [hit] = await h.search.search({ text: 'kick', rooms: ['r'], limit: 10 });
      expect(hit?.parts.map((p) => p.text).join('')).toBe('Kick-off at 8pm, kick it!');
      expect(hit?.parts.filter((p) => p.match).map((p) => p.text)).toEqual(['Kick', 'kick']);
      const [prefix] = await h.search.search({ text: 'at 8p', rooms: ['r'], limit: 10 });
      expect(prefix?.parts.filter((p) => p.match).map((p) => p.text)).toEqual(['at', '8pm']);
    });
  });
}
