import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mediaStorageContract } from './contract.js';
import { FileMediaStorage } from './storage.js';

mediaStorageContract('files under a directory', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'hubbub-media-'));
  return {
    storage: new FileMediaStorage(dir),
    reopen: () => new FileMediaStorage(dir),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});
