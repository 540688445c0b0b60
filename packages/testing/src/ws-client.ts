import type { ClientFrame, ServerFrame } from '@hubbub/protocol';
import { decodeServerFrame } from '@hubbub/protocol';
import WebSocket from 'ws';

type Predicate = (frame: ServerFrame) => boolean;

interface Waiter {
  predicate: Predicate;
  resolve(frame: ServerFrame): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * A raw protocol client for tests: sends any frame (or any bytes) and waits for frames by
 * predicate. Every frame received is validated against the protocol and kept in `received`.
 */
export class RawClient {
  readonly received: ServerFrame[] = [];
  private cursor = 0;
  private readonly waiters = new Set<Waiter>();
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly socket: WebSocket) {
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => {
        for (const waiter of this.waiters) {
          clearTimeout(waiter.timer);
          waiter.reject(new Error(`socket closed (${code} ${reason.toString()}) while waiting`));
        }
        this.waiters.clear();
        resolve({ code, reason: reason.toString() });
      });
    });
    socket.on('message', (data) => {
      const decoded = decodeServerFrame(data.toString());
      if (!decoded.ok) throw new Error(`server sent an invalid frame: ${decoded.message}`);
      this.received.push(decoded.frame);
      for (const waiter of this.waiters) {
        if (waiter.predicate(decoded.frame)) {
          this.waiters.delete(waiter);
          clearTimeout(waiter.timer);
          waiter.resolve(decoded.frame);
        }
      }
    });
  }

  /** Opens a socket; `headers` lets a test play a browser (Origin). */
  static async connect(url: string, headers: Record<string, string> = {}): Promise<RawClient> {
    const socket = new WebSocket(url, { headers });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('unexpected-response', (_request, response) =>
        reject(new Error(`upgrade refused: HTTP ${response.statusCode}`)),
      );
    });
    return new RawClient(socket);
  }

  /** Connects and authenticates; resolves once `ready` arrived. */
  static async ready(url: string, token: string): Promise<RawClient> {
    const client = await RawClient.connect(url);
    client.send({ type: 'authenticate', token });
    await client.next((f) => f.type === 'ready');
    return client;
  }

  send(frame: ClientFrame | Record<string, unknown>): void {
    this.socket.send(JSON.stringify(frame));
  }

  sendRaw(data: string | Buffer, binary = false): void {
    this.socket.send(data, { binary });
  }

  /**
   * The next frame after the ones already consumed that matches, waiting up to `timeoutMs`.
   * Frames it skips stay in `received`.
   */
  next(predicate: Predicate = () => true, timeoutMs = 5000): Promise<ServerFrame> {
    for (; this.cursor < this.received.length; ) {
      const frame = this.received[this.cursor++]!;
      if (predicate(frame)) return Promise.resolve(frame);
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve: (frame) => {
          this.cursor = this.received.length;
          resolve(frame);
        },
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new Error(`no matching frame within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /** Every chat message received so far in `room`, unpacking batches, in arrival order. */
  messagesIn(
    room: string,
  ): Array<{ seq: number; content: string; id: string; user: { id: string } }> {
    return this.received.flatMap((frame) => {
      if (frame.type === 'message' && frame.room === room) return [frame];
      if (frame.type === 'batch' && frame.room === room) return frame.messages;
      if (frame.type === 'joined' && frame.room === room) return frame.messages;
      return [];
    });
  }

  close(): Promise<{ code: number; reason: string }> {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.close();
    return this.closed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.socket.terminate();
  }
}

/** A ready client of a fresh guest named `name`, already answered in every one of `rooms`. */
export async function guestIn(
  server: { wsUrl: string; guest(name: string): Promise<{ token: string }> },
  name: string,
  ...rooms: string[]
): Promise<RawClient> {
  const { token } = await server.guest(name);
  const client = await RawClient.ready(server.wsUrl, token);
  for (const room of rooms) {
    client.send({ type: 'join', room });
    await client.next((f) => f.type === 'joined' && f.room === room);
  }
  return client;
}
