import { readFile } from 'node:fs/promises';
import { configVariables } from '@hubbub/server';
import { expect, test } from 'vitest';

test('the README configuration table lists every variable the server reads', async () => {
  const readme = await readFile(new URL('../../../README.md', import.meta.url), 'utf8');
  const documented = [...readme.matchAll(/^\| `([A-Z_]+)` *\|/gm)].map((m) => m[1]);
  expect([...documented].sort()).toEqual([...configVariables].sort());
});
