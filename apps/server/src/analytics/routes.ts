import { Analytics, ErrorCode } from '@hubbub/protocol';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Authenticator, Identity } from '../auth/authenticator.js';
import { authenticateRequest } from '../http/auth.js';
import { sendError } from '../http/errors.js';
import { doc } from '../http/openapi.js';
import type { NodeAnalytics } from './service.js';

export interface AnalyticsRouteOptions {
  authenticator: Authenticator;
  analytics: NodeAnalytics;
  metrics: Registry;
  /** Logins (lower-cased) that may read the analytics. */
  admins: ReadonlySet<string>;
  /** Anyone may read them, signed in or not. */
  public: boolean;
}

/**
 * Who may read the analytics: anyone where they are public, else the admins (by login). The
 * route refuses everyone else, and `GET /api/me` tells a client before it asks.
 */
export function analyticsReaders(
  admins: ReadonlySet<string>,
  open: boolean,
): (identity: Pick<Identity, 'login'>) => boolean {
  return (identity) =>
    open || (identity.login !== undefined && admins.has(identity.login.toLowerCase()));
}

export function analyticsRoutes(app: FastifyInstance, options: AnalyticsRouteOptions): void {
  const { authenticator, analytics, metrics } = options;
  const mayRead = analyticsReaders(options.admins, options.public);
  app.get(
    '/api/analytics',
    doc({
      summary:
        'Cluster-wide live figures: connections, messages per minute, broadcast latency, busiest rooms (admins, or anyone with ANALYTICS_PUBLIC=true)',
      tags: ['analytics'],
      auth: !options.public,
      response: Analytics,
    }),
    async (request, reply) => {
      if (!options.public) {
        const identity = await authenticateRequest(request, reply, authenticator);
        if (identity === undefined) return reply;
        if (!mayRead(identity))
          return sendError(reply, ErrorCode.forbidden, 'analytics are for admins (ADMINS)');
      }
      try {
        return await analytics.read();
      } catch (error) {
        // The board is Redis in scale-out mode: down, it cannot answer for the cluster.
        request.log.warn({ err: error }, 'analytics unavailable');
        return sendError(reply, ErrorCode.unavailable, 'analytics are unavailable; try again');
      }
    },
  );
  // Prometheus scrapes this: outside /api, not in the API document, no auth (keep it off the
  // public side of the proxy; deploy/nginx does).
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.header('content-type', metrics.contentType);
    return metrics.metrics();
  });
}
