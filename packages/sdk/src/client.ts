import {
  type AckFrame,
  type Attachment,
  type ChatMessage,
  type CheerEmoji,
  type CheersFrame,
  type ClientFrame,
  CloseCode,
  decodeServerFrame,
  ErrorCode,
  type ErrorFrame,
  type HeldFrame,
  type JoinedFrame,
  type LeftFrame,
  limits,
  type ModeratedFrame,
  type ModerationFrame,
  type PresenceFrame,
  type ReadyFrame,
  type ReceiptNotice,
  type ResetFrame,
  type RoomAddedFrame,
  type RoomId,
  type SendFrame,
  type ServerFrame,
  type TypingNotice,
} from '@hubbub/protocol';
import { type BackoffOptions, backoffDelay, defaultBackoff } from './backoff.js';
import { RoomCursor } from './cursor.js';
import { Emitter } from './emitter.js';
import { HubbubError, retryableCodes } from './errors.js';
import { ReceiptReporter } from './receipts.js';
import { tokenExpiry } from './rest.js';
import type { WebSocketConstructor, WebSocketLike } from './socket.js';

/** How soon a token renewal that failed for a passing reason is tried again. */
const renewalRetryMs = 5_000;

export type ClientState = 'connecting' | 'authenticating' | 'ready' | 'reconnecting' | 'closed';

export interface HubbubClientOptions {
  /** The WebSocket endpoint, e.g. `wss://chat.example/ws`. */
  url: string;
  /** A token, or a function called on every (re)connect so it can hand out a fresh one. */
  token: string | (() => string | Promise<string>);
  /** Defaults to the global WebSocket (browsers); the Node entry point defaults to `ws`. */
  WebSocket?: WebSocketConstructor;
  backoff?: Partial<BackoffOptions>;
  /** An unacknowledged send is re-sent (same cid) after this long. */
  ackTimeoutMs?: number;
}

export interface ClientEvents {
  /** A new message, exactly once per (room, seq), in seq order per room. */
  message: ChatMessage;
  /** The server could not replay what was missed: refetch the room's history over REST. */
  reset: ResetFrame;
  state: ClientState;
  /** A send was refused for now (rate limit, storage busy) and will be retried with the same cid. */
  throttled: HubbubError;
  /** A reconnect is scheduled after `delayMs` (attempt counts from 0 since the last ready). */
  reconnecting: { delayMs: number; attempt: number };
  /** A moderation notice in a joined room (a deleted message, a mute, slow mode, …). */
  moderated: ModeratedFrame;
  /** The server took this client out of a room (`reason` kicked, banned or removed): it is not resumed. */
  removed: LeftFrame;
  /** Someone gave this user a room (opened a DM, added them to a private channel): list it. */
  roomAdded: RoomAddedFrame;
  /** Someone `@mentioned` this user in one of their channels or DMs, joined or not: notify. */
  mentioned: ChatMessage;
  /** Who is in a room now (a list in small rooms, a count in big ones); replaces the last. */
  presence: PresenceFrame;
  /** A message changed after it was sent (edited): replace the copy with this one. */
  updated: ChatMessage;
  /** A member's receipt pointers in a channel or DM moved (yours too, from another device). */
  receipt: ReceiptNotice;
  /** Someone else in a room is typing; see TypingRoster for showing it. */
  typing: TypingNotice;
  /** A room was joined or resumed: its head, its crowd modes, and whether you moderate it. */
  joined: JoinedFrame;
  /** A room's live reactions of one tick: every tap in the room, added up. */
  cheers: CheersFrame;
  /**
   * The room's chat delay holds a message: yours (its send resolves when it is shown to
   * all), or, if you moderate the room, anyone's, for you to delete before others see it.
   */
  held: HeldFrame;
  /** Errors that belong to no call: invalid frames, refusals of frames the SDK sent itself. */
  error: HubbubError;
  ready: ReadyFrame;
}

interface PendingSend {
  frame: Extract<ClientFrame, { type: 'send' }>;
  resolve(ack: AckFrame): void;
  reject(error: HubbubError): void;
  timer: ReturnType<typeof setTimeout> | undefined;
  retries: number;
}

interface RoomEntry {
  cursor: RoomCursor;
  /** Callers of `join` waiting for the server's answer. */
  waiting: Array<{
    resolve(frame: JoinedFrame | ResetFrame): void;
    reject(error: HubbubError): void;
  }>;
  /** A resume is on its way: live messages are held off until it is answered. */
  resuming: boolean;
}

/**
 * The Hubbub client: connects, authenticates with the first frame, keeps every joined room
 * and unacknowledged send across reconnects, and hands out each message exactly once in
 * order. Works in browsers and in Node.
 */
export class HubbubClient {
  private readonly options: Required<Omit<HubbubClientOptions, 'backoff' | 'WebSocket'>> & {
    backoff: BackoffOptions;
    WebSocket: WebSocketConstructor;
  };
  private readonly events = new Emitter<ClientEvents>();
  private readonly rooms = new Map<RoomId, RoomEntry>();
  private readonly pending = new Map<string, PendingSend>();
  private readonly pings: Array<() => void> = [];
  private readonly presences = new Map<RoomId, PresenceFrame>();
  private readonly receipts = new ReceiptReporter((frame) => {
    if (this.current !== 'ready' || !this.rooms.has(frame.room)) return false;
    this.write(frame);
    return true;
  });
  /** When `typing` was last sent per room: the client side of the throttle. */
  private readonly typedAt = new Map<RoomId, number>();
  /** Taps not yet sent, per room and emoji (`room\nemoji`), and the timer that sends them. */
  private readonly taps = new Map<string, number>();
  private tapTimer: ReturnType<typeof setTimeout> | undefined;
  private socket: WebSocketLike | undefined;
  /** The token the current connection authenticated (or is authenticating) with. */
  private token = '';
  private current: ClientState = 'connecting';
  private attempt = 0;
  /** The wait a `retry_later` asked for, applied to the reconnect its close triggers. */
  private retryAfterMs: number | undefined;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  /** Counts calls of `open`: only the latest one may make the socket. */
  private opening = 0;
  private renewTimer: ReturnType<typeof setTimeout> | undefined;
  private firstReady: {
    promise: Promise<ReadyFrame>;
    resolve(f: ReadyFrame): void;
    reject(e: Error): void;
  };

  constructor(options: HubbubClientOptions) {
    const WebSocketImpl =
      options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (WebSocketImpl === undefined)
      throw new Error('no WebSocket implementation: pass options.WebSocket');
    this.options = {
      url: options.url,
      token: options.token,
      ackTimeoutMs: options.ackTimeoutMs ?? 10_000,
      backoff: { ...defaultBackoff, ...options.backoff },
      WebSocket: WebSocketImpl,
    };
    let resolve!: (frame: ReadyFrame) => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<ReadyFrame>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.catch(() => {});
    this.firstReady = { promise, resolve, reject };
    void this.open();
  }

  get state(): ClientState {
    return this.current;
  }

  /** Resolves once the first `ready` arrived. */
  ready(): Promise<ReadyFrame> {
    return this.firstReady.promise;
  }

  on<K extends keyof ClientEvents>(
    event: K,
    listener: (value: ClientEvents[K]) => void,
  ): () => void {
    return this.events.on(event, listener);
  }

  /**
   * Joins a room; resolves with `joined` (the latest history) or `reset`. The room is kept
   * across reconnects: the client resumes it from the last seq it delivered.
   */
  join(room: RoomId): Promise<JoinedFrame | ResetFrame> {
    let entry = this.rooms.get(room);
    if (entry === undefined) {
      entry = { cursor: new RoomCursor(), waiting: [], resuming: false };
      this.rooms.set(room, entry);
    }
    const answered = new Promise<JoinedFrame | ResetFrame>((resolve, reject) => {
      entry.waiting.push({ resolve, reject });
    });
    if (this.current === 'ready') this.enterRoom(room, entry);
    return answered;
  }

  /** Leaves a room for good (it is not resumed any more). */
  leave(room: RoomId): void {
    if (!this.rooms.delete(room)) return;
    this.presences.delete(room);
    this.receipts.forget(room);
    if (this.current === 'ready') this.write({ type: 'leave', room });
  }

  /**
   * Sends a message; resolves with the ack once the server made it durable. It survives
   * reconnects: unacknowledged sends are re-sent with the same cid, which the server
   * answers with the original ack, so a message is never posted twice.
   */
  send(
    room: RoomId,
    content: string,
    options: { replyTo?: number | undefined; attachments?: Attachment[] | undefined } = {},
  ): Promise<AckFrame> {
    if (this.current === 'closed')
      return Promise.reject(new HubbubError(ErrorCode.shuttingDown, 'client is closed'));
    const frame: SendFrame = { type: 'send', room, cid: crypto.randomUUID(), content };
    if (options.replyTo !== undefined) frame.replyTo = options.replyTo;
    if (options.attachments !== undefined && options.attachments.length > 0)
      frame.attachments = options.attachments;
    return new Promise<AckFrame>((resolve, reject) => {
      const pending: PendingSend = { frame, resolve, reject, timer: undefined, retries: 0 };
      this.pending.set(frame.cid, pending);
      if (this.current === 'ready') this.transmit(pending);
    });
  }

  /** Every new message of `room`, as an async iterator; ending the loop unsubscribes. */
  messages(room: RoomId): AsyncIterableIterator<ChatMessage> {
    const queue: ChatMessage[] = [];
    let wake: (() => void) | undefined;
    let done = false;
    const off = this.on('message', (message) => {
      if (message.room !== room) return;
      queue.push(message);
      wake?.();
    });
    const stopOnClose = this.on('state', (state) => {
      if (state === 'closed') finish();
    });
    const finish = () => {
      done = true;
      off();
      stopOnClose();
      wake?.();
    };
    const iterator: AsyncIterableIterator<ChatMessage> = {
      async next() {
        while (queue.length === 0 && !done) await new Promise<void>((resolve) => (wake = resolve));
        const value = queue.shift();
        return value === undefined ? { done: true, value: undefined } : { done: false, value };
      },
      async return() {
        finish();
        return { done: true, value: undefined };
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  /** The room's latest presence, once the server sent one after the join. */
  presence(room: RoomId): PresenceFrame | undefined {
    return this.presences.get(room);
  }

  /**
   * Reports that messages up to `seq` of a channel or DM reached this device (call it as
   * they arrive) or, with `read`, were shown to the person. Coalesced and throttled per
   * room; pointers only move forward. Open rooms keep no receipts: do not report those.
   */
  markDelivered(room: RoomId, seq: number): void {
    this.receipts.mark(room, seq, false);
  }

  markRead(room: RoomId, seq: number): void {
    this.receipts.mark(room, seq, true);
  }

  /**
   * Tells the room this person is typing. Call it on every keystroke: it is sent at most
   * every `limits.typingResendMs` per room, and only while connected and in the room.
   */
  typing(room: RoomId, now: number = Date.now()): void {
    if (this.current !== 'ready' || !this.rooms.has(room)) return;
    if (now - (this.typedAt.get(room) ?? Number.NEGATIVE_INFINITY) < limits.typingResendMs) return;
    this.typedAt.set(room, now);
    this.write({ type: 'typing', room });
  }

  /**
   * One tap of a live reaction. Call it on every tap: taps are counted here and sent a
   * few times a second, one frame per room and emoji. Dropped when not connected or not in
   * the room (a reaction is of the moment; it is never resent).
   */
  cheer(room: RoomId, emoji: CheerEmoji): void {
    if (this.current !== 'ready' || !this.rooms.has(room)) return;
    const key = `${room}\n${emoji}`;
    const count = (this.taps.get(key) ?? 0) + 1;
    if (count >= limits.cheerBatchMax) {
      this.taps.delete(key);
      this.write({ type: 'cheer', room, emoji, count });
      return;
    }
    this.taps.set(key, count);
    this.tapTimer ??= setTimeout(() => this.flushTaps(), limits.cheerTickMs / 2);
  }

  private flushTaps(): void {
    this.tapTimer = undefined;
    const taps = [...this.taps];
    this.taps.clear();
    if (this.current !== 'ready') return;
    for (const [key, count] of taps) {
      const [room = '', emoji] = key.split('\n') as [RoomId, CheerEmoji];
      if (this.rooms.has(room)) this.write({ type: 'cheer', room, emoji, count });
    }
  }

  /**
   * Edits one's own message. The room (this client included) gets the new version as an
   * 'updated' event; a refusal (not yours, too old, muted) is an 'error' event whose ref
   * is the message id.
   */
  edit(room: RoomId, id: string, content: string): void {
    this.writeNow({ type: 'edit', room, id, content });
  }

  /**
   * Adds (`on`) or takes back one's reaction to a message; the room gets the message with
   * its reactions as an 'updated' event. Refusals are 'error' events whose ref is the id.
   */
  react(room: RoomId, id: string, emoji: string, on: boolean): void {
    this.writeNow({ type: 'react', room, id, emoji, on });
  }

  /**
   * A moderation action (delete, mute, kick, ban, slow mode…). The room sees a `moderated`
   * notice when it is done; a refusal arrives as an 'error' event whose ref is the action.
   */
  moderate(frame: ModerationFrame): void {
    this.writeNow(frame);
  }

  /**
   * Sends a frame that is not kept for a reconnect (an edit, a reaction, a moderation
   * action): now, or an 'unavailable' error event saying to try again.
   */
  private writeNow(frame: ClientFrame): void {
    if (this.current === 'ready') this.write(frame);
    else
      this.events.emit('error', new HubbubError(ErrorCode.unavailable, 'not connected; try again'));
  }

  /** Round trip through the server (`ping` → `pong`). */
  ping(): Promise<void> {
    return new Promise((resolve) => {
      this.pings.push(resolve);
      if (this.current === 'ready') this.write({ type: 'ping' });
    });
  }

  /**
   * While waiting to reconnect, tries at once instead (the person pressed "Reconnect now",
   * the browser says the network is back, the tab is shown again). The backoff still grows
   * if this try fails.
   */
  reconnectNow(): void {
    if (this.current !== 'reconnecting') return;
    clearTimeout(this.reconnectTimer);
    // An attempt still on its way (it may hang on a network that just changed) is dropped
    // for the new one: two would leave one of them connected and unused.
    const attempt = this.socket;
    this.socket = undefined;
    attempt?.close();
    void this.open();
  }

  /** Closes for good: no reconnect; unacknowledged sends are rejected. */
  close(): void {
    if (this.current === 'closed') return;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.renewTimer);
    clearTimeout(this.tapTimer);
    this.tapTimer = undefined;
    this.taps.clear();
    this.receipts.stop();
    this.setState('closed');
    this.socket?.close(CloseCode.normal, 'client closed');
    const error = new HubbubError(ErrorCode.shuttingDown, 'client closed before the ack');
    for (const pending of this.pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    this.pending.clear();
    for (const entry of this.rooms.values())
      for (const w of entry.waiting.splice(0)) w.reject(error);
    this.firstReady.reject(error);
  }

  // ---- connection ----

  private async open(): Promise<void> {
    const opening = ++this.opening;
    let token: string;
    try {
      token =
        typeof this.options.token === 'function' ? await this.options.token() : this.options.token;
    } catch (error) {
      if (this.current === 'closed' || opening !== this.opening) return;
      // A provider that answers auth_failed says the credentials are gone (a revoked
      // session): final, as when the server closes with authFailed. Anything else (the
      // network is down, the refresh endpoint is restarting) is tried again with backoff.
      if (error instanceof HubbubError && error.code === ErrorCode.authFailed) {
        this.events.emit('error', error);
        this.close();
        return;
      }
      this.events.emit(
        'error',
        new HubbubError(ErrorCode.unavailable, `could not get a token: ${String(error)}`),
      );
      this.scheduleReconnect();
      return;
    }
    // Closed meanwhile, or a newer attempt (reconnectNow) got there first.
    if (this.current === 'closed' || opening !== this.opening) return;
    this.token = token;
    const socket = new this.options.WebSocket(this.options.url);
    this.socket = socket;
    socket.onopen = () => {
      if (socket !== this.socket) return;
      this.setState('authenticating');
      socket.send(JSON.stringify({ type: 'authenticate', token }));
    };
    socket.onmessage = (event) => {
      if (socket === this.socket) this.receive(String(event.data));
    };
    socket.onclose = (event) => {
      if (socket === this.socket) this.onClosed(event.code, event.reason);
    };
    socket.onerror = () => {
      // Always followed by close, which decides what happens next.
    };
  }

  private onClosed(code: number, reason: string): void {
    this.socket = undefined;
    clearTimeout(this.renewTimer);
    for (const pending of this.pending.values()) clearTimeout(pending.timer);
    if (this.current === 'closed') return;
    if (code === CloseCode.authFailed) {
      const error = new HubbubError(ErrorCode.authFailed, reason || 'authentication failed');
      this.events.emit('error', error);
      this.close();
      return;
    }
    this.scheduleReconnect();
  }

  /**
   * With a token provider, re-authenticates on the open connection shortly before the token
   * expires, so a long session never has to reconnect for a new token.
   */
  private scheduleRenewal(retryInMs?: number): void {
    clearTimeout(this.renewTimer);
    const provider = this.options.token;
    const expiry = tokenExpiry(this.token);
    if (typeof provider !== 'function' || expiry === undefined) return;
    const remaining = expiry * 1000 - Date.now();
    const delay = retryInMs ?? Math.max(0, remaining - Math.min(60_000, remaining / 5));
    this.renewTimer = setTimeout(
      async () => {
        try {
          const token = await provider();
          if (this.current !== 'ready') return;
          this.token = token;
          this.write({ type: 'authenticate', token });
        } catch (error) {
          if (error instanceof HubbubError && error.code === ErrorCode.authFailed) {
            this.events.emit('error', error);
            this.close();
            return;
          }
          // Passing trouble: try again shortly; if the token runs out first, the server
          // closes the socket and the reconnect asks the provider once more.
          this.events.emit(
            'error',
            new HubbubError(ErrorCode.unavailable, `token renewal failed: ${String(error)}`),
          );
          if (this.current === 'ready') this.scheduleRenewal(renewalRetryMs);
        }
      },
      Math.min(delay, 2 ** 31 - 1),
    );
  }

  private scheduleReconnect(): void {
    if (this.current === 'closed') return;
    this.setState('reconnecting');
    // A server that asked for a wait gets at least that wait (plus the jitter of backoff).
    const delay = backoffDelay(this.attempt, this.options.backoff) + (this.retryAfterMs ?? 0);
    this.retryAfterMs = undefined;
    this.events.emit('reconnecting', { delayMs: delay, attempt: this.attempt });
    this.attempt += 1;
    this.reconnectTimer = setTimeout(() => void this.open(), delay);
  }

  private onReady(frame: ReadyFrame): void {
    const restoring = this.current !== 'ready';
    this.attempt = 0;
    this.scheduleRenewal();
    this.setState('ready');
    this.events.emit('ready', frame);
    this.firstReady.resolve(frame);
    if (!restoring) return; // A re-authentication: nothing to restore.
    // Rooms first, then sends: the server handles frames in order, and a send needs the room.
    for (const [room, entry] of this.rooms) this.enterRoom(room, entry);
    for (const pending of this.pending.values()) this.transmit(pending);
    for (let i = 0; i < this.pings.length; i++) this.write({ type: 'ping' });
    this.receipts.flushAll();
  }

  /** Joins afresh, or resumes from the cursor when this room was delivered from before. */
  private enterRoom(room: RoomId, entry: RoomEntry): void {
    if (entry.cursor.positioned) {
      entry.resuming = true;
      this.write({ type: 'resume', room, since: entry.cursor.seq, epoch: entry.cursor.epoch });
    } else {
      this.write({ type: 'join', room });
    }
  }

  private transmit(pending: PendingSend): void {
    clearTimeout(pending.timer);
    this.write(pending.frame);
    this.transmitLater(pending, this.options.ackTimeoutMs);
  }

  /** Sends again after `delayMs` if still unacknowledged and connected (else onReady will). */
  private transmitLater(pending: PendingSend, delayMs: number): void {
    clearTimeout(pending.timer);
    pending.timer = setTimeout(() => {
      if (this.current === 'ready' && this.pending.has(pending.frame.cid)) this.transmit(pending);
    }, delayMs);
  }

  private write(frame: ClientFrame): void {
    this.socket?.send(JSON.stringify(frame));
  }

  private setState(state: ClientState): void {
    if (this.current === state) return;
    this.current = state;
    this.events.emit('state', state);
  }

  // ---- inbound ----

  private receive(text: string): void {
    const decoded = decodeServerFrame(text);
    if (!decoded.ok) {
      this.events.emit(
        'error',
        new HubbubError(decoded.code, `invalid frame from server: ${decoded.message}`),
      );
      return;
    }
    this.dispatch(decoded.frame);
  }

  private dispatch(frame: ServerFrame): void {
    switch (frame.type) {
      case 'ready':
        this.onReady(frame);
        return;
      case 'joined':
        this.onJoined(frame);
        return;
      case 'reset':
        this.onReset(frame);
        return;
      case 'message':
        this.onMessages(frame.room, [frame]);
        return;
      case 'batch':
        this.onMessages(frame.room, frame.messages);
        return;
      case 'ack':
        this.onAck(frame);
        return;
      case 'error':
        this.onError(frame);
        return;
      case 'left':
        if (frame.reason !== undefined && frame.reason !== 'left') {
          this.rooms.delete(frame.room);
          this.presences.delete(frame.room);
          this.events.emit('removed', frame);
        }
        return;
      case 'moderated':
        this.events.emit('moderated', frame);
        return;
      case 'room_added':
        this.events.emit('roomAdded', frame);
        return;
      case 'mentioned':
        this.events.emit('mentioned', frame.message);
        return;
      case 'presence':
        this.presences.set(frame.room, frame);
        this.events.emit('presence', frame);
        return;
      case 'typing':
        this.events.emit('typing', frame);
        return;
      case 'receipt':
        this.events.emit('receipt', frame);
        return;
      case 'cheers':
        this.events.emit('cheers', frame);
        return;
      case 'held': {
        // Our own send, held on purpose: no resend until well after its release.
        const pending = this.pending.get(frame.cid);
        if (pending !== undefined) {
          const release = Date.parse(frame.heldUntil) - Date.now();
          this.transmitLater(pending, Math.max(0, release) + this.options.ackTimeoutMs);
        }
        this.events.emit('held', frame);
        return;
      }
      case 'updated':
        this.events.emit('updated', frame.message);
        return;
      case 'pong':
        this.pings.shift()?.();
        return;
      default: {
        const unreachable: never = frame;
        void unreachable;
      }
    }
  }

  private onJoined(frame: JoinedFrame): void {
    const entry = this.rooms.get(frame.room);
    if (entry === undefined) return;
    entry.resuming = false;
    if (entry.cursor.epoch !== frame.epoch) entry.cursor.restart(frame.epoch);
    for (const message of frame.messages) this.deliver(entry, message);
    // Nothing after the head exists yet; anything up to it was in `messages` or before.
    if (frame.seq > entry.cursor.seq) entry.cursor.moveTo(frame.epoch, frame.seq);
    for (const waiter of entry.waiting.splice(0)) waiter.resolve(frame);
    this.events.emit('joined', frame);
  }

  private onReset(frame: ResetFrame): void {
    const entry = this.rooms.get(frame.room);
    if (entry === undefined) return;
    entry.resuming = false;
    entry.cursor.moveTo(frame.epoch, frame.seq);
    this.events.emit('reset', frame);
    for (const waiter of entry.waiting.splice(0)) waiter.resolve(frame);
  }

  private onMessages(room: RoomId, messages: readonly ChatMessage[]): void {
    const entry = this.rooms.get(room);
    if (entry === undefined || entry.resuming) return;
    for (const message of messages) {
      const verdict = entry.cursor.judge(message);
      if (verdict === 'gap') {
        // The server never skips a seq; if we see one anyway, ask for exactly what is missing.
        entry.resuming = true;
        this.write({ type: 'resume', room, since: entry.cursor.seq, epoch: entry.cursor.epoch });
        return;
      }
      if (verdict === 'deliver') this.deliver(entry, message);
    }
  }

  private deliver(entry: RoomEntry, message: ChatMessage): void {
    if (entry.cursor.judge(message) === 'duplicate') return;
    entry.cursor.advance(message);
    this.events.emit('message', message);
  }

  private onAck(frame: AckFrame): void {
    const pending = this.pending.get(frame.cid);
    if (pending === undefined) return;
    clearTimeout(pending.timer);
    this.pending.delete(frame.cid);
    pending.resolve(frame);
  }

  private onError(frame: ErrorFrame): void {
    const error = new HubbubError(frame.code, frame.message);
    if (frame.code === ErrorCode.retryLater) {
      // The node is admitting a crowd; the close that follows reconnects after this wait.
      this.retryAfterMs = frame.retryAfterMs ?? 1000;
      return;
    }
    const pending = frame.ref === undefined ? undefined : this.pending.get(frame.ref);
    if (pending !== undefined) {
      clearTimeout(pending.timer);
      if (retryableCodes.has(frame.code)) {
        // Same cid later: the server answers a duplicate with the original ack.
        this.events.emit('throttled', error);
        pending.retries += 1;
        this.transmitLater(pending, backoffDelay(pending.retries, this.options.backoff) + 100);
        return;
      }
      this.pending.delete(frame.ref!);
      pending.reject(error);
      return;
    }
    const entry = frame.ref === undefined ? undefined : this.rooms.get(frame.ref);
    if (entry !== undefined && entry.waiting.length > 0) {
      this.rooms.delete(frame.ref!);
      for (const waiter of entry.waiting.splice(0)) waiter.reject(error);
      return;
    }
    this.events.emit('error', error);
  }
}
