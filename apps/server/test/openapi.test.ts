import { get, startServer } from '@hubbub/testing';
import { expect, test } from 'vitest';

interface OpenApi {
  openapi: string;
  paths: Record<string, Record<string, { summary?: string; security?: unknown[] }>>;
}

test('/api/docs documents every route the server serves, with a summary', async () => {
  await using server = await startServer();
  const { status, body } = await get<OpenApi>(server, '/api/docs');
  expect(status).toBe(200);
  expect(body.openapi).toMatch(/^3\./);
  const served = server.node.apiRoutes;
  expect(served.length).toBeGreaterThan(15);
  for (const route of served) {
    const [method, path] = route.split(' ') as [string, string];
    const documented = body.paths[path.replace(/:(\w+)/g, '{$1}')]?.[method.toLowerCase()];
    expect(documented, route).toBeDefined();
    expect(documented?.summary, route).toMatch(/\w/);
  }
  expect(body.paths['/api/me']?.get?.security).toEqual([{ bearer: [] }]);
});
