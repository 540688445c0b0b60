import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  CloseCode,
  ErrorCode,
  encodeServerFrame,
  limits,
  type MentionedFrame,
  type RestError,
  type RoomAddedFrame,
  type RoomId,
} from '@hubbub/protocol';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { Authenticator } from '../auth/authenticator.js';
import type { Rooms } from '../rooms/rooms.js';
import {
  Connection,
  type ConnectionContext,
  type ConnectionMeter,
  MemberSocket,
} from './connection.js';
import { Expiries } from './expiries.js';
import type {
  AttachmentCheck,
  CheerHandler,
  HeldSends,
  MessageHandler,
  ModerationHandler,
  ReceiptHandler,
  RoomGuard,
} from './guard.js';
import { KeyedLimiter, TokenBucket } from './rate-limit.js';

export interface GatewayOptions {
  authenticator: Authenticator;
  rooms: Rooms;
  guard: RoomGuard;
  moderation: ModerationHandler;
  receipts: ReceiptHandler;
  messages: MessageHandler;
  cheers: CheerHandler;
  /** The chat delay: where sends of rooms in that mode wait. */
  delay: HeldSends;
  attachments: AttachmentCheck;
  logger: Logger;
  /** Counts traffic and open connections for metrics and analytics. */
  meter: ConnectionMeter & { connected(open: number): void; disconnected(open: number): void };
  /** `'*'`, exact origins, or empty for same-origin only. */
  allowedOrigins: '*' | string[];
  /** Whether an upgrade's Host header names this server (DNS rebinding). */
  hostAllowed(host: string | undefined): boolean;
  authTimeoutMs: number;
  heartbeatIntervalMs: number;
  maxBufferedBytes: number;
  rateLimit: { perSecond: number; burst: number; strikes: number };
  /** New connections admitted per second (and burst); beyond it, `retry_later`. */
  admissionPerSecond: number;
}

/** Query parameters that look like credentials: refused so tokens never reach logs. */
const CREDENTIAL_PARAMS = ['token', 'access_token', 'jwt', 'auth', 'authorization'];

/**
 * The WebSocket side of a node: vets upgrades on `/ws`, owns every connection, pings them,
 * and closes them all on shutdown.
 */
export class Gateway {
  private readonly wss: WebSocketServer;
  private readonly connections = new Set<Connection>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly expiries = new Expiries<Connection>((connection) => {
    try {
      connection.expire();
    } catch (error) {
      // One connection's failure must not keep the others of its second past their exp.
      this.options.logger.error({ err: error, conn: connection.id }, 'token expiry failed');
    }
  });
  private accepting = true;
  /** New connections admitted at a bounded rate: a reconnect storm becomes a stream. */
  private readonly admission: TokenBucket;
  /** Connections refused since the second began, to spread their retries. */
  private refused = { second: 0, count: 0 };

  constructor(private readonly options: GatewayOptions) {
    // The `ws` defaults (100 MiB frames, compression) are an attack surface; both are set here.
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: limits.frameMaxBytes,
      perMessageDeflate: false,
      clientTracking: false,
      WebSocket: MemberSocket,
    });
    this.admission = new TokenBucket(
      options.admissionPerSecond,
      options.admissionPerSecond,
      Date.now(),
    );
    // One context for every connection: an idle connection keeps nothing it could share.
    const context: ConnectionContext = {
      authenticator: options.authenticator,
      rooms: options.rooms,
      guard: options.guard,
      moderation: options.moderation,
      receipts: options.receipts,
      messages: options.messages,
      cheers: options.cheers,
      delay: options.delay,
      attachments: options.attachments,
      userSends: new KeyedLimiter(options.rateLimit.perSecond, options.rateLimit.burst),
      expiries: this.expiries,
      logger: options.logger,
      meter: options.meter,
      authTimeoutMs: options.authTimeoutMs,
      maxBufferedBytes: options.maxBufferedBytes,
      rateLimit: options.rateLimit,
      onClosed: (closed) => {
        this.connections.delete(closed);
        options.meter.disconnected(this.connections.size);
      },
    };
    this.wss.on('connection', (socket: MemberSocket) => {
      this.connections.add(new Connection(socket, context));
      options.meter.connected(this.connections.size);
    });
    this.heartbeat = setInterval(() => this.checkHeartbeats(), options.heartbeatIntervalMs);
    this.heartbeat.unref();
  }

  /** Connections currently open, in any state. */
  get size(): number {
    return this.connections.size;
  }

  /** The people on this node's ready connections. */
  people(): Set<string> {
    const people = new Set<string>();
    for (const connection of this.connections) {
      const user = connection.userId;
      if (user !== undefined) people.add(user);
    }
    return people;
  }

  attach(server: Server): void {
    server.on('upgrade', (request, socket, head) => this.upgrade(request, socket, head));
  }

  private upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    // Not a closure over this scope: it would keep the request and its URL alive as long
    // as the socket lives.
    socket.on('error', destroySocket);
    // Before anything else: through a rebound name, the Origin would match the Host.
    if (!this.options.hostAllowed(request.headers.host)) {
      this.options.logger.info(
        { host: request.headers.host },
        'refused an upgrade for a host not allowed',
      );
      reject(socket, 421, ErrorCode.hostNotAllowed, 'this server does not answer to that Host');
      return;
    }
    const url = new URL(request.url ?? '/', 'http://upgrade.invalid');
    if (url.pathname !== '/ws') {
      reject(socket, 404, ErrorCode.notFound, 'WebSockets live at /ws');
      return;
    }
    if (!this.accepting) {
      reject(socket, 503, ErrorCode.shuttingDown, 'server is shutting down');
      return;
    }
    if (CREDENTIAL_PARAMS.some((name) => url.searchParams.has(name))) {
      // The URL is not logged: it holds the credential we refuse to accept.
      this.options.logger.info({ path: url.pathname }, 'refused a token in the URL');
      reject(socket, 400, ErrorCode.tokenInUrl, 'send the token in the authenticate frame');
      return;
    }
    const origin = request.headers.origin;
    if (origin !== undefined && !this.originAllowed(origin, request.headers.host)) {
      this.options.logger.info({ origin }, 'refused a WebSocket from a foreign origin');
      reject(socket, 403, ErrorCode.originNotAllowed, 'origin not allowed');
      return;
    }
    const wait = this.admissionWait(Date.now());
    if (wait !== undefined) {
      // Completed, then closed at once: a typed answer the SDK can honour, which a refused
      // upgrade (a bare HTTP 503) would not give a browser.
      this.wss.handleUpgrade(request, socket, head, (ws) => {
        ws.send(
          encodeServerFrame({
            type: 'error',
            code: ErrorCode.retryLater,
            message: 'admitting a crowd of connections: reconnect after retryAfterMs',
            retryAfterMs: wait,
          }),
        );
        ws.close(CloseCode.tryAgainLater, 'try again later');
      });
      return;
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => this.wss.emit('connection', ws, request));
  }

  /**
   * Undefined when a new connection may come in now; otherwise how long it should wait:
   * the refused of one second are spread over the time the node needs to admit them all,
   * with jitter, so they do not come back together.
   */
  private admissionWait(now: number): number | undefined {
    if (this.admission.take(now)) return undefined;
    const second = Math.floor(now / 1000);
    if (second !== this.refused.second) {
      if (this.refused.count > 0)
        this.options.logger.warn(
          { refused: this.refused.count },
          'connections told to retry later',
        );
      this.refused = { second, count: 0 };
    }
    this.refused.count += 1;
    const spread = (this.refused.count / this.options.admissionPerSecond) * 1000;
    return Math.ceil(this.admission.msUntilNext(now) + spread + Math.random() * 1000);
  }

  /**
   * Browsers always send Origin; other clients (CLI, SDK in Node) need not, and cannot be
   * protected by it anyway. Empty allowlist: same origin as the Host the browser called.
   */
  private originAllowed(origin: string, host: string | undefined): boolean {
    const allowed = this.options.allowedOrigins;
    if (allowed === '*') return true;
    if (allowed.length > 0) return allowed.includes(origin);
    try {
      return host !== undefined && new URL(origin).host === host;
    } catch {
      return false;
    }
  }

  /**
   * Closes the sockets of a user (or of one login session of theirs): logout, password
   * change, a revoked session. They must authenticate again to come back.
   */
  endSessions(userId: string, sessionId?: string): void {
    for (const connection of this.connections) {
      if (connection.belongsTo(userId, sessionId))
        connection.close(CloseCode.authFailed, 'session ended');
    }
  }

  /** Takes a user's sockets out of a room they were removed from, at once. */
  evict(userId: string, room: RoomId, reason: 'kicked' | 'banned' | 'removed'): void {
    for (const connection of this.connections) {
      if (connection.belongsTo(userId)) connection.evict(room, reason);
    }
  }

  /** Takes every socket out of a room that has closed (`left`, reason `closed`). */
  closeRoom(room: RoomId): void {
    for (const connection of this.connections) connection.evict(room, 'closed');
  }

  /** Tells every socket of a user about a room they were given, or a mention of them. */
  notify(userId: string, frame: RoomAddedFrame | MentionedFrame): void {
    for (const connection of this.connections) {
      if (connection.belongsTo(userId)) connection.notify(frame);
    }
  }

  private checkHeartbeats(): void {
    for (const connection of this.connections) {
      if (!connection.alive) {
        this.options.logger.info({ conn: connection.id }, 'peer missed a heartbeat');
        connection.terminate();
        continue;
      }
      connection.alive = false;
      connection.ping();
    }
  }

  /**
   * Stops taking connections, lets in-flight sends finish so their acks reach the clients,
   * then closes every socket with the shutdown code (clients reconnect and resume).
   */
  async shutdown(timeoutMs: number): Promise<void> {
    this.accepting = false;
    clearInterval(this.heartbeat);
    this.expiries.stop();
    const deadline = Date.now() + timeoutMs;
    for (const connection of this.connections) connection.stopReading();
    while (Date.now() < deadline && [...this.connections].some((c) => c.pendingSends > 0)) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    for (const connection of this.connections) {
      connection.close(CloseCode.serverShutdown, 'server shutting down');
    }
    while (Date.now() < deadline && this.connections.size > 0) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    for (const connection of this.connections) connection.terminate();
    this.wss.close();
  }
}

function reject(socket: Duplex, status: number, code: ErrorCode, message: string): void {
  const body = JSON.stringify({ error: { code, message } } satisfies RestError);
  socket.end(
    `HTTP/1.1 ${status} ${code}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function destroySocket(this: Duplex): void {
  this.destroy();
}
