import { mkdtemp, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { KyselyMessageStore } from '../store/kysely-store.js';
import { openSqliteDatabase } from '../store/sqlite.js';
import { collectRevokedMedia } from './gc.js';
import { FileMediaStorage } from './storage.js';
import { type MediaRow, MediaStore } from './store.js';

test('revoked uploads lose their files after the grace period, unless a served upload shares them', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'hubbub-gc-'));
  const db = openSqliteDatabase({ file: join(dir, 'db.sqlite'), synchronous: 'NORMAL' });
  const store = new KyselyMessageStore(db);
  try {
    await store.migrate();
    const records = new MediaStore(db);
    const storage = new FileMediaStorage(join(dir, 'media'));
    const now = Date.now();
    const hour = 3600_000;
    const [shared, thumb, alone, recent] = await Promise.all(
      ['shared', 'thumb', 'alone', 'recent'].map((text) => storage.put(Buffer.from(text))),
    );
    const row = (
      id: string,
      blob: string,
      revokedAt: number | null,
      thumbKey: string | null = null,
    ): MediaRow => ({
      id,
      owner_id: 'u',
      kind: 'image',
      mime: 'image/png',
      name: `${id}.png`,
      size: 1,
      width: 1,
      height: 1,
      blob,
      thumb: thumbKey,
      created_at: now - 3 * hour,
      revoked_at: revokedAt,
    });
    // Written three hours ago, like their records.
    const then = new Date(now - 3 * hour);
    for (const key of [shared, thumb, alone, recent] as string[])
      await utimes(join(dir, 'media', key.slice(0, 2), key.slice(2, 4), key), then, then);
    await records.insert(row('old', shared ?? '', now - 2 * hour, thumb ?? ''));
    await records.insert(row('served', shared ?? '', null));
    await records.insert(row('lonely', alone ?? '', now - 2 * hour));
    await records.insert(row('fresh', recent ?? '', now - 10 * 60_000));

    expect(await collectRevokedMedia(records, storage, { now, graceMs: hour, batch: 1 })).toEqual({
      records: 2,
      files: 2,
    });
    expect(await storage.get(shared ?? '')).toBeDefined();
    expect(await storage.get(thumb ?? '')).toBeUndefined();
    expect(await storage.get(alone ?? '')).toBeUndefined();
    expect(await storage.get(recent ?? '')).toBeDefined();
    expect(await records.find('old')).toBeUndefined();
    expect(await records.find('lonely')).toBeUndefined();
    expect(await records.find('served')).toBeDefined();
    expect(await records.find('fresh')).toBeDefined();
    // Nothing left to do is nothing done.
    expect(await collectRevokedMedia(records, storage, { now, graceMs: hour })).toEqual({
      records: 0,
      files: 0,
    });
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
