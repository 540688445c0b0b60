import type { MediaStorage } from './storage.js';
import type { MediaStore } from './store.js';

/**
 * Deletes the files of uploads whose message was deleted more than `graceMs` ago, and then
 * their records. A file is content-addressed and may be shared (the same bytes uploaded
 * twice): it goes only when no record that is still served points to it, and only if it
 * was not written in the last few minutes (an upload of the same bytes racing the
 * collection keeps its file). Works in batches until nothing is left.
 */
/**
 * Files written this recently are kept for the next run: an upload of the same bytes
 * writes its file before its record, and may be between the two.
 */
const UPLOAD_MARGIN_MS = 10 * 60_000;

export async function collectRevokedMedia(
  records: MediaStore,
  storage: MediaStorage,
  options: { now?: number; graceMs: number; batch?: number },
): Promise<{ records: number; files: number }> {
  const cutoff = (options.now ?? Date.now()) - options.graceMs;
  const batch = options.batch ?? 500;
  let removed = 0;
  let files = 0;
  for (;;) {
    const startedAt = Date.now();
    const rows = await records.revokedBefore(cutoff, batch);
    if (rows.length === 0) break;
    const keys = [
      ...new Set(rows.flatMap((row) => (row.thumb ? [row.blob, row.thumb] : [row.blob]))),
    ];
    const kept = await records.inUse(keys);
    for (const key of keys) {
      if (kept.has(key)) continue;
      await storage.delete(key, startedAt - UPLOAD_MARGIN_MS);
      files += 1;
    }
    await records.remove(rows.map((row) => row.id));
    removed += rows.length;
    if (rows.length < batch) break;
  }
  return { records: removed, files };
}
