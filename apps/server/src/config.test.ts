import { describe, expect, test } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  test('every variable has a safe embedded default', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      dataDir: './data',
      databaseUrl: undefined,
      sqliteSynchronous: 'FULL',
      allowedOrigins: [],
      rateLimit: { perSecond: 5, burst: 10 },
      historyOnJoin: 50,
    });
    expect(config.authTimeoutMs).toBeLessThanOrEqual(10_000);
  });

  test('reads and converts values; `*` in the allowlist is explicit opt-in', () => {
    const config = loadConfig({
      PORT: '9000',
      ALLOWED_ORIGINS: 'https://a.example/, https://b.example',
      DATABASE_URL: 'postgres://u@127.0.0.1/db',
    });
    expect(config.port).toBe(9000);
    expect(config.allowedOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(config.databaseUrl).toBe('postgres://u@127.0.0.1/db');
    expect(loadConfig({ ALLOWED_ORIGINS: '*' }).allowedOrigins).toBe('*');
  });

  test('reports every bad value at once, one line each, naming the variable', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        LOG_LEVEL: 'loud',
        DATABASE_URL: 'mysql://x',
        TOKEN_SECRET: 'short',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/^PORT="eighty": /m);
    expect(problems.join('\n')).toMatch(/^LOG_LEVEL="loud": /m);
    // Credentials are named but never echoed.
    expect(problems.join('\n')).toMatch(/^DATABASE_URL=\(hidden\): /m);
    expect(problems.join('\n')).toMatch(/^TOKEN_SECRET=\(hidden\): /m);
    expect(problems.join('\n')).not.toMatch(/short|mysql/);
  });

  test('an auth timeout above 10 s is refused: unauthenticated sockets must go quickly', () => {
    expect(() => loadConfig({ AUTH_TIMEOUT_MS: '60000' })).toThrow(ConfigError);
  });
});
