import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll } from 'vitest';

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

/**
 * For a test file that needs a service: whether it can run here (see requireService), and
 * one instance started before the file's tests and stopped after them. Call at the top
 * level of the file.
 */
export function useService<T extends { stop(): Promise<void> }>(
  name: string,
  availability: { ok: true } | { ok: false; reason: string },
  start: () => Promise<T>,
): { enabled: boolean; server(): T } {
  const enabled = requireService(name, availability);
  let server: T | undefined;
  if (enabled) {
    beforeAll(async () => {
      server = await start();
    });
    afterAll(async () => {
      await server?.stop();
    });
  }
  return {
    enabled,
    server() {
      if (server === undefined) throw new Error(`${name} is not running`);
      return server;
    },
  };
}

/**
 * A service outage for a test: `halt`, run `whileDown`, then `launch` again, even if the
 * checks made while it was down failed (later tests need the service).
 */
export async function outage(
  halt: () => Promise<void>,
  launch: () => Promise<void>,
  whileDown?: () => Promise<void>,
): Promise<void> {
  await halt();
  try {
    await whileDown?.();
  } finally {
    await launch();
  }
}

/**
 * What every node of a test cluster shares: one PostgreSQL database, one Redis database,
 * one token secret, and send limits that a test's bursts do not hit (unless `extra` says).
 */
export async function clusterEnv(
  postgres: { createDatabase(): Promise<string> },
  redis: { database(): string },
  extra: Record<string, string> = {},
): Promise<Record<string, string>> {
  return {
    DATABASE_URL: await postgres.createDatabase(),
    REDIS_URL: redis.database(),
    TOKEN_SECRET: 'a-cluster-wide-secret-of-at-least-32-chars',
    RATE_LIMIT_PER_SECOND: '1000',
    RATE_LIMIT_BURST: '1000',
    ...extra,
  };
}

/**
 * For a contract suite (call inside its `describe`): `start()` opens an implementation's
 * harness, and every harness a test opened is cleaned up after that test.
 */
export function harnesses<T extends { cleanup(): Promise<void> }>(
  open: () => Promise<T>,
): () => Promise<T> {
  const opened: T[] = [];
  afterEach(async () => {
    for (const harness of opened.splice(0)) await harness.cleanup();
  });
  return async () => {
    const harness = await open();
    opened.push(harness);
    return harness;
  };
}
