import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Where media bytes live, content-addressed: the same bytes are one blob, and a key never
 * names different bytes. An object store (S3, GCS) fits behind the same three calls.
 */
export interface MediaStorage {
  /** Stores `bytes` (idempotent); resolves with their key once durable. */
  put(bytes: Buffer): Promise<string>;
  /** The bytes under `key`, or undefined if there are none. */
  get(key: string): Promise<Buffer | undefined>;
  /**
   * Removes the blob if it was last written before `unchangedSince` (ms since the epoch):
   * bytes stored again since (a new upload of the same file) stay. Unknown keys are fine.
   */
  delete(key: string, unchangedSince: number): Promise<void>;
}

const KEY = /^[0-9a-f]{64}$/;

/** Blobs as files under a directory: `ab/cd/<sha256>`, written whole or not at all. */
export class FileMediaStorage implements MediaStorage {
  constructor(private readonly dir: string) {}

  async put(bytes: Buffer): Promise<string> {
    const key = createHash('sha256').update(bytes).digest('hex');
    const path = this.pathOf(key);
    await mkdir(join(path, '..'), { recursive: true });
    // A temporary name then a rename: a reader never sees half a file, and two writers of
    // the same bytes both end with the one complete blob.
    const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(temporary, bytes, { flush: true });
    await rename(temporary, path);
    return key;
  }

  async get(key: string): Promise<Buffer | undefined> {
    if (!KEY.test(key)) return undefined;
    try {
      return await readFile(this.pathOf(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async delete(key: string, unchangedSince: number): Promise<void> {
    if (!KEY.test(key)) return;
    const path = this.pathOf(key);
    try {
      if ((await stat(path)).mtimeMs >= unchangedSince) return;
      await unlink(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }

  private pathOf(key: string): string {
    return join(this.dir, key.slice(0, 2), key.slice(2, 4), key);
  }
}
