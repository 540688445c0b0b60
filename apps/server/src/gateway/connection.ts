import type {
  AckFrame,
  CheerFrame,
  ClientFrame,
  EditFrame,
  ErrorCode,
  MentionedFrame,
  ModerationFrame,
  ReactFrame,
  ReceiptFrame,
  RoomAddedFrame,
  RoomId,
  SendFrame,
  ServerFrame,
  UserRef,
} from '@hubbub/protocol';
import {
  CloseCode,
  ErrorCode as Codes,
  decodeClientFrame,
  limits,
  PROTOCOL_VERSION,
} from '@hubbub/protocol';
import type { Logger } from 'pino';
import { uuidv7 } from 'uuidv7';
import { WebSocket } from 'ws';
import type { Authenticator, Identity } from '../auth/authenticator.js';
import { TokenError } from '../auth/tokens.js';
import { BrokerError } from '../broker/local.js';
import { encodeFrame, type Member } from '../rooms/room.js';
import type { Rooms } from '../rooms/rooms.js';
import { isDatabaseUnreachable } from '../store/unreachable.js';
import type { Expiries } from './expiries.js';
import {
  type AttachmentCheck,
  type CheerHandler,
  type HeldSends,
  type MessageHandler,
  type ModerationHandler,
  type ReceiptHandler,
  Refused,
  type RoomGuard,
} from './guard.js';
import { type KeyedLimiter, TokenBucket } from './rate-limit.js';

export type ConnectionState = 'open' | 'authenticating' | 'ready' | 'closing' | 'closed';

/** What a connection counts as it works: plain increments, read when metrics are asked for. */
export interface ConnectionMeter {
  received(bytes: number): void;
  wrote(bytes: number): void;
  refused(code: ErrorCode): void;
  shed(): void;
}

/** What every connection on a node shares. */
export interface ConnectionContext {
  authenticator: Authenticator;
  rooms: Rooms;
  guard: RoomGuard;
  moderation: ModerationHandler;
  receipts: ReceiptHandler;
  messages: MessageHandler;
  cheers: CheerHandler;
  delay: HeldSends;
  attachments: AttachmentCheck;
  userSends: KeyedLimiter;
  /** When each connection's token runs out: one timer for the node. */
  expiries: Expiries<Connection>;
  logger: Logger;
  meter: ConnectionMeter;
  authTimeoutMs: number;
  maxBufferedBytes: number;
  rateLimit: { perSecond: number; burst: number; strikes: number };
  onClosed(connection: Connection): void;
}

/**
 * The socket of a connection, which knows its connection: its listeners are the same four
 * functions for every socket, where closures would cost an idle connection ~300 bytes.
 */
export class MemberSocket extends WebSocket {
  connection?: Connection;
}

function onSocketMessage(this: MemberSocket, data: WebSocket.RawData, isBinary: boolean): void {
  this.connection?.received(data, isBinary);
}

function onSocketPong(this: MemberSocket): void {
  if (this.connection !== undefined) this.connection.alive = true;
}

function onSocketClose(this: MemberSocket): void {
  this.connection?.socketClosed();
}

function onSocketError(this: MemberSocket, error: Error): void {
  this.connection?.socketFailed(error);
}

/** Frames a client may pipeline behind `authenticate` before `ready` arrives. */
const MAX_EARLY_FRAMES = 32;
/** How long a closing socket may take to finish its close handshake before it is cut. */
const CLOSE_GRACE_MS = 2000;

/**
 * One WebSocket through its life: open → authenticating → ready → closing → closed. Every
 * path out of `ready` leaves every room, so no member outlives its socket.
 */
export class Connection implements Member {
  readonly id = uuidv7();
  private current: ConnectionState = 'open';
  private identity: Identity | undefined;
  /**
   * Joins still being admitted: a send right behind its join waits for the answer. Made by
   * the first join, as `early` is by the first pipelined frame: most connections are idle.
   */
  private admitting: Map<RoomId, Promise<boolean>> | undefined;
  private readonly rooms = new Set<RoomId>();
  private early: string[] | undefined;
  /** Sends credited (made on the first send: most of a crowd never sends). */
  private sends: TokenBucket | undefined;
  /** Every frame, whatever its type: a ceiling on join/leave/ping floods. */
  private readonly frames: TokenBucket;
  /** Taps credited (made on the first tap: most connections never tap). */
  private taps: TokenBucket | undefined;
  private strikes = 0;
  private inflight = 0;
  private draining = false;
  private authTimer: NodeJS.Timeout | undefined;
  /** The token's `exp`, as entered in `ctx.expiries`. */
  private expiresAt: number | undefined;
  private closeTimer: NodeJS.Timeout | undefined;
  private logger: Logger | undefined;
  /** Cleared at each heartbeat, set again by any sign of life. */
  alive = true;

  constructor(
    private readonly socket: MemberSocket,
    private readonly ctx: ConnectionContext,
  ) {
    const now = Date.now();
    const { perSecond, burst } = ctx.rateLimit;
    this.frames = new TokenBucket(Math.max(20, perSecond * 4), Math.max(40, burst * 4), now);
    socket.connection = this;
    socket.on('message', onSocketMessage);
    socket.on('pong', onSocketPong);
    socket.on('close', onSocketClose);
    socket.on('error', onSocketError);
    this.authTimer = setTimeout(
      () => this.close(CloseCode.authTimeout, 'authenticate first'),
      ctx.authTimeoutMs,
    );
  }

  /**
   * Every line this connection logs carries its id (`conn`). Made on first use: most
   * connections never log, and a child logger per idle connection would be memory for
   * nothing.
   */
  private get log(): Logger {
    this.logger ??= this.ctx.logger.child({ conn: this.id });
    return this.logger;
  }

  get state(): ConnectionState {
    return this.current;
  }

  /** The account's login (absent for guests): admins are known by it. */
  get login(): string | undefined {
    return this.identity?.login;
  }

  /** The person on this connection. Rooms hold only ready connections, which have one. */
  get user(): UserRef {
    if (this.identity === undefined) throw new Error('only a ready connection is in rooms');
    return this.identity.user;
  }

  /** Sends still waiting for durability; shutdown waits for them so their acks go out. */
  get pendingSends(): number {
    return this.inflight;
  }

  mustResume(): void {
    this.log.debug('closing to resume');
    this.close(CloseCode.mustResume, 'messages were lost on the server: reconnect and resume');
  }

  deliver(encoded: Uint8Array): void {
    // Rooms only ever hold ready connections; the other states are sent errors and `ready`.
    if (this.socket.readyState !== WebSocket.OPEN) return;
    // What is still queued from earlier writes decides: the peer has not taken it in time.
    // A single large batch to an idle socket is fine.
    if (this.socket.bufferedAmount > this.ctx.maxBufferedBytes) {
      this.log.warn(
        { user: this.identity?.user.id, buffered: this.socket.bufferedAmount },
        'slow consumer shed',
      );
      this.ctx.meter.shed();
      this.close(CloseCode.slowConsumer, 'send buffer overflow: reconnect and resume');
      return;
    }
    this.ctx.meter.wrote(encoded.byteLength);
    this.socket.send(encoded, { binary: false });
  }

  private send(frame: ServerFrame): void {
    this.deliver(encodeFrame(frame));
  }

  /** Answers with a typed error; logged once, at debug (strikes log their own). */
  private refuse(code: ErrorCode, message: string, ref?: string): void {
    this.log.debug({ code, ref }, message);
    this.answerError(code, message, ref);
  }

  /** Answers with a typed error, for callers that logged the cause themselves. */
  private answerError(code: ErrorCode, message: string, ref: string | undefined): void {
    this.ctx.meter.refused(code);
    this.send({ type: 'error', code, message, ...(ref === undefined ? {} : { ref }) });
  }

  /** Closes with a code the client can act on; cuts the socket if the peer does not answer. */
  close(code: CloseCode, reason: string): void {
    if (this.current === 'closing' || this.current === 'closed') return;
    this.leaveAllRooms();
    this.current = 'closing';
    this.socket.close(code, reason);
    this.closeTimer = setTimeout(() => this.socket.terminate(), CLOSE_GRACE_MS);
    this.closeTimer.unref();
  }

  /** Sends a WebSocket ping; the pong (or any frame) marks the peer alive. */
  ping(): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.ping();
  }

  /** Shutdown has begun: new frames are refused, in-flight sends still get their acks. */
  stopReading(): void {
    this.draining = true;
  }

  /** Cuts a peer that stopped answering pings: there is nobody to send a close frame to. */
  terminate(): void {
    this.socket.terminate();
  }

  /** A frame from the peer (its socket's `message`). */
  received(data: WebSocket.RawData, isBinary: boolean): void {
    this.alive = true;
    this.ctx.meter.received(rawLength(data));
    if (this.current === 'closing' || this.current === 'closed') return;
    if (this.draining) {
      this.refuse(Codes.shuttingDown, 'server is shutting down; reconnect and resend');
      return;
    }
    if (!this.frames.take(Date.now())) {
      this.strike(Codes.rateLimited, 'too many frames', undefined);
      return;
    }
    if (isBinary) {
      this.strike(Codes.invalidFrame, 'frames are JSON text', undefined);
      return;
    }
    const text = data.toString();
    if (this.current === 'authenticating') {
      this.early ??= [];
      if (this.early.length >= MAX_EARLY_FRAMES) {
        this.strike(Codes.notAuthenticated, 'wait for ready', undefined);
      } else {
        this.early.push(text);
      }
      return;
    }
    this.handle(text);
  }

  private handle(text: string): void {
    const decoded = decodeClientFrame(text);
    if (!decoded.ok) {
      this.strike(decoded.code, decoded.message, decoded.ref);
      return;
    }
    const frame = decoded.frame;
    if (this.current === 'open') {
      if (frame.type !== 'authenticate') {
        this.refuse(Codes.notAuthenticated, 'the first frame must be authenticate', frame.type);
        return;
      }
      void this.authenticate(frame.token);
      return;
    }
    this.dispatch(frame);
  }

  private dispatch(frame: ClientFrame): void {
    switch (frame.type) {
      case 'authenticate':
        void this.reauthenticate(frame.token);
        return;
      case 'join':
        this.join(frame.room);
        return;
      case 'resume':
        this.join(frame.room, {
          since: frame.since,
          ...(frame.epoch === undefined ? {} : { epoch: frame.epoch }),
        });
        return;
      case 'leave':
        this.leave(frame.room);
        return;
      case 'send':
        this.publish(frame);
        return;
      case 'ping':
        this.send({ type: 'pong' });
        return;
      case 'typing':
        this.typing(frame.room);
        return;
      case 'receipt':
        this.receipt(frame);
        return;
      case 'edit':
      case 'react':
        this.changeMessage(frame);
        return;
      case 'cheer':
        this.cheer(frame);
        return;
      case 'delete':
      case 'mute':
      case 'unmute':
      case 'kick':
      case 'ban':
      case 'unban':
      case 'slow_mode':
      case 'modes':
        this.moderate(frame);
        return;
      default: {
        const unreachable: never = frame;
        void unreachable;
      }
    }
  }

  private async authenticate(token: string): Promise<void> {
    this.current = 'authenticating';
    try {
      const identity = await this.ctx.authenticator.identify(token);
      if (this.current !== 'authenticating') return;
      clearTimeout(this.authTimer);
      // Not kept: an idle connection holds only what it needs (see the idle benchmark).
      this.authTimer = undefined;
      this.current = 'ready';
      this.acceptIdentity(identity);
      const early = this.early ?? [];
      this.early = undefined;
      for (const text of early) {
        if (this.current !== 'ready') break;
        this.handle(text);
      }
    } catch (error) {
      this.failAuth(error);
    }
  }

  /** A fresh token for the same user extends the session without a reconnect. */
  private async reauthenticate(token: string): Promise<void> {
    try {
      const identity = await this.ctx.authenticator.identify(token);
      if (this.current !== 'ready' || this.identity === undefined) return;
      if (identity.user.id !== this.identity.user.id) {
        this.refuse(Codes.userMismatch, 'a session cannot change user', 'authenticate');
        return;
      }
      this.acceptIdentity(identity);
    } catch (error) {
      this.failAuth(error);
    }
  }

  private acceptIdentity(identity: Identity): void {
    this.identity = identity;
    this.armExpiry(identity.expiresAt);
    this.send({
      type: 'ready',
      user: identity.user,
      ...(identity.login === undefined ? {} : { login: identity.login }),
      session: this.id,
      protocol: PROTOCOL_VERSION,
    });
  }

  private failAuth(error: unknown): void {
    if (!(error instanceof TokenError)) {
      this.log.error({ err: error }, 'token check failed');
      this.answerError(Codes.internal, 'could not check the token; try again', 'authenticate');
      this.close(CloseCode.serverShutdown, 'authentication unavailable');
      return;
    }
    this.log.info({ reason: error.message }, 'authentication refused');
    this.answerError(error.code, error.message, 'authenticate');
    // An expired token is routine: the client refreshes and comes back. Anything else needs
    // new credentials.
    this.close(
      error.code === 'token_expired' ? CloseCode.tokenExpired : CloseCode.authFailed,
      error.message,
    );
  }

  /** The person on this connection once it is ready (for counting unique users). */
  get userId(): string | undefined {
    return this.identity?.user.id;
  }

  /** Whether this connection acts for `userId` (and, if given, that login session). */
  belongsTo(userId: string, sessionId?: string): boolean {
    return (
      this.identity?.user.id === userId &&
      (sessionId === undefined || this.identity.sessionId === sessionId)
    );
  }

  private armExpiry(expiresAt: number): void {
    if (this.expiresAt !== undefined) this.ctx.expiries.remove(this, this.expiresAt);
    this.expiresAt = expiresAt;
    this.ctx.expiries.add(this, expiresAt);
  }

  /** The token ran out (`ctx.expiries` says so): the client authenticates again. */
  expire(): void {
    this.expiresAt = undefined;
    if (this.current !== 'ready') return;
    this.refuse(Codes.tokenExpired, 'token expired: authenticate again', 'authenticate');
    this.close(CloseCode.tokenExpired, 'token expired');
  }

  private join(room: RoomId, resume?: { since: number; epoch?: string }): void {
    const identity = this.identity;
    if (identity === undefined) return;
    if (!this.rooms.has(room) && this.rooms.size >= limits.roomsPerConnection) {
      this.refuse(Codes.tooManyRooms, `at most ${limits.roomsPerConnection} rooms`, room);
      return;
    }
    this.rooms.add(room);
    const admitted = this.ctx.guard
      .admit(identity, room)
      .then(async (refusal) => {
        if (refusal !== undefined) {
          this.rooms.delete(room);
          this.refuse(refusal.code, refusal.message, room);
          return false;
        }
        if (!this.rooms.has(room) || this.current !== 'ready') return false;
        // Synchronous up to the member being added, so a send queued behind this join finds it.
        const joining = this.ctx.rooms.join(this, room, resume, {
          modes: this.ctx.guard.modesOf(room),
          moderator: this.ctx.guard.moderates(identity, room) ? true : undefined,
        });
        joining.catch((error: unknown) => {
          this.log.error({ room, err: error }, 'join failed');
          this.rooms.delete(room);
          this.answerError(Codes.unavailable, 'could not join; try again', room);
        });
        return true;
      })
      .catch((error: unknown) => {
        this.log.error({ room, err: error }, 'admission failed');
        this.rooms.delete(room);
        this.answerError(Codes.unavailable, 'could not join; try again', room);
        return false;
      })
      .finally(() => {
        if (this.admitting?.get(room) !== admitted) return;
        this.admitting.delete(room);
        if (this.admitting.size === 0) this.admitting = undefined;
      });
    this.admitting ??= new Map();
    this.admitting.set(room, admitted);
  }

  /** Takes the connection out of a room it was removed from (kicked, banned, removed). */
  evict(room: RoomId, reason: 'kicked' | 'banned' | 'removed' | 'closed'): void {
    if (!this.rooms.delete(room)) return;
    this.ctx.rooms.leave(this, room);
    this.send({ type: 'left', room, reason });
  }

  /**
   * Tells a ready connection something meant for its user wherever they are: a room they
   * were given (they join when they choose), a mention of them.
   */
  notify(frame: RoomAddedFrame | MentionedFrame): void {
    if (this.identity !== undefined) this.send(frame);
  }

  /** Whether this connection is in `room` (joined or joining). */
  isIn(room: RoomId): boolean {
    return this.rooms.has(room);
  }

  private leave(room: RoomId): void {
    if (!this.rooms.delete(room)) {
      this.refuse(Codes.notInRoom, 'not in that room', room);
      return;
    }
    this.ctx.rooms.leave(this, room);
    this.send({ type: 'left', room });
  }

  /**
   * Who is acting in `room`, for frames that need the connection to be in it: undefined
   * (with a `not_in_room` refusal that answers `ref`) when it is not.
   */
  private memberIdentity(room: RoomId, ref: string): Identity | undefined {
    const identity = this.identity;
    if (identity === undefined) return undefined;
    if (this.rooms.has(room)) return identity;
    this.refuse(Codes.notInRoom, 'join the room first', ref);
    return undefined;
  }

  /** Passes on typing, silently dropped for someone who may not send there now (muted). */
  private typing(room: RoomId): void {
    const identity = this.memberIdentity(room, room);
    if (identity === undefined) return;
    if (this.ctx.guard.maySpeak(identity, room, Date.now())) this.ctx.rooms.typing(this, room);
  }

  /**
   * Counts taps of a live reaction. Tapping faster than `limits.cheersPerSecond` is not an
   * error (people hammer the button at a goal): the extra taps are just not counted.
   */
  private cheer(frame: CheerFrame): void {
    if (this.memberIdentity(frame.room, frame.type) === undefined) return;
    const now = Date.now();
    this.taps ??= new TokenBucket(limits.cheersPerSecond, limits.cheersPerSecond * 2, now);
    const counted = this.taps.takeUpTo(frame.count, now);
    if (counted > 0) this.ctx.cheers.tap(frame.room, frame.emoji, counted);
  }

  private receipt(frame: ReceiptFrame): void {
    const identity = this.memberIdentity(frame.room, frame.room);
    if (identity === undefined) return;
    this.ctx.receipts.record(identity, frame).catch((error: unknown) => {
      this.log.error({ room: frame.room, err: error }, 'receipt failed');
      this.answerError(Codes.unavailable, 'receipt not recorded; send it again', frame.room);
    });
  }

  private publish(frame: SendFrame): void {
    const admitting = this.admitting?.get(frame.room);
    if (admitting !== undefined) {
      // Pipelined right behind its join: wait for the answer, keeping the order of sends.
      void admitting.then(() => this.publishNow(frame));
      return;
    }
    this.publishNow(frame);
  }

  private publishNow(frame: SendFrame): void {
    const { room, cid } = frame;
    const identity = this.identity;
    if (identity === undefined || this.current !== 'ready') return;
    if (!this.ctx.rooms.isMember(this, room)) {
      this.refuse(Codes.notInRoom, 'join the room before sending to it', cid);
      return;
    }
    const now = Date.now();
    const { perSecond, burst } = this.ctx.rateLimit;
    this.sends ??= new TokenBucket(perSecond, burst, now);
    if (!this.sends.take(now) || !this.ctx.userSends.take(identity.user.id, now)) {
      this.strike(Codes.rateLimited, 'sending too fast; resend later with the same cid', cid);
      return;
    }
    // Before checkSend, which starts the slow-mode wait: a refused send must not.
    if (frame.attachments?.some((a) => !this.ctx.attachments.owns(identity.user.id, a))) {
      this.refuse(Codes.forbidden, 'a message can only carry your own uploads, as uploaded', cid);
      return;
    }
    const clearance = this.ctx.guard.checkSend(identity, room, now, frame);
    if ('code' in clearance) {
      this.refuse(clearance.code, clearance.message, cid);
      return;
    }
    this.strikes = 0;
    this.inflight += 1;
    // A room's chat delay holds it (its author sees it held, moderators too), and answers
    // a resend of one it holds, held or removed; anything else goes out now.
    const held = this.ctx.delay.hold(identity, frame, clearance.delayMs, clearance.slowModeMs);
    if (held?.frame !== undefined) this.send(held.frame);
    const sending: Promise<AckFrame> =
      held?.done ?? this.ctx.rooms.send(identity.user, frame, clearance.slowModeMs);
    sending
      .then((ack) => this.send(ack))
      .catch((error: unknown) => {
        // Not sent: a wait it started (slow mode) is not owed.
        clearance.undo?.();
        if (error instanceof BrokerError || error instanceof Refused) {
          this.refuse(error.code, error.message, cid);
        } else {
          this.log.error({ room, err: error }, 'send failed');
          this.answerError(Codes.unavailable, 'message not stored; resend with the same cid', cid);
        }
      })
      .finally(() => {
        this.inflight -= 1;
      });
  }

  private moderate(frame: ModerationFrame): void {
    const identity = this.identity;
    if (identity === undefined) return;
    this.answerRefusals(this.ctx.moderation.apply(identity, frame), frame.type, 'moderation');
  }

  /** Edits and reactions: to a message of a room this connection is in. */
  private changeMessage(frame: EditFrame | ReactFrame): void {
    const identity = this.memberIdentity(frame.room, frame.id);
    if (identity === undefined) return;
    const work =
      frame.type === 'edit'
        ? this.ctx.messages.edit(identity, frame)
        : this.ctx.messages.react(identity, frame);
    this.answerRefusals(work, frame.id, frame.type);
  }

  /** A feature's refusal becomes an `error` frame with its code; anything else is our bug. */
  private answerRefusals(work: Promise<void>, ref: string, what: string): void {
    work.catch((error: unknown) => {
      if (error instanceof Refused) {
        this.refuse(error.code, error.message, ref);
        return;
      }
      if (isDatabaseUnreachable(error as { code?: string; message?: string })) {
        this.log.warn({ ref }, `${what}: database unreachable`);
        this.answerError(Codes.unavailable, 'the database is unreachable; try again', ref);
        return;
      }
      this.log.error({ err: error, ref }, `${what} failed`);
      this.answerError(Codes.internal, `${what} failed`, ref);
    });
  }

  /** Answers a bad or refused frame, and closes the socket after too many in a row. */
  private strike(code: ErrorCode, message: string, ref: string | undefined): void {
    this.strikes += 1;
    // Logged once here; refusals of a flood are routine, so only they stay at debug.
    const level = code === Codes.rateLimited ? 'debug' : 'info';
    this.log[level]({ user: this.identity?.user.id, code, ref }, message);
    this.answerError(code, message, ref);
    if (this.strikes >= this.ctx.rateLimit.strikes) {
      this.log.warn({ user: this.identity?.user.id, code }, 'closing abusive connection');
      this.close(CloseCode.policyViolation, 'too many refused frames');
    }
  }

  private leaveAllRooms(): void {
    for (const room of this.rooms) this.ctx.rooms.leave(this, room);
    this.rooms.clear();
  }

  /** A socket error: the `close` that follows does the cleanup. */
  socketFailed(error: Error): void {
    this.log.debug({ err: error }, 'socket error');
  }

  /** The socket is closed (its `close`), however that came about. */
  socketClosed(): void {
    if (this.current === 'closed') return;
    this.leaveAllRooms();
    this.current = 'closed';
    clearTimeout(this.authTimer);
    if (this.expiresAt !== undefined) this.ctx.expiries.remove(this, this.expiresAt);
    clearTimeout(this.closeTimer);
    this.ctx.onClosed(this);
  }
}

function rawLength(data: WebSocket.RawData): number {
  if (Array.isArray(data)) return data.reduce((total, part) => total + part.byteLength, 0);
  return data.byteLength;
}
