import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { usePostgres } from '@hubbub/testing';
import type { Kysely } from 'kysely';
import { describe, expect, test } from 'vitest';
import { KyselyMessageStore } from '../store/kysely-store.js';
import { openPostgresDatabase } from '../store/postgres.js';
import type { Database } from '../store/schema.js';
import { openSqliteDatabase } from '../store/sqlite.js';
import { collectEmptyRooms } from './collect.js';
import { ChannelStore } from './store.js';

const hour = 3600_000;

function message(room: string, seq: number) {
  return {
    room,
    seq,
    id: `00000000-0000-7000-8000-${String(seq).padStart(12, '0')}`,
    user: { id: 'u1', name: 'U' },
    content: 'hi',
    ts: new Date().toISOString(),
    cid: `c${seq}`,
  };
}

function openRoomsContract(engine: string, open: () => Promise<Kysely<Database>>) {
  describe(`open rooms on ${engine}`, () => {
    test('an account opens so many rooms an hour; a room that exists counts for nobody', async () => {
      const db = await open();
      try {
        await new KyselyMessageStore(db).migrate();
        const store = new ChannelStore(db);
        const since = Date.now() - hour;
        expect(await store.openRoom('a', 'u1', 2, since)).toBe(true);
        expect(await store.openRoom('b', 'u1', 2, since)).toBe(true);
        expect(await store.openRoom('c', 'u1', 2, since)).toBe(false);
        expect(await store.roomExists('c')).toBe(false);
        // Someone else's allowance is their own; a room already open is just there.
        expect(await store.openRoom('c', 'u2', 2, since)).toBe(true);
        expect(await store.openRoom('a', 'u2', 2, since)).toBe(true);
        expect(await store.openRoom('d', 'u2', 2, since)).toBe(true);
        expect(await store.openRoom('e', 'u2', 2, since)).toBe(false);
        // An hour on, the first opens no longer count.
        expect(await store.openRoom('c2', 'u1', 2, Date.now() + 1)).toBe(true);
      } finally {
        await db.destroy();
      }
    });

    test('the collector takes open rooms that never had a message and are empty, nothing else', async () => {
      const db = await open();
      try {
        const messages = new KyselyMessageStore(db);
        await messages.migrate();
        const store = new ChannelStore(db);
        const since = Date.now() - hour;
        for (const room of ['idle', 'busy', 'talked', 'lobby']) {
          expect(await store.openRoom(room, 'u1', 10, since)).toBe(true);
        }
        await messages.insertMessages([message('talked', 1)]);
        await messages.openRoom('global');
        await messages.openRoom('event:e1');
        // A channel nobody has written in yet has an empty head too, once joined.
        await store.createRoom(
          { roomId: 'general', kind: 'channel', visibility: 'public', topic: '', createdBy: null },
          [],
        );
        await messages.openRoom('general');
        const collected: string[] = [];
        const count = await collectEmptyRooms(store, {
          standing: (room) => room === 'global' || room === 'lobby',
          occupied: async (room) => room === 'busy',
          collected: async (room) => {
            collected.push(room);
          },
          now: Date.now() + 2 * hour,
        });
        expect(count).toBe(1);
        expect(collected).toEqual(['idle']);
        expect(await store.roomExists('idle')).toBe(false);
        for (const room of ['busy', 'talked', 'lobby', 'global', 'event:e1', 'general'])
          expect(await store.roomExists(room), room).toBe(true);
        // Not yet an hour old: nothing goes.
        expect(await store.openRoom('fresh', 'u1', 10, since)).toBe(true);
        const early = await collectEmptyRooms(store, {
          standing: () => false,
          occupied: async () => false,
          collected: async () => {},
        });
        expect(early).toBe(0);
        // The name is free again: a channel may take it, or someone open it afresh.
        await store.createRoom(
          { roomId: 'idle', kind: 'channel', visibility: 'private', topic: '', createdBy: 'u2' },
          [{ userId: 'u2', role: 'owner' }],
        );
        expect(await store.findChannel('idle')).toBeDefined();
      } finally {
        await db.destroy();
      }
    });
  });
}

openRoomsContract('SQLite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'hubbub-rooms-'));
  const db = openSqliteDatabase({ file: join(dir, 'hubbub.sqlite'), synchronous: 'NORMAL' });
  const destroy = db.destroy.bind(db);
  return Object.assign(db, {
    destroy: async () => {
      await destroy();
      await rm(dir, { recursive: true, force: true });
    },
  });
});

const postgres = usePostgres();
describe.runIf(postgres.enabled)('PostgreSQL', () => {
  openRoomsContract('PostgreSQL', async () =>
    openPostgresDatabase({ url: await postgres.server().createDatabase() }),
  );
});
