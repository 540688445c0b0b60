import type { FastifyInstance } from 'fastify';
import type { MessageStore } from '../store/port.js';

/**
 * Liveness says the process serves HTTP; readiness says it can do its job: migrations ran
 * and the store answers. Load balancers route by readiness.
 */
export function healthRoutes(
  app: FastifyInstance,
  store: MessageStore,
  isDraining: () => boolean,
): void {
  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/ready', async (_request, reply) => {
    if (isDraining()) return reply.code(503).send({ status: 'draining' });
    try {
      await store.ping();
      return { status: 'ready', store: 'ok' };
    } catch (error) {
      reply.log.warn({ err: error }, 'store not reachable');
      return reply.code(503).send({ status: 'unavailable', store: 'unreachable' });
    }
  });
}
