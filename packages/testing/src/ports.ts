import { createServer } from 'node:net';

/** A port on 127.0.0.1 that was free a moment ago (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (typeof address === 'object' && address !== null) resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

/**
 * For suites that need a service: skip with a loud reason, except under CI=true, where a
 * missing service is a failure.
 */
export function requireService(
  name: string,
  availability: { ok: true } | { ok: false; reason: string },
): boolean {
  if (availability.ok) return true;
  if (process.env.CI === 'true') {
    throw new Error(`${name} is required under CI=true: ${availability.reason}`);
  }
  console.warn(`\n*** SKIPPING ${name} suites: ${availability.reason} ***\n`);
  return false;
}
