import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import cors from '@fastify/cors';
import type { ModeratedFrame, RoomAddedFrame } from '@hubbub/protocol';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import type { Logger } from 'pino';
import { metricsRegistry } from './analytics/metrics.js';
import type { FiguresBoard } from './analytics/port.js';
import { analyticsReaders, analyticsRoutes } from './analytics/routes.js';
import { NodeAnalytics } from './analytics/service.js';
import type { Telemetry } from './analytics/telemetry.js';
import type { AccountStore } from './auth/accounts.js';
import { Authenticator } from './auth/authenticator.js';
import { AuthService } from './auth/service.js';
import type { TokenService } from './auth/tokens.js';
import type { Broker } from './broker/port.js';
import { RoomAccess } from './channels/access.js';
import { collectEmptyRooms } from './channels/collect.js';
import { ChatDelay } from './channels/delay.js';
import { ModerationService } from './channels/moderation.js';
import { StandingRooms } from './channels/open-rooms.js';
import { channelRoutes } from './channels/routes.js';
import { ChannelService } from './channels/service.js';
import type { ChannelStore } from './channels/store.js';
import type { Config } from './config.js';
import { EventAnnouncer } from './events/announcer.js';
import { EventCatalog } from './events/catalog.js';
import { CheerTally } from './events/cheers.js';
import { EventRoomGuard, eventIdOf } from './events/rooms.js';
import { eventRoutes, eventsPage } from './events/routes.js';
import { type EventSource, SourceError } from './events/source.js';
import type { EventStore } from './events/store.js';
import { Gateway } from './gateway/gateway.js';
import { authRoutes } from './http/auth.js';
import { installErrorHandlers } from './http/errors.js';
import { healthRoutes } from './http/health.js';
import { historyRoutes } from './http/history.js';
import { hostAllowed } from './http/hosts.js';
import { registerOpenApi } from './http/openapi.js';
import { registerSecurity } from './http/security.js';
import { userRoutes } from './http/users.js';
import { webRoutes } from './http/web.js';
import type { JobClaims } from './jobs/port.js';
import { Scheduler } from './jobs/scheduler.js';
import { collectRevokedMedia } from './media/gc.js';
import { mediaRoutes } from './media/routes.js';
import { AttachmentSigner } from './media/signing.js';
import type { MediaStorage } from './media/storage.js';
import type { MediaStore } from './media/store.js';
import { MentionService } from './mentions/service.js';
import type { MentionStore } from './mentions/store.js';
import { MessageLifecycle } from './messages/lifecycle.js';
import type { PresenceStore } from './presence/port.js';
import { receiptRoutes } from './receipts/routes.js';
import { ReceiptService } from './receipts/service.js';
import type { ReceiptStore } from './receipts/store.js';
import { RoomPresence } from './rooms/presence.js';
import { Rooms } from './rooms/rooms.js';
import type { MessageSearch } from './search/port.js';
import { searchRoutes } from './search/routes.js';
import type { NodeSignal, Signals } from './signals/port.js';
import type { MessageStore } from './store/port.js';

/** The ports a node runs on, already opened by the composition root. */
export interface NodePorts {
  store: MessageStore;
  broker: Broker;
  /** Notices to rooms' members and signals to every node (the ephemeral side of the bus). */
  signals: Signals;
  /** Who is in which room: ephemeral, shared by the nodes of a cluster. */
  presence: PresenceStore;
  tokens: TokenService;
  /** Accounts live in the store's database; not a port, since both engines share the queries. */
  accounts: AccountStore;
  /** Channel rules, likewise. */
  channels: ChannelStore;
  /** Delivery and read pointers, likewise. */
  receipts: ReceiptStore;
  /** Who was `@mentioned` where, likewise. */
  mentions: MentionStore;
  /** Full-text search over stored messages: the engine's own index. */
  search: MessageSearch;
  /** Uploaded files' bytes (content-addressed), and their records in the database. */
  media: MediaStorage;
  mediaRecords: MediaStore;
  /** The events catalog's table, and where its events come from (Ticketmaster or the demo). */
  events: EventStore;
  eventSource: EventSource;
  /** Who runs each occurrence of a scheduled job: one node of the cluster. */
  jobs: JobClaims;
  /** Where nodes pin their analytics, so any node answers for the cluster. */
  figures: FiguresBoard;
  /** This node's counters; the root made them, to hand them to the persisters too. */
  telemetry: Telemetry;
  /**
   * Whether other nodes share these ports (Redis): the store is then filled a moment after
   * the ack (by the outbox), and presence lapses when a node dies.
   */
  shared: boolean;
  /** Rejects while the message bus cannot carry messages (Redis unreachable): not ready. */
  ready(): Promise<void>;
  /**
   * Acknowledged messages not yet in the database: the persister's queue, or with Redis the
   * outbox's lag (entries pending or unread in the persisters' group). Shown on `/ready`.
   */
  backlog(): Promise<number>;
  /** Called last on shutdown, after sockets are closed: drain the persister, close the store. */
  release(): Promise<void>;
}

/**
 * One Hubbub node: HTTP and WebSockets on one port over the ports it is given. It knows
 * nothing of which implementations those are.
 */
export class HubbubNode {
  private readonly app;
  private readonly gateway: Gateway;
  private readonly rooms: Rooms;
  private readonly presence: RoomPresence;
  private readonly channels: ChannelService;
  private readonly recount: NodeJS.Timeout | undefined;
  private readonly scheduler: Scheduler;
  private readonly stopSignals: () => void;
  private readonly analytics: NodeAnalytics;
  private readonly catalog: EventCatalog;
  private readonly announcer: EventAnnouncer;
  private readonly cheers: CheerTally;
  private readonly delay: ChatDelay;
  private draining = false;
  private readonly routeList: string[] = [];
  private closing: Promise<void> | undefined;

  constructor(
    private readonly config: Config,
    private readonly ports: NodePorts,
    readonly logger: Logger,
  ) {
    this.app = Fastify({
      // pino's Logger is a FastifyBaseLogger; naming the narrower type keeps route helpers generic.
      loggerInstance: logger as FastifyBaseLogger,
      bodyLimit: 64 * 1024,
      trustProxy: config.trustProxy,
    });
    installErrorHandlers(this.app);
    registerSecurity(this.app, {
      allowedHosts: config.allowedHosts,
      remoteImages: config.events.ticketmaster !== undefined,
    });
    // One allowlist for browsers, REST (CORS) and WebSocket upgrades (Origin) alike.
    const origins = config.allowedOrigins;
    void this.app.register(cors, {
      origin: origins === '*' ? true : origins.length === 0 ? false : origins,
      credentials: false,
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    });
    this.presence = new RoomPresence(
      ports.presence,
      (room, frame) => this.rooms.announce(room, frame),
      (error) => logger.error({ err: error }, 'presence update failed'),
    );
    // Changes that every node must act on travel as signals; this node acts on its own too.
    const nodeId = randomUUID();
    const signals = ports.signals;
    // Open rooms that exist from the start: `global`, OPEN_ROOMS, and event rooms (their
    // guard checks the event). Any other is opened by an account, so many an hour.
    const standingRooms = new StandingRooms(config.rooms.open);
    const standing = (room: string) => standingRooms.has(room) || eventIdOf(room) !== undefined;
    const access = new RoomAccess(
      ports.channels,
      (room, user) =>
        signals.broadcast({ kind: 'rules', origin: nodeId, room, ...(user ? { user } : {}) }),
      config.admins,
      { standing, perAccountPerHour: config.rooms.perAccountPerHour },
    );
    const signer = new AttachmentSigner(ports.tokens.derivedKey('media-attachments'));
    // Work after a message was acknowledged: its failure is logged, never the sender's.
    const afterAck = (work: Promise<void>) => {
      work.catch((error: unknown) => logger.error({ err: error }, 'recording mentions failed'));
    };
    const mentions = new MentionService(ports.mentions, access, (user, frame) =>
      signals.broadcast({ kind: 'notify', user, frame }),
    );
    const rooms = new Rooms({
      broker: ports.broker,
      signals,
      presence: this.presence,
      historyOnJoin: config.historyOnJoin,
      meter: ports.telemetry,
      onSent: (message) => afterAck(mentions.sent(message)),
      onReceived: (messages) => {
        for (const message of messages) access.observe(message);
      },
    });
    this.rooms = rooms;
    this.delay = new ChatDelay({
      publish: (user, frame, slowModeMs, id) => rooms.send(user, frame, slowModeMs, id),
      // The guard is made below; a release comes long after.
      recheck: (identity, room, content) => guard.checkEdit(identity, room, Date.now(), content),
      broadcast: (signal) => signals.broadcast(signal),
      toModerators: (room, frame) =>
        rooms.announceTo(room, frame, (member) => access.moderates(member, room)),
    });
    const authenticator = new Authenticator(ports.tokens, ports.accounts, config.guestAccess);
    const auth = new AuthService(
      ports.accounts,
      ports.tokens,
      {
        ttlSeconds: config.refreshTokenTtlSeconds,
        reuseGraceSeconds: config.refreshReuseGraceSeconds,
      },
      (user, session) =>
        signals.broadcast({ kind: 'end-sessions', user, ...(session ? { session } : {}) }),
      (userId) => this.channels.welcome(userId),
    );
    const effects = {
      announce: (room: string, frame: ModeratedFrame) => rooms.announce(room, frame),
      evict: (user: string, room: string, reason: 'kicked' | 'banned' | 'removed') =>
        signals.broadcast({ kind: 'evict', origin: nodeId, user, room, reason }),
      roomAdded: (user: string, frame: RoomAddedFrame) =>
        signals.broadcast({ kind: 'notify', user, frame }),
      revokeMedia: (ids: readonly string[]) => ports.mediaRecords.revoke(ids),
    };
    // Shared ports: the database is filled by the outbox, a moment after the ack.
    const storeLags = ports.shared;
    const moderation = new ModerationService(
      access,
      ports.channels,
      ports.store,
      ports.broker,
      effects,
      storeLags,
      this.delay,
    );
    this.channels = new ChannelService(ports.channels, access, ports.accounts, effects, (name) =>
      standingRooms.named(name),
    );
    this.catalog = new EventCatalog(ports.events, ports.eventSource, {
      removeAfterMs: config.events.removeAfterMs,
      historyTtlMs: config.events.historyTtlMs,
      searchThrough: config.events.ticketmaster !== undefined,
      opensBeforeMs: config.events.roomOpensBeforeMs,
      viewers: async (room) => (await ports.presence.headcount(room, 0)).count,
      expireRoom: (room, at) => ports.broker.expire(room, at),
      closeRoom: (room) => signals.broadcast({ kind: 'close-room', room }),
      revokeMedia: (ids) => ports.mediaRecords.revoke(ids),
      settleMs: 2000,
      logger,
    });
    this.announcer = new EventAnnouncer(
      ports.events,
      ports.broker,
      config.events.historyTtlMs,
      logger,
    );
    this.cheers = new CheerTally(
      (room, counts) => signals.broadcast({ kind: 'cheers', room, counts }),
      (room, frame) => rooms.announceHere(room, frame),
    );
    // Event rooms' opening hours first, then the rules every room has.
    const guard = new EventRoomGuard(access, (id) => this.catalog.find(id), this.catalog.policy);
    this.gateway = new Gateway({
      authenticator,
      rooms,
      guard,
      moderation,
      receipts: new ReceiptService(ports.receipts, access, (room, frame) =>
        rooms.announce(room, frame),
      ),
      messages: new MessageLifecycle(
        ports.store,
        ports.broker,
        guard,
        (room, frame) => rooms.announce(room, frame),
        config.editWindowSeconds * 1000,
        (message) => afterAck(mentions.edited(message)),
        storeLags,
      ),
      cheers: this.cheers,
      delay: this.delay,
      attachments: signer,
      logger,
      meter: ports.telemetry,
      allowedOrigins: config.allowedOrigins,
      hostAllowed: (host) => hostAllowed(config.allowedHosts, host),
      authTimeoutMs: config.authTimeoutMs,
      heartbeatIntervalMs: config.heartbeatIntervalMs,
      maxBufferedBytes: config.maxBufferedBytes,
      rateLimit: config.rateLimit,
      admissionPerSecond: config.admissionPerSecond,
    });
    this.app.addHook('onRoute', (route) => {
      // The API surface, without the document itself.
      const api =
        route.url.startsWith('/api/') || route.url === '/health' || route.url === '/ready';
      if (!api || route.url === '/api/docs') return;
      for (const method of [route.method].flat()) {
        if (method !== 'HEAD' && method !== 'OPTIONS')
          this.routeList.push(`${method} ${route.url}`);
      }
    });
    this.analytics = new NodeAnalytics(
      ports.telemetry,
      ports.figures,
      nodeId,
      () => this.gateway.people(),
      logger,
    );
    registerOpenApi(this.app);
    // Routes go in a plugin registered after the document generator, so it sees every one.
    void this.app.register(async (api) => {
      healthRoutes(api, ports, () => this.draining);
      authRoutes(api, {
        tokens: ports.tokens,
        authenticator,
        auth,
        accounts: ports.accounts,
        guestAccess: config.guestAccess,
        loginAttempts: config.loginAttempts,
        canReadAnalytics: analyticsReaders(config.admins, config.analyticsPublic),
      });
      historyRoutes(api, ports.store, ports.broker, authenticator, (identity, room) =>
        access.canRead(identity, room),
      );
      channelRoutes(api, { authenticator, channels: this.channels, moderation });
      userRoutes(api, { authenticator, accounts: ports.accounts });
      receiptRoutes(api, { authenticator, access, receipts: ports.receipts });
      searchRoutes(api, { authenticator, access, search: ports.search });
      eventRoutes(api, { catalog: this.catalog });
      mediaRoutes(api, {
        authenticator,
        storage: ports.media,
        records: ports.mediaRecords,
        signer,
        limits: config.media,
      });
      analyticsRoutes(api, {
        authenticator,
        analytics: this.analytics,
        metrics: metricsRegistry(ports.telemetry, {
          rooms: () => rooms.count,
          backlog: ports.backlog,
          shared: ports.shared,
        }),
        admins: config.admins,
        public: config.analyticsPublic,
      });
      api.get('/api/docs', { schema: { hide: true } }, async () => this.app.swagger());
      // The page served for /events carries the dashboard's first listing: the same page
      // GET /api/events answers for that query.
      webRoutes(api, config.webDir, (listing) =>
        eventsPage(this.catalog, {
          ...listing,
          classification: listing.classification,
          statuses: undefined,
          near: undefined,
          asOf: undefined,
        }),
      );
    });
    this.gateway.attach(this.app.server);
    this.stopSignals = signals.listen((signal: NodeSignal) => {
      switch (signal.kind) {
        case 'evict':
          if (signal.origin === nodeId)
            return this.gateway.evict(signal.user, signal.room, signal.reason);
          // Rules first: once told it is out, the person must not get back in on this node
          // through rules cached before the change.
          access
            .refresh(signal.room, signal.user)
            .catch((error: unknown) => logger.error({ err: error }, 'reloading rules failed'))
            .finally(() => this.gateway.evict(signal.user, signal.room, signal.reason));
          return;
        case 'resync':
          access.refreshAll().catch((error: unknown) => {
            logger.error({ err: error }, 'reloading room rules failed');
          });
          return;
        case 'notify':
          return this.gateway.notify(signal.user, signal.frame);
        case 'cheers':
          return this.cheers.hear(signal.room, signal.counts);
        case 'close-room':
          this.gateway.closeRoom(signal.room);
          return access.release(signal.room);
        case 'held':
        case 'unhold':
        case 'unheld':
          return this.delay.heard(signal);
        case 'end-sessions':
          return this.gateway.endSessions(signal.user, signal.session);
        case 'rules':
          if (signal.origin === nodeId) return;
          access.refresh(signal.room, signal.user).catch((error: unknown) => {
            logger.error({ err: error, room: signal.room }, 'reloading room rules failed');
          });
      }
    });
    // People of a node that died lapse from shared presence; tell this node's members.
    // Alone, nobody lapses: nothing to re-count.
    this.recount = ports.shared
      ? setInterval(
          () =>
            void this.presence.recount(rooms.ids(), (room, frame) =>
              rooms.announceHere(room, frame),
            ),
          config.presenceLeaseMs / 3,
        )
      : undefined;
    this.recount?.unref();

    this.scheduler = new Scheduler(ports.jobs, logger);
    // Files of deleted messages stop being served at once (revoked); their bytes go an hour
    // later, once, on one node.
    this.scheduler.add({
      name: 'media-gc',
      pattern: '0 17 * * * *',
      run: async () => {
        const collected = await collectRevokedMedia(ports.mediaRecords, ports.media, {
          graceMs: 3600_000,
        });
        if (collected.records > 0) logger.info(collected, 'revoked media collected');
      },
    });
    // Open rooms opened and never used go after an hour, freeing their rows and names.
    this.scheduler.add({
      name: 'rooms-gc',
      pattern: '30 */10 * * * *',
      run: async (signal) => {
        const collected = await collectEmptyRooms(ports.channels, {
          standing,
          occupied: async (room) => (await ports.presence.headcount(room, 0)).count > 0,
          collected: async (room) => {
            await ports.broker.expire(room, Date.now());
            access.forget(room);
          },
          signal,
        });
        if (collected > 0) logger.info({ collected }, 'empty open rooms collected');
      },
    });
    for (const job of this.eventJobs()) this.scheduler.add(job);
  }

  /**
   * The catalog's upkeep: ingest and collect every 6 hours (and once at start, see
   * `listen`), and delete expired event-room history every 5 minutes so it goes close to
   * its hour.
   */
  private eventJobs() {
    const catalog = this.catalog;
    const logger = this.logger;
    return [
      {
        name: 'events-ingest',
        pattern: '0 0 */6 * * *',
        run: (signal: AbortSignal) => this.ingestUntilDone(signal),
      },
      {
        name: 'events-gc',
        pattern: '0 0 */6 * * *',
        run: async () => {
          logger.info(await catalog.collect(), 'ended events collected');
        },
      },
      {
        name: 'events-announce',
        pattern: '*/5 * * * * *',
        run: async () => {
          const said = await this.announcer.announce();
          if (said.started + said.ended > 0) logger.info(said, 'event rooms told');
        },
      },
      {
        name: 'events-history',
        pattern: '0 */5 * * * *',
        run: async () => {
          const { histories } = await catalog.collect();
          if (histories > 0) logger.info({ histories }, 'expired event history deleted');
        },
      },
    ];
  }

  /**
   * Ingests, and on a refusal (Ticketmaster unreachable, rate-limited, out of quota) tries
   * again after backing off (1 minute doubling to 30, or when the source said) rather than
   * leave the catalog empty until the next run. Gives up when the node stops or the next
   * scheduled run is due anyway.
   */
  private async ingestUntilDone(signal: AbortSignal): Promise<void> {
    const giveUpAt = Date.now() + 6 * 3600_000;
    for (let attempt = 0; ; attempt++) {
      try {
        this.logger.info(await this.catalog.ingest(Date.now(), signal), 'events ingested');
        return;
      } catch (error) {
        if (!(error instanceof SourceError) || signal.aborted) throw error;
        const backoff = Math.min(30 * 60_000, 60_000 * 2 ** attempt);
        const at = Math.max(Date.now() + backoff, error.retryAt ?? 0);
        if (at >= giveUpAt) throw error;
        this.logger.warn(
          { kind: error.kind, retryAt: new Date(at).toISOString() },
          `events ingest refused: ${error.message}`,
        );
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, at - Date.now());
          signal.addEventListener(
            'abort',
            () => {
              clearTimeout(timer);
              resolve();
            },
            { once: true },
          );
        });
        if (signal.aborted) return;
      }
    }
  }

  /** Listens on the configured host and port (0 picks a free one); resolves with the port. */
  async listen(): Promise<number> {
    await this.channels.ensureDefaults();
    await this.ports.signals.ready();
    // A deep accept queue: after a restart every client comes back at once, and the default
    // (511) dropped the rest of the crowd's SYNs, each then retried only after 1, 3, 7 s...
    // (the storm benchmark). The kernel caps it at net.core.somaxconn.
    await this.app.listen({ host: this.config.host, port: this.config.port, backlog: 65_535 });
    const port = (this.app.server.address() as AddressInfo).port;
    this.logger.info({ host: this.config.host, port }, 'hubbub listening');
    // The catalog fills after the node is up: readiness never waits on Ticketmaster.
    for (const job of this.eventJobs().filter((j) =>
      ['events-ingest', 'events-gc'].includes(j.name),
    ))
      this.scheduler.runSoon(job, 10 * 60_000);
    return port;
  }

  /** Open WebSocket connections on this node. */
  get connections(): number {
    return this.gateway.size;
  }

  /** Every API route, as `METHOD /path` (for the test that keeps the API document complete). */
  get apiRoutes(): readonly string[] {
    return this.routeList;
  }

  /** Rooms with members on this node. */
  get activeRooms(): number {
    return this.rooms.count;
  }

  /**
   * Graceful shutdown: refuse new work, let in-flight sends finish and be acknowledged,
   * close sockets with the shutdown code, then drain the persister and close the store.
   * Nothing acknowledged is lost. Safe to call twice.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.draining = true;
      // Off the board first: the clients about to move to other nodes must not count twice.
      await this.analytics.stop();
      await this.gateway.shutdown(this.config.shutdownTimeoutMs);
      clearInterval(this.recount);
      this.cheers.stop();
      // Held messages were never acknowledged: their authors send them again elsewhere.
      this.delay.stop();
      await this.scheduler.stop();
      this.stopSignals();
      this.presence.stop();
      await this.app.close();
      await this.ports.broker.close();
      await this.ports.release();
      this.logger.info('hubbub stopped');
    })();
    return this.closing;
  }
}
