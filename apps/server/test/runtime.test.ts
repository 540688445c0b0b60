import { readFile } from 'node:fs/promises';
import { expect, test } from 'vitest';

const root = new URL('../../../', import.meta.url);
const read = (path: string) => readFile(new URL(path, root), 'utf8');
const majorOf = (version: string) => Number(version.replace(/^v/, '').split('.')[0]);

/**
 * One runtime everywhere: the Node.js LTS named in `.nvmrc` is what the image is built on
 * and what CI runs the suite on, and `engines` names the oldest still supported.
 */
test('the image and the engines floor follow the Node.js LTS of .nvmrc', async () => {
  const lts = majorOf((await read('.nvmrc')).trim());
  expect(lts).toBeGreaterThanOrEqual(24);
  const stages = [...(await read('deploy/Dockerfile')).matchAll(/^FROM node:(\d+)-/gm)];
  expect(stages.length).toBeGreaterThan(0);
  for (const [, major] of stages) expect(Number(major)).toBe(lts);
  const manifest = JSON.parse(await read('package.json')) as { engines: { node: string } };
  expect(manifest.engines.node).toBe('>=22');
});

test.runIf(process.env.CI === 'true')('CI runs the suite on the Node.js of .nvmrc', async () => {
  expect(majorOf(process.versions.node)).toBe(majorOf((await read('.nvmrc')).trim()));
});
