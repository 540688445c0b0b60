import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { MessageStore } from '../store/port.js';
import { doc } from './openapi.js';

/**
 * Liveness says the process serves HTTP; readiness says it can do its job: migrations ran
 * and the store (and, for many nodes, Redis) answers. Load balancers route by readiness.
 */
export function healthRoutes(
  app: FastifyInstance,
  ports: { store: MessageStore; ready(): Promise<void>; backlog(): Promise<number> },
  isDraining: () => boolean,
): void {
  app.get(
    '/health',
    doc({ summary: 'Liveness', tags: ['health'], response: z.object({ status: z.literal('ok') }) }),
    async () => ({ status: 'ok' }),
  );
  app.get(
    '/ready',
    doc({
      summary:
        'Readiness: migrations done and the store answers (503 while draining or unreachable)',
      tags: ['health'],
      response: z.object({
        status: z.string(),
        store: z.string(),
        bus: z.string().optional(),
        /** Acknowledged messages not yet in the database (the outbox's lag with Redis). */
        backlog: z.number().optional(),
      }),
    }),
    async (_request, reply) => {
      if (isDraining()) return reply.code(503).send({ status: 'draining' });
      try {
        await ports.store.ping();
      } catch (error) {
        reply.log.warn({ err: error }, 'store not reachable');
        // With Redis, messages still flow: how many wait for the database is worth seeing.
        const backlog = await ports.backlog().catch(() => undefined);
        return reply.code(503).send({ status: 'unavailable', store: 'unreachable', backlog });
      }
      try {
        await ports.ready();
        return { status: 'ready', store: 'ok', backlog: await ports.backlog() };
      } catch (error) {
        reply.log.warn({ err: error }, 'message bus not reachable');
        return reply.code(503).send({ status: 'unavailable', store: 'ok', bus: 'unreachable' });
      }
    },
  );
}
