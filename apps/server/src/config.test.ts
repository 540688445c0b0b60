import { availableParallelism } from 'node:os';
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
      commitLanes: 1,
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
    expect(loadConfig({ COMMIT_LANES: '4' }).commitLanes).toBe(4);
    expect(loadConfig({ ALLOWED_ORIGINS: '*' }).allowedOrigins).toBe('*');
  });

  test('workers: one without Redis (refused above one), one per core with it by default', () => {
    expect(loadConfig({}).workers).toBe(1);
    const shared = { DATABASE_URL: 'postgres://u@127.0.0.1/db', REDIS_URL: 'redis://127.0.0.1' };
    expect(loadConfig(shared).workers).toBe(availableParallelism());
    expect(loadConfig({ ...shared, WORKERS: '3' }).workers).toBe(3);
    expect(() => loadConfig({ WORKERS: '2' })).toThrow(/WORKERS above 1 needs REDIS_URL/);
  });

  test('TRUST_PROXY: none by default, a hop count, or addresses; anything else is refused', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '127.0.0.1, 10.0.0.0/8' }).trustProxy).toBe(
      '127.0.0.1, 10.0.0.0/8',
    );
    const hops = loadConfig({ TRUST_PROXY: '1' }).trustProxy;
    expect(typeof hops === 'function' && [hops('x', 0), hops('x', 1)]).toEqual([true, false]);
    expect(() => loadConfig({ TRUST_PROXY: 'everyone' })).toThrow(/TRUST_PROXY/);
  });

  test('ALLOWED_HOSTS: the loopback names by default; required off loopback; bad entries refused', () => {
    expect(loadConfig({}).allowedHosts).toEqual([
      { name: 'localhost', port: undefined },
      { name: '127.0.0.1', port: undefined },
      { name: '[::1]', port: undefined },
    ]);
    expect(loadConfig({ HOST: '127.0.0.2' }).allowedHosts).toContainEqual({
      name: '127.0.0.2',
      port: undefined,
    });
    expect(() => loadConfig({ HOST: '0.0.0.0' })).toThrow(
      /^invalid configuration:\n {2}ALLOWED_HOSTS="": must be set when HOST is not a loopback address/,
    );
    expect(() => loadConfig({ HOST: '::' })).toThrow(/ALLOWED_HOSTS/);
    expect(loadConfig({ HOST: '::1' }).allowedHosts).toContainEqual({
      name: '[::1]',
      port: undefined,
    });
    expect(loadConfig({ HOST: '0.0.0.0', ALLOWED_HOSTS: '*' }).allowedHosts).toBe('*');
    expect(
      loadConfig({ HOST: '0.0.0.0', ALLOWED_HOSTS: 'Chat.Example., [2001:db8::1]:8443' })
        .allowedHosts,
    ).toEqual(
      expect.arrayContaining([
        { name: 'chat.example', port: undefined },
        { name: '[2001:db8::1]', port: 8443 },
      ]),
    );
    for (const bad of ['https://chat.example', 'chat.example:99999', '2001:db8::1', 'a b'])
      expect(() => loadConfig({ ALLOWED_HOSTS: bad }), bad).toThrow(
        /^invalid configuration:\n {2}ALLOWED_HOSTS=/,
      );
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

  test('open rooms: only global stands by default; OPEN_ROOMS names and prefixes are checked', () => {
    expect(loadConfig({}).rooms).toEqual({ open: [], perAccountPerHour: 10 });
    const config = loadConfig({ OPEN_ROOMS: ' lobby, fans-* ', ROOMS_PER_ACCOUNT_PER_HOUR: '0' });
    expect(config.rooms).toEqual({ open: ['lobby', 'fans-*'], perAccountPerHour: 0 });
    expect(loadConfig({ OPEN_ROOMS: '*' }).rooms.open).toEqual(['*']);
    expect(() => loadConfig({ OPEN_ROOMS: 'Lobby Two' })).toThrow(/OPEN_ROOMS/);
    expect(() => loadConfig({ OPEN_ROOMS: 'a*b' })).toThrow(/OPEN_ROOMS/);
  });

  test('an auth timeout above 10 s is refused: unauthenticated sockets must go quickly', () => {
    expect(() => loadConfig({ AUTH_TIMEOUT_MS: '60000' })).toThrow(ConfigError);
  });

  test('an event room cannot outlive its event in the catalog', () => {
    expect(() =>
      loadConfig({ EVENT_HISTORY_TTL_MINUTES: '120', EVENTS_REMOVE_AFTER_MINUTES: '60' }),
    ).toThrow(/EVENT_HISTORY_TTL_MINUTES.*must not exceed EVENTS_REMOVE_AFTER_MINUTES/);
    const config = loadConfig({
      EVENT_HISTORY_TTL_MINUTES: '30',
      EVENTS_REMOVE_AFTER_MINUTES: '90',
    });
    expect(config.events.historyTtlMs).toBe(30 * 60_000);
    expect(config.events.removeAfterMs).toBe(90 * 60_000);
  });
});
