/** Network errors and PostgreSQL's "connection" and "shutting down" classes (08, 57P0x). */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND']);

/**
 * Whether `error` means the database cannot be reached now (down, restarting, a failover),
 * as opposed to a bug: the first is a 503 the client may retry, the second a 500.
 */
export function isDatabaseUnreachable(error: {
  code?: string;
  message?: string;
  statusCode?: number;
}): boolean {
  // Fastify's own errors (a client aborting its upload: ECONNRESET) carry a status.
  if (error.statusCode !== undefined && error.statusCode < 500) return false;
  const code = error.code ?? '';
  return (
    UNREACHABLE.has(code) ||
    (code.startsWith('08') && code !== '08P01') || // 08P01: protocol violation, our bug
    code === '57P01' ||
    code === '57P02' ||
    code === '57P03' ||
    /Connection terminated|connection timeout|Client has encountered a connection error/i.test(
      error.message ?? '',
    )
  );
}
