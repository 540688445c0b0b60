import WebSocket from 'ws';

/**
 * A fuzzing client: sends whatever it is given, keeps every frame it receives as text (the
 * checks decode them: a frame the protocol does not describe is a finding, not a crash of
 * the test), and never throws from a socket event.
 */
export class FuzzSocket {
  readonly received: string[] = [];
  /** Binary frames received (the server sends none). */
  binaryReceived = 0;
  lastActivity = performance.now();
  /** Whether this side closed (or cut) the socket, rather than the server. */
  closedHere = false;
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters = new Set<() => void>();

  private constructor(private readonly socket: WebSocket) {
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => {
        this.lastActivity = performance.now();
        this.wake();
        resolve({ code, reason: reason.toString() });
      });
    });
    // A reset connection (the server cut a frame too large) is routine here.
    socket.on('error', () => undefined);
    socket.on('message', (data, isBinary) => {
      this.lastActivity = performance.now();
      if (isBinary) this.binaryReceived += 1;
      else this.received.push(data.toString());
      this.wake();
    });
  }

  static async open(url: string, timeoutMs = 5000): Promise<FuzzSocket> {
    const socket = new WebSocket(url, { handshakeTimeout: timeoutMs });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('unexpected-response', (_request, response) =>
        reject(new Error(`upgrade refused: HTTP ${response.statusCode}`)),
      );
    });
    return new FuzzSocket(socket);
  }

  get open(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** Sends text or bytes; a socket no longer open takes nothing (and says so). */
  send(data: string | Uint8Array, binary = false): boolean {
    if (!this.open) return false;
    this.socket.send(data, { binary });
    return true;
  }

  /**
   * Waits until a received frame (as parsed JSON) matches, from index `from` on; resolves
   * with it, or undefined once `timeoutMs` passed or the socket closed.
   */
  async waitFor(
    predicate: (frame: Record<string, unknown>) => boolean,
    timeoutMs: number,
    from = 0,
  ): Promise<Record<string, unknown> | undefined> {
    const deadline = performance.now() + timeoutMs;
    let index = from;
    for (;;) {
      for (; index < this.received.length; index++) {
        const frame = parseObject(this.received[index]!);
        if (frame !== undefined && predicate(frame)) return frame;
      }
      const left = deadline - performance.now();
      if (left <= 0 || this.socket.readyState === WebSocket.CLOSED) return undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        const self = this;
        function done(): void {
          clearTimeout(timer);
          self.waiters.delete(done);
          resolve();
        }
        this.waiters.add(done);
      });
    }
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  close(): void {
    this.closedHere ||= this.open;
    if (this.open) this.socket.close();
  }

  /** Cuts the TCP connection without a close handshake. */
  terminate(): void {
    this.closedHere ||= this.socket.readyState !== WebSocket.CLOSED;
    this.socket.terminate();
  }
}

/** A frame's JSON as an object, or undefined when it is not one. */
export function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
