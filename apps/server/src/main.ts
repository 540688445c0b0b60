import cluster from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import pino, { type Logger } from 'pino';
import { LocalFiguresBoard } from './analytics/local.js';
import type { FiguresBoard } from './analytics/port.js';
import { RedisFiguresBoard } from './analytics/redis.js';
import { Telemetry } from './analytics/telemetry.js';
import { AccountStore } from './auth/accounts.js';
import { TokenService } from './auth/tokens.js';
import { LocalBroker } from './broker/local.js';
import { OutboxPersister } from './broker/outbox.js';
import type { Broker } from './broker/port.js';
import { RedisBroker } from './broker/redis.js';
import { ChannelStore } from './channels/store.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import { DemoSource } from './events/demo.js';
import { EventStore } from './events/store.js';
import { TicketmasterSource } from './events/ticketmaster.js';
import { LocalJobClaims, RedisJobClaims } from './jobs/claims.js';
import type { JobClaims } from './jobs/port.js';
import { FileMediaStorage } from './media/storage.js';
import { MediaStore } from './media/store.js';
import { MentionStore } from './mentions/store.js';
import { HubbubNode } from './node.js';
import { MemoryPresence } from './presence/memory.js';
import type { PresenceStore } from './presence/port.js';
import { RedisPresence } from './presence/redis.js';
import { ReceiptStore } from './receipts/store.js';
import { postgresSearch, sqliteSearch } from './search/engines.js';
import { LocalSignals } from './signals/local.js';
import type { Signals } from './signals/port.js';
import { RedisSignals } from './signals/redis.js';
import { unnestWriter, valuesWriter } from './store/bulk.js';
import { KyselyMessageStore } from './store/kysely-store.js';
import { GroupCommitPersister } from './store/persister.js';
import type { MessageStore } from './store/port.js';
import { openPostgresDatabase } from './store/postgres.js';
import type { Database } from './store/schema.js';
import { openSqliteDatabase } from './store/sqlite.js';
import { DRAIN, runWorkers } from './workers.js';

/**
 * The composition root: the one place that reads configuration and picks an implementation
 * for each port. Everything else is handed what it needs.
 */

export interface OpenNodeOptions {
  logger?: Logger;
}

function openDatabase(config: Config): Kysely<Database> {
  if (config.databaseUrl !== undefined) return openPostgresDatabase({ url: config.databaseUrl });
  return openSqliteDatabase({
    file: join(resolve(config.dataDir), 'hubbub.sqlite'),
    synchronous: config.sqliteSynchronous,
  });
}

/** How messages and notices move between the node and the store, and who is where. */
interface Bus {
  broker: Broker;
  signals: Signals;
  presence: PresenceStore;
  jobs: JobClaims;
  figures: FiguresBoard;
  /** Rejects while the bus cannot carry messages (readiness). */
  ready(): Promise<void>;
  /** Acknowledged messages not yet in the database (the outbox's lag with Redis). */
  backlog(): Promise<number>;
  /** After the sockets closed: drain what is in flight, then let go. */
  close(): Promise<void>;
}

/** One process: the in-process broker over a group-commit persister. */
function embeddedBus(
  store: MessageStore,
  config: Config,
  logger: Logger,
  telemetry: Telemetry,
): Bus {
  const persister = new GroupCommitPersister(store, {
    logger,
    // SQLite commits one at a time on its one connection; PostgreSQL's pool takes several.
    concurrency: config.databaseUrl === undefined ? 1 : config.commitLanes,
    onCommit: (rows, seconds) => telemetry.committed(rows, seconds),
  });
  const broker = new LocalBroker({ store, writer: persister, resumeWindow: config.resumeWindow });
  return {
    broker,
    signals: new LocalSignals(),
    presence: new MemoryPresence(),
    jobs: new LocalJobClaims(),
    figures: new LocalFiguresBoard(),
    ready: async () => {},
    backlog: async () => persister.backlog,
    close: () => persister.close(),
  };
}

/**
 * Many nodes: Redis sequences and delivers, an outbox (drained by every node's persister
 * in one consumer group) fills the database, presence is shared with leases.
 */
async function sharedBus(
  url: string,
  store: MessageStore,
  config: Config,
  logger: Logger,
  telemetry: Telemetry,
): Promise<Bus> {
  // A half-open connection (a partition, a failover) would otherwise hold every command
  // until TCP gives up, minutes later: refuse after 5 s, and the client resends.
  const redis = new Redis(url, { maxRetriesPerRequest: 2, commandTimeout: 5000 });
  const reader = redis.duplicate();
  for (const connection of [redis, reader])
    connection.on('error', (error) => logger.warn({ err: error }, 'redis connection error'));
  const broker = new RedisBroker({
    redis,
    store,
    resumeWindow: config.resumeWindow,
    userRate: config.rateLimit,
    logger,
  });
  const presence = new RedisPresence(redis, { leaseMs: config.presenceLeaseMs });
  const signals = new RedisSignals(redis, {
    subscriber: broker.subscriberConnection,
    onError: (error) => logger.warn({ err: error }, 'signal not sent'),
  });
  const outbox = new OutboxPersister({
    redis: reader,
    store,
    streams: broker.outboxKeys(),
    consumer: `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`,
    leasePrefix: broker.outboxLeasePrefix(),
    leaseMs: config.outboxLeaseMs,
    logger,
    onCommit: (rows, seconds) => telemetry.committed(rows, seconds),
  });
  await outbox.start();
  return {
    broker,
    signals,
    presence,
    jobs: new RedisJobClaims(redis),
    figures: new RedisFiguresBoard(redis),
    ready: async () => {
      // A replica answers PING (and pub/sub) but refuses every publish script: after a
      // failover the address must lead to the new primary.
      const [role] = (await redis.role()) as [string, ...unknown[]];
      if (role !== 'master') throw new Error(`redis at REDIS_URL is a ${role}, not the primary`);
      // Connected is not enough: pub/sub must deliver.
      if (!broker.healthy() || !signals.healthy())
        throw new Error('redis pub/sub delivers nothing (wedged); reconnecting');
    },
    backlog: () => outbox.lag(),
    close: async () => {
      await broker.close();
      await signals.close();
      presence.close();
      await outbox.close();
      // quit, not disconnect: queued commands (presence exits, revisions) go out first.
      await Promise.all([redis.quit(), reader.quit()]).catch(() => {});
    },
  };
}

/** Opens the store, runs migrations and wires a node; call `listen()` on the result. */
export async function openNode(config: Config, options: OpenNodeOptions = {}): Promise<HubbubNode> {
  const logger = options.logger ?? pino({ level: config.logLevel });
  const db = openDatabase(config);
  // The message store owns the database's lifetime; features borrow it for their tables.
  const store = new KyselyMessageStore(
    db,
    config.databaseUrl === undefined ? valuesWriter : unnestWriter,
  );
  await store.migrate();
  const telemetry = new Telemetry();
  const bus =
    config.redisUrl === undefined
      ? embeddedBus(store, config, logger, telemetry)
      : await sharedBus(config.redisUrl, store, config, logger, telemetry);
  const tokens = await TokenService.load(config.tokenSecret, config.dataDir, {
    accessTtlSeconds: config.accessTokenTtlSeconds,
    guestTtlSeconds: config.guestTokenTtlSeconds,
    external: config.externalAuth,
  });
  return new HubbubNode(
    config,
    {
      store,
      broker: bus.broker,
      signals: bus.signals,
      presence: bus.presence,
      tokens,
      accounts: new AccountStore(db),
      channels: new ChannelStore(db),
      receipts: new ReceiptStore(db),
      mentions: new MentionStore(db),
      search: config.databaseUrl === undefined ? sqliteSearch(db) : postgresSearch(db),
      media: new FileMediaStorage(join(resolve(config.dataDir), 'media')),
      mediaRecords: new MediaStore(db),
      events: new EventStore(db, config.databaseUrl === undefined ? 'sqlite' : 'postgres'),
      eventSource:
        config.events.ticketmaster === undefined
          ? new DemoSource()
          : new TicketmasterSource({
              apiKey: config.events.ticketmaster.apiKey,
              baseUrl: config.events.ticketmaster.url,
              logger,
            }),
      jobs: bus.jobs,
      figures: bus.figures,
      telemetry,
      shared: config.redisUrl !== undefined,
      ready: bus.ready,
      backlog: bus.backlog,
      release: async () => {
        await bus.close();
        await store.close();
      },
    },
    logger,
  );
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`hubbub: ${error.message}\n`);
    process.exit(2);
  }
  if (config.workers > 1 && cluster.isPrimary) {
    await runWorkers(config.workers, pino({ level: config.logLevel }), config.shutdownTimeoutMs);
    return;
  }
  // Signals and the primary's DRAIN are heard from the start: one that comes while the
  // node is still opening (migrations) drains it as soon as it is up.
  let node: HubbubNode | undefined;
  let draining = false;
  const drain = () => {
    draining = true;
    node?.close().then(
      () => process.exit(0),
      (error: unknown) => {
        node?.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  let signals = 0;
  const stop = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      node?.logger.warn({ signal }, 'second signal: exiting without draining');
      process.exit(1);
    }
    node?.logger.info({ signal }, 'draining');
    if (node === undefined) process.exit(0); // nothing was acknowledged yet
    drain();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  if (cluster.isWorker) {
    process.on('message', (message) => {
      if (message === DRAIN) drain();
    });
    // The primary is gone (killed): without it no connection reaches this worker; a crash,
    // like the primary's. Nothing acknowledged is lost: it is in Redis.
    process.on('disconnect', () => process.exit(1));
  }
  node = await openNode(config);
  await node.listen();
  if (draining) drain();
}

if (
  process.argv[1] !== undefined &&
  import.meta.url === pathToFileURL(resolve(process.argv[1])).href
) {
  main().catch((error: unknown) => {
    process.stderr.write(
      `hubbub: failed to start: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    process.exit(1);
  });
}
