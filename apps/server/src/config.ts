import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { limits } from '@hubbub/protocol';
import { z } from 'zod';
import { type AllowedHosts, isLoopback, loopbackHosts, parseHost } from './http/hosts.js';

/**
 * Every setting Hubbub reads, from environment variables only. Each has a safe default for
 * the embedded mode; `loadConfig` reports every bad value at once, one line each.
 */

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const schema = z.object({
  PORT: int(0, 65_535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  /** The built web app to serve at /; the repo's own build by default. */
  WEB_DIR: z
    .string()
    .min(1)
    .default(fileURLToPath(new URL('../../web/dist', import.meta.url))),
  /** Set to use PostgreSQL instead of the embedded SQLite file. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  /**
   * Set (with DATABASE_URL) to run as one of many nodes: messages are sequenced, logged and
   * delivered through Redis, and an outbox drains them into PostgreSQL.
   */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  /**
   * Node processes on this machine, sharing the port (with REDIS_URL only: they meet in
   * Redis). Defaults to the number of cores with REDIS_URL, 1 without.
   */
  WORKERS: int(1, 256).optional(),
  /** SQLite's `synchronous` level: FULL survives power loss, NORMAL only a process crash. */
  SQLITE_SYNCHRONOUS: z.enum(['FULL', 'NORMAL']).default('FULL'),
  /**
   * PostgreSQL without Redis: message commits in flight at once (a room always in the same
   * one). 1 was fastest with PostgreSQL on the server's own two cores (docs/benchmarks.md).
   * At most 8: the pool (10 connections) must keep room for lookups, auth and readiness.
   */
  COMMIT_LANES: int(1, 8).default(1),
  /**
   * Comma-separated exact origins allowed to open WebSockets from a browser; `*` allows any.
   * Empty means the server's own origins (http://localhost:PORT and http://127.0.0.1:PORT).
   */
  ALLOWED_ORIGINS: z.string().default(''),
  /**
   * Comma-separated Host names (`name` for any port, `name:port` for one) that HTTP requests
   * and WebSocket upgrades must carry, against DNS rebinding; `*` answers any. `localhost`,
   * `127.0.0.1` and `[::1]` always pass. Required when HOST is not a loopback address.
   */
  ALLOWED_HOSTS: z
    .string()
    .default('')
    .superRefine((raw, context) => {
      for (const entry of listOf(raw)) {
        if (entry !== '*' && parseHost(entry) === undefined)
          context.addIssue({
            code: 'custom',
            message: `"${entry}" is not a host name, an IPv4 address or a [bracketed] IPv6 address, with an optional :port`,
          });
      }
    }),
  /**
   * Which proxies' X-Forwarded-For to believe for the client's address (login limits per
   * address): unset trusts none; a number trusts that many hops; otherwise comma-separated
   * addresses or CIDRs of the proxies (e.g. `127.0.0.1` or `10.0.0.0/8`).
   */
  TRUST_PROXY: z
    .string()
    .regex(/^(\d+|[0-9a-fA-F.:/]+(\s*,\s*[0-9a-fA-F.:/]+)*)$/, 'a hop count, or addresses/CIDRs')
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** HS256 signing key for tokens; generated once into DATA_DIR when unset. */
  TOKEN_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Lifetime of an account's access token; the refresh token renews it. */
  ACCESS_TOKEN_TTL_SECONDS: int(5, 24 * 3600).default(15 * 60),
  /** Lifetime of a login session without use (refresh tokens rotate on every use). */
  REFRESH_TOKEN_TTL_SECONDS: int(60, 365 * 24 * 3600).default(30 * 24 * 3600),
  /**
   * A spent refresh token presented again within this many seconds is a race (two tabs, a
   * retried request), not theft: it gets a new pair instead of revoking the login. 0: never.
   */
  REFRESH_REUSE_GRACE_SECONDS: int(0, 300).default(30),
  /** Lifetime of a guest's token (guests have no refresh token). */
  GUEST_TOKEN_TTL_SECONDS: int(60, 30 * 24 * 3600).default(24 * 3600),
  /** Whether guests (display name only) may get tokens and join open rooms. */
  GUEST_ACCESS: z.enum(['true', 'false']).default('true'),
  /** Logins (usernames), comma-separated, of the people who see analytics and run the node. */
  ADMINS: z.string().default(''),
  /** Whether `GET /api/analytics` is open to anyone (a public dashboard), not only admins. */
  ANALYTICS_PUBLIC: z.enum(['true', 'false']).default('false'),
  /** An external identity provider's JWKS; set with AUTH_ISSUER and AUTH_AUDIENCE. */
  AUTH_JWKS_URL: z.url({ protocol: /^https?$/ }).optional(),
  AUTH_ISSUER: z.string().min(1).optional(),
  AUTH_AUDIENCE: z.string().min(1).optional(),
  /**
   * Failed logins before 429 (each refilled over 15 min): to one account from one client
   * address; to one account from all addresses together (against guessing spread over
   * many; default ten times the first); and from one address, to any account
   * (registrations and refreshes count there too).
   */
  LOGIN_ATTEMPTS_PER_ACCOUNT: int(1, 10_000).default(10),
  LOGIN_ATTEMPTS_PER_ACCOUNT_TOTAL: int(1, 1_000_000).optional(),
  LOGIN_ATTEMPTS_PER_ADDRESS: int(1, 100_000).default(30),
  /** Sends per second per connection (token bucket refill) and the bucket size. */
  RATE_LIMIT_PER_SECOND: z.coerce.number().positive().max(1_000_000).default(5),
  RATE_LIMIT_BURST: int(1, 1_000_000).default(10),
  /** Refusals in a row (without a successful frame between) before the socket is closed. */
  RATE_LIMIT_STRIKES: int(1, 10_000).default(20),
  /**
   * Open rooms that exist without anyone opening them, besides `global`: comma-separated
   * names, a trailing `*` opening every name it begins (`*` alone: any name, guests' joins
   * included). Any other open room is opened by an account joining an unused name.
   */
  OPEN_ROOMS: z
    .string()
    .regex(
      /^\s*((\*|[a-z0-9][a-z0-9_.:-]{0,63}\*?)\s*(,\s*|$))*$/,
      'room names (a-z 0-9 _ . : -), each may end in *, comma-separated',
    )
    .default(''),
  /** New open rooms an account may open in an hour by joining unused names; 0: none. */
  ROOMS_PER_ACCOUNT_PER_HOUR: int(0, 100_000).default(10),
  /** Messages `joined` carries on a plain join. */
  HISTORY_ON_JOIN: int(0, limits.historyPageMax).default(limits.joinHistory),
  /** How long after sending its author may edit a message; 0: no limit. */
  EDIT_WINDOW_SECONDS: int(0, 365 * 24 * 3600).default(24 * 3600),
  /** Largest upload, in bytes. */
  MEDIA_MAX_BYTES: int(1024, 1024 * 1024 * 1024).default(10 * 1024 * 1024),
  /** Most pixels an uploaded image may have (all frames of an animation together). */
  MEDIA_MAX_PIXELS: int(1, 1_000_000_000).default(40_000_000),
  /** Images are served at most this wide and high (larger ones are scaled down). */
  MEDIA_MAX_DIMENSION: int(64, 16_384).default(2048),
  /** Most messages a resume replays before it answers `reset` instead. */
  RESUME_WINDOW: int(1, 100_000).default(1000),
  /**
   * With REDIS_URL: how long a connection counts as present after its node stops renewing
   * it (the node died); nodes renew every third of it.
   */
  PRESENCE_LEASE_SECONDS: int(3, 3600).default(45),
  /**
   * With REDIS_URL: how long a node's outbox lease outlives it; once it lapsed, another node
   * claims the outbox entries the dead node read and had not yet written to the database.
   */
  OUTBOX_LEASE_SECONDS: int(2, 300).default(5),
  AUTH_TIMEOUT_MS: int(100, 10_000).default(5000),
  HEARTBEAT_INTERVAL_MS: int(100, 300_000).default(30_000),
  /** Bytes queued to one socket beyond which it is shed as a slow consumer. */
  MAX_BUFFERED_BYTES: int(16 * 1024, 1024 * 1024 * 1024).default(1024 * 1024),
  /**
   * New WebSocket connections a node admits per second (bursts of as many); beyond it they
   * are told `retry_later` with a delay, so a reconnect storm arrives as a steady stream.
   */
  ADMISSION_PER_SECOND: int(1, 1_000_000).default(1000),
  /**
   * Ticketmaster Discovery API key: the events catalog comes from Ticketmaster (the 400 most
   * relevant events of the next 24 hours, every 6 hours, and searches pass through). Unset:
   * a generated demo schedule.
   */
  TICKETMASTER_API_KEY: z.string().min(8, 'must be at least 8 characters').optional(),
  /** Where the Discovery API is (a proxy or a test's server). */
  TICKETMASTER_URL: z.url({ protocol: /^https?$/ }).default('https://app.ticketmaster.com'),
  /** Minutes after its end that an event leaves the catalog, with its room's history. */
  EVENTS_REMOVE_AFTER_MINUTES: int(1, 365 * 24 * 60).default(60),
  /** Minutes before its start that an event's room opens. */
  EVENT_ROOM_OPENS_MINUTES: int(0, 7 * 24 * 60).default(120),
  /** Minutes after its end that an event room's history is deleted (and the room closes). */
  EVENT_HISTORY_TTL_MINUTES: int(1, 365 * 24 * 60).default(60),
  /** Time SIGTERM waits for sockets to close and the persister to flush. */
  SHUTDOWN_TIMEOUT_MS: int(0, 120_000).default(10_000),
});

export type Env = z.input<typeof schema>;
type Parsed = z.output<typeof schema>;

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  webDir: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  /** Node processes sharing the port on this machine (1: this process serves). */
  workers: number;
  sqliteSynchronous: 'FULL' | 'NORMAL';
  commitLanes: number;
  /** `'*'` or exact origins; empty array means "the server's own origin". */
  allowedOrigins: '*' | string[];
  /** The Host names requests and upgrades must carry (the loopback names among them). */
  allowedHosts: AllowedHosts;
  /** Fastify's `trustProxy`: none, the first `n` hops, or the proxies' addresses. */
  trustProxy: false | string | ((address: string, hop: number) => boolean);
  logLevel: Parsed['LOG_LEVEL'];
  tokenSecret: string | undefined;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  refreshReuseGraceSeconds: number;
  guestTokenTtlSeconds: number;
  guestAccess: boolean;
  /** Admins' logins, lower-cased. */
  admins: ReadonlySet<string>;
  analyticsPublic: boolean;
  externalAuth: { jwksUrl: string; issuer: string; audience: string } | undefined;
  loginAttempts: { perAccount: number; perAccountTotal: number; perAddress: number };
  rateLimit: { perSecond: number; burst: number; strikes: number };
  historyOnJoin: number;
  /** Where open rooms come from: the OPEN_ROOMS entries, and accounts' hourly allowance. */
  rooms: { open: string[]; perAccountPerHour: number };
  editWindowSeconds: number;
  media: { maxBytes: number; maxPixels: number; maxDimension: number };
  resumeWindow: number;
  /** Presence lease in Redis (ms); the node also re-counts its rooms every third of it. */
  presenceLeaseMs: number;
  /** Outbox consumer lease in Redis (ms), renewed every fifth of it. */
  outboxLeaseMs: number;
  /** New WebSocket connections admitted per second per node (and the burst). */
  admissionPerSecond: number;
  authTimeoutMs: number;
  heartbeatIntervalMs: number;
  maxBufferedBytes: number;
  shutdownTimeoutMs: number;
  events: {
    /** Set: Ticketmaster is the source; unset: the demo schedule. */
    ticketmaster: { apiKey: string; url: string } | undefined;
    removeAfterMs: number;
    historyTtlMs: number;
    roomOpensBeforeMs: number;
  };
}

/** Values never echoed back in an error: they are (or may hold) credentials. */
const SECRET_VARIABLES = new Set([
  'TOKEN_SECRET',
  'DATABASE_URL',
  'REDIS_URL',
  'TICKETMASTER_API_KEY',
]);

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** A comma-separated setting's entries, trimmed, without empty ones. */
function listOf(raw: string): string[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function parseOrigins(raw: string): '*' | string[] {
  const list = listOf(raw);
  if (list.includes('*')) return '*';
  return list.map((origin) => origin.replace(/\/$/, ''));
}

/** Reads the environment; throws ConfigError listing every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const relevant = Object.fromEntries(
    Object.keys(schema.shape).flatMap((key) => {
      const value = env[key];
      return value === undefined || value === '' ? [] : [[key, value]];
    }),
  );
  const parsed = schema
    .refine(
      (c) =>
        [c.AUTH_JWKS_URL, c.AUTH_ISSUER, c.AUTH_AUDIENCE].every((v) => v === undefined) ||
        [c.AUTH_JWKS_URL, c.AUTH_ISSUER, c.AUTH_AUDIENCE].every((v) => v !== undefined),
      {
        path: ['AUTH_JWKS_URL'],
        message: 'AUTH_JWKS_URL, AUTH_ISSUER and AUTH_AUDIENCE go together',
      },
    )
    .refine((c) => c.REDIS_URL === undefined || c.DATABASE_URL !== undefined, {
      path: ['REDIS_URL'],
      message: 'REDIS_URL needs DATABASE_URL: the nodes share one PostgreSQL',
    })
    .refine((c) => c.EVENT_HISTORY_TTL_MINUTES <= c.EVENTS_REMOVE_AFTER_MINUTES, {
      path: ['EVENT_HISTORY_TTL_MINUTES'],
      message: 'must not exceed EVENTS_REMOVE_AFTER_MINUTES: a room closes before its event goes',
    })
    .refine((c) => isLoopback(c.HOST) || listOf(c.ALLOWED_HOSTS).length > 0, {
      path: ['ALLOWED_HOSTS'],
      message:
        'must be set when HOST is not a loopback address: the names clients reach this server by (e.g. chat.example.com), or * to answer any Host',
    })
    .refine((c) => (c.WORKERS ?? 1) === 1 || c.REDIS_URL !== undefined, {
      path: ['WORKERS'],
      message: 'WORKERS above 1 needs REDIS_URL: the embedded bus lives in one process',
    })
    .safeParse(relevant);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const key = String(issue.path[0] ?? '?');
        const shown = SECRET_VARIABLES.has(key) ? '(hidden)' : JSON.stringify(env[key] ?? '');
        return `${key}=${shown}: ${issue.message}`;
      }),
    );
  }
  const c = parsed.data;
  return {
    port: c.PORT,
    host: c.HOST,
    dataDir: c.DATA_DIR,
    webDir: c.WEB_DIR,
    databaseUrl: c.DATABASE_URL,
    redisUrl: c.REDIS_URL,
    workers: c.WORKERS ?? (c.REDIS_URL === undefined ? 1 : availableParallelism()),
    sqliteSynchronous: c.SQLITE_SYNCHRONOUS,
    commitLanes: c.COMMIT_LANES,
    allowedOrigins: parseOrigins(c.ALLOWED_ORIGINS),
    allowedHosts: parseHosts(c.ALLOWED_HOSTS, c.HOST),
    trustProxy:
      c.TRUST_PROXY === undefined
        ? false
        : /^\d+$/.test(c.TRUST_PROXY)
          ? trustHops(Number(c.TRUST_PROXY))
          : c.TRUST_PROXY,
    logLevel: c.LOG_LEVEL,
    tokenSecret: c.TOKEN_SECRET,
    accessTokenTtlSeconds: c.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: c.REFRESH_TOKEN_TTL_SECONDS,
    refreshReuseGraceSeconds: c.REFRESH_REUSE_GRACE_SECONDS,
    guestTokenTtlSeconds: c.GUEST_TOKEN_TTL_SECONDS,
    guestAccess: c.GUEST_ACCESS === 'true',
    admins: new Set(
      c.ADMINS.split(',')
        .map((login) => login.trim().toLowerCase())
        .filter((login) => login.length > 0),
    ),
    analyticsPublic: c.ANALYTICS_PUBLIC === 'true',
    externalAuth:
      c.AUTH_JWKS_URL === undefined
        ? undefined
        : { jwksUrl: c.AUTH_JWKS_URL, issuer: c.AUTH_ISSUER!, audience: c.AUTH_AUDIENCE! },
    loginAttempts: {
      perAccount: c.LOGIN_ATTEMPTS_PER_ACCOUNT,
      perAccountTotal: c.LOGIN_ATTEMPTS_PER_ACCOUNT_TOTAL ?? 10 * c.LOGIN_ATTEMPTS_PER_ACCOUNT,
      perAddress: c.LOGIN_ATTEMPTS_PER_ADDRESS,
    },
    rateLimit: {
      perSecond: c.RATE_LIMIT_PER_SECOND,
      burst: c.RATE_LIMIT_BURST,
      strikes: c.RATE_LIMIT_STRIKES,
    },
    historyOnJoin: c.HISTORY_ON_JOIN,
    rooms: {
      open: c.OPEN_ROOMS.split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry.length > 0),
      perAccountPerHour: c.ROOMS_PER_ACCOUNT_PER_HOUR,
    },
    editWindowSeconds: c.EDIT_WINDOW_SECONDS,
    media: {
      maxBytes: c.MEDIA_MAX_BYTES,
      maxPixels: c.MEDIA_MAX_PIXELS,
      maxDimension: c.MEDIA_MAX_DIMENSION,
    },
    resumeWindow: c.RESUME_WINDOW,
    presenceLeaseMs: c.PRESENCE_LEASE_SECONDS * 1000,
    outboxLeaseMs: c.OUTBOX_LEASE_SECONDS * 1000,
    authTimeoutMs: c.AUTH_TIMEOUT_MS,
    heartbeatIntervalMs: c.HEARTBEAT_INTERVAL_MS,
    maxBufferedBytes: c.MAX_BUFFERED_BYTES,
    shutdownTimeoutMs: c.SHUTDOWN_TIMEOUT_MS,
    admissionPerSecond: c.ADMISSION_PER_SECOND,
    events: {
      ticketmaster:
        c.TICKETMASTER_API_KEY === undefined
          ? undefined
          : { apiKey: c.TICKETMASTER_API_KEY, url: c.TICKETMASTER_URL },
      removeAfterMs: c.EVENTS_REMOVE_AFTER_MINUTES * 60_000,
      historyTtlMs: c.EVENT_HISTORY_TTL_MINUTES * 60_000,
      roomOpensBeforeMs: c.EVENT_ROOM_OPENS_MINUTES * 60_000,
    },
  };
}

/**
 * The loopback names, the address listened on when it is a loopback one (127.0.0.2), and
 * the configured names; `*` for any.
 */
function parseHosts(raw: string, listenOn: string): AllowedHosts {
  const list = listOf(raw);
  if (list.includes('*')) return '*';
  const bare = listenOn.replace(/^\[(.*)\]$/, '$1');
  const own = isLoopback(bare) ? parseHost(bare.includes(':') ? `[${bare}]` : bare) : undefined;
  const rules = [...loopbackHosts];
  const named = list.flatMap((entry) => parseHost(entry) ?? []);
  for (const rule of own === undefined ? named : [own, ...named]) {
    if (!rules.some((r) => r.name === rule.name && r.port === rule.port)) rules.push(rule);
  }
  return rules;
}

/** Trusts the nearest `count` proxies (proxy-addr counts hops from the socket, from 0). */
function trustHops(count: number): (address: string, hop: number) => boolean {
  return (_address, hop) => hop < count;
}

/** The variables, their defaults and meanings, for the README's configuration table. */
export const configVariables = Object.keys(schema.shape);
