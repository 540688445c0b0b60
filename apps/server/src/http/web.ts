import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/**
 * Serves the built web app from the same port as the API, so one process is the whole
 * product. Unknown non-API paths get index.html, letting the app route on the client.
 */
export function webRoutes(app: FastifyInstance, distDir: string): void {
  const index = join(distDir, 'index.html');
  if (!existsSync(index)) {
    app.get('/', { schema: { hide: true } }, async (_request, reply) =>
      reply
        .type('text/plain')
        .send(
          'Hubbub is running, but the web app is not built: run `npm run build` (npm start does it).\n',
        ),
    );
    return;
  }
  void app.register(fastifyStatic, {
    root: distDir,
    wildcard: false,
    index: 'index.html',
    cacheControl: false,
  });
  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    if (path.startsWith('/api/') || path === '/ws') {
      return reply
        .code(404)
        .send({ error: { code: 'not_found', message: `no route for ${request.method} ${path}` } });
    }
    // Hashed assets are immutable; the shell is always revalidated so deploys show up.
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  });
}
