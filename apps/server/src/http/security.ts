import helmet from '@fastify/helmet';
import { ErrorCode } from '@hubbub/protocol';
import type { FastifyInstance } from 'fastify';
import { sendError } from './errors.js';
import { type AllowedHosts, hostAllowed } from './hosts.js';

export interface SecurityOptions {
  allowedHosts: AllowedHosts;
  /** Event pictures come from Ticketmaster's image hosts (any https URL it names). */
  remoteImages: boolean;
}

/**
 * What the web app may load, run and connect to: only its own files. Nothing inline runs
 * (the events preload is a JSON data block, which is never executed); the one exception is
 * styles, for what React and motion set in `style` attributes and what the toaster and the
 * dialogs' scroll lock put in `<style>` elements (no nonce reaches those libraries). CSS
 * cannot run script, and with images, fonts and connections held to this origin it cannot
 * send anything anywhere either. `connect-src 'self'` covers the WebSocket: CSP 3 matches
 * ws: and wss: of the same host and port.
 */
export function contentSecurityPolicy(remoteImages: boolean): Record<string, string[]> {
  return {
    'default-src': ["'self'"],
    'base-uri': ["'none'"],
    'connect-src': ["'self'"],
    'font-src': ["'self'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
    // Attachment previews are object URLs of the picked file (blob:) before upload.
    'img-src': ["'self'", 'blob:', ...(remoteImages ? ['https:'] : [])],
    'manifest-src': ["'self'"],
    'object-src': ["'none'"],
    'script-src': ["'self'"],
    'script-src-attr': ["'none'"],
    'style-src': ["'self'"],
    'style-src-elem': ["'self'", "'unsafe-inline'"],
    'style-src-attr': ["'unsafe-inline'"],
    'worker-src': ["'self'"],
  };
}

/** HSTS for a year, sent only on requests that came over TLS (directly or per a trusted proxy). */
export const strictTransportSecurity = 'max-age=31536000';

/** Paths a health probe calls by address (a pod's IP), never by name: not Host-checked. */
const probes = new Set(['/health', '/ready']);

/**
 * Every response's security headers, then the Host check, on the root instance before any
 * route: every answer has the headers, refusals and 404s included.
 */
export function registerSecurity(app: FastifyInstance, options: SecurityOptions): void {
  void app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: contentSecurityPolicy(options.remoteImages),
    },
    // Only over TLS: sent on plain HTTP it would be ignored at best (see the hook below).
    strictTransportSecurity: false,
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });
  // After helmet has loaded, so its hooks run first and a refusal carries its headers too.
  void app.after((error) => {
    if (error !== null) throw error;
    app.addHook('onRequest', async (request, reply) => {
      // `protocol` is https when the socket is TLS, or when a trusted proxy said so.
      if (request.protocol === 'https')
        reply.header('strict-transport-security', strictTransportSecurity);
      if (probes.has(request.url.split('?')[0] ?? '')) return;
      if (hostAllowed(options.allowedHosts, request.headers.host)) return;
      request.log.info({ host: request.headers.host }, 'refused a request for a host not allowed');
      return sendError(
        reply,
        ErrorCode.hostNotAllowed,
        'this server does not answer to that Host (ALLOWED_HOSTS)',
      );
    });
  });
}
