import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerFrame, SessionResponse, TokenResponse } from '@hubbub/protocol';
import {
  engines,
  guestIn,
  post,
  register,
  startServer,
  type TestServer,
  usePostgres,
} from '@hubbub/testing';
import Database from 'better-sqlite3';
import { describe, expect, onTestFinished, test } from 'vitest';

const PASSWORD = 'correct horse battery';
const postgres = usePostgres();

const guest = (server: TestServer, username: string) =>
  post<TokenResponse & { error?: { code: string; message: string } }>(server, '/api/auth/guest', {
    username,
  });

const signUp = (server: TestServer, username: string, displayName?: string) =>
  post<SessionResponse & { error?: { code: string; message: string } }>(
    server,
    '/api/auth/register',
    { username, password: PASSWORD, ...(displayName === undefined ? {} : { displayName }) },
  );

describe('names', () => {
  test('a name with controls, bidi or invisible characters is refused; names are NFKC-normalised', async () => {
    await using server = await startServer();
    for (const bad of [
      'ad\u200Bmin', // zero-width space
      'ad\u2060min', // word joiner
      'evil\u202Eknil', // right-to-left override
      'a\u2066b\u2069', // isolates
      'x\u200Fy', // right-to-left mark
      '\u200B\u200C\u200D', // zero-width only
      '\u3164', // Hangul filler: a letter that draws nothing
      '\u2800', // blank Braille pattern
      'two\nlines',
      'nul\u0000',
      'tab\tbed',
      'b\uFEFFom',
      '\u0301accent first',
    ]) {
      const refused = await guest(server, bad);
      expect({ name: bad, status: refused.status, code: refused.body.error?.code }).toEqual({
        name: bad,
        status: 400,
        code: 'invalid_request',
      });
      const asDisplay = await signUp(server, 'someone', bad);
      expect(asDisplay.status).toBe(400);
    }
    expect((await guest(server, 'evil\u202Eknil')).body.error?.message).toMatch(
      /control, formatting \(bidi, zero-width\) or invisible/,
    );

    // Kept, in their normal form: fullwidth letters are plain ones, spaces one space.
    expect((await guest(server, 'Ｚｏｅ')).body.user.name).toBe('Zoe');
    expect((await guest(server, '  Ada\u00A0\u00A0Lovelace ')).body.user.name).toBe('Ada Lovelace');
    for (const fine of ['Zoë', 'محمد', '山田 太郎', '👩‍👩‍👧 family', '❤️ fan'])
      expect((await guest(server, fine)).body.user?.name).toBe(fine.normalize('NFKC'));
    // Registration too: a fullwidth login is the plain one.
    const wide = await signUp(server, 'ｗｉｄｅ');
    expect(wide.status).toBe(201);
    expect(wide.body.user.name).toBe('wide');
  });

  describe.each(engines(postgres))('on $engine', ({ env }) => {
    test("look-alikes of an account's names are reserved, for accounts and guests alike", async () => {
      await using server = await startServer({ env: await env() });
      await register(server, 'admin');
      const carol = await signUp(server, 'carol', 'Carol Ann');
      expect(carol.status).toBe(201);

      // Guests cannot pass for an account: case, fullwidth, Cyrillic, rn for m, 0 for o.
      for (const name of [
        'admin',
        'ADMIN',
        'Ａｄｍｉｎ',
        'аdmin',
        'adrnin',
        'CAROL ANN',
        'caro1',
      ]) {
        const refused = await guest(server, name);
        expect({ name, status: refused.status, code: refused.body.error?.code }).toEqual({
          name,
          status: 409,
          code: 'username_taken',
        });
      }
      expect((await guest(server, 'admiral')).status).toBe(200);

      // Nor can new accounts, by login or by display name.
      for (const [username, displayName] of [
        ['adrnin', undefined],
        ['mallory', 'Admin'],
        ['mallory', 'CaroI Ann'],
        ['caro1', undefined],
      ] as const) {
        const refused = await signUp(server, username, displayName);
        expect({ username, displayName, status: refused.status }).toEqual({
          username,
          displayName,
          status: 409,
        });
        expect(refused.body.error?.code).toBe('username_taken');
      }
      // A refused look-alike left nothing behind: the login is still free.
      const mallory = await signUp(server, 'mallory', 'Mallory');
      expect(mallory.status).toBe(201);

      // Two look-alikes racing: exactly one wins.
      const race = await Promise.all([signUp(server, 'b0b'), signUp(server, 'bob')]);
      expect(race.map((r) => r.status).sort()).toEqual([201, 409]);
    });
  });

  test('accounts made before the reservation get their names reserved when the node upgrades', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'hubbub-names-'));
    onTestFinished(() => rm(dataDir, { recursive: true, force: true }));
    const first = await startServer({ dataDir });
    await register(first, 'alice');
    await first.close();
    // Put the database back to how it was before the migration that reserves names.
    const db = new Database(join(dataDir, 'hubbub.sqlite'));
    db.exec(
      "drop table name_skeletons; delete from kysely_migration where name = '0014_name_skeletons'",
    );
    db.close();
    await using server = await startServer({ dataDir });
    expect((await guest(server, 'ALlCE')).status).toBe(409);
    expect((await guest(server, 'Alicia')).status).toBe(200);
  });
});

describe('message content', () => {
  test('content of only invisible characters is refused; any other content is kept exactly as typed', async () => {
    await using server = await startServer();
    await using author = await guestIn(server, 'Author', 'global');
    await using reader = await guestIn(server, 'Reader', 'global');
    const errorFor = (cid: string) =>
      author.next((f) => f.type === 'error' && f.ref === cid) as Promise<
        Extract<ServerFrame, { type: 'error' }>
      >;

    for (const [i, invisible] of [
      '\u200B',
      '\u200B\u200C\u200D\u2060',
      ' \u202E \u202C ',
      '\uFE0F\uFE0F',
      '\u3164',
      '\u2800\n\u00A0',
      '\u180E\u061C\u200E',
    ].entries()) {
      const cid = `blank-${i}`;
      author.send({ type: 'send', room: 'global', cid, content: invisible });
      const refused = await errorFor(cid);
      expect(refused.code).toBe('invalid_frame');
      expect(refused.message).toMatch(/content must not be empty/);
    }

    const spoof = 'pay to \u202Emoc.live';
    author.send({ type: 'send', room: 'global', cid: 'spoof', content: spoof });
    const ack = await author.next((f) => f.type === 'ack' && f.cid === 'spoof');
    await reader.next((f) => f.type === 'message' && f.room === 'global');
    expect(reader.messagesIn('global').map((m) => m.content)).toEqual([spoof]);

    // An edit to nothing visible is refused the same way.
    const id = ack.type === 'ack' ? ack.id : '';
    author.send({ type: 'edit', room: 'global', id, content: '\u200B\u200B' });
    const refused = await author.next((f) => f.type === 'error');
    expect(refused.type === 'error' && refused.code).toBe('invalid_frame');
  });
});
