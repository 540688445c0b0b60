import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/**
 * A bare WebSocket client for the load generator. A library client (`ws`) allocates and
 * emits every frame on its own; at a million deliveries a second that costs the generator
 * more CPU than the server it measures. This one reads with `onread` into one buffer shared
 * by every socket of the process (no allocation per read), handles a whole read in one loop,
 * hands each text payload to `onText` as a byte range (no copy, no string), answers pings,
 * and masks what it sends with a zero key (RFC 6455 requires a mask, not a secret one, from
 * a client that is not a browser). Loopback only; no extensions, no fragmentation.
 *
 * Batched reads: with `readEveryMs`, a socket that just read waits that long before it
 * reads again, so under load each read carries many frames. A quiet socket (one frame per
 * interval or less) is never held back.
 */
export interface WireHandlers {
  /** A text frame's payload: `data[start..end)`. Valid only during the call. */
  onText(data: Buffer, start: number, end: number): void;
  onClose(): void;
}

/** One read buffer for every socket: reads are handled synchronously, one at a time. */
const shared = Buffer.allocUnsafe(256 * 1024);
/** Sockets waiting out their read interval; all resumed together on the next tick. */
const held = new Set<Socket>();
let holdTimer: NodeJS.Timeout | undefined;

function hold(socket: Socket, everyMs: number): void {
  held.add(socket);
  if (holdTimer !== undefined) return;
  holdTimer = setInterval(() => {
    for (const waiting of held) waiting.resume();
    held.clear();
  }, everyMs);
}

export class WireClient {
  private socket!: Socket;
  private handlers: WireHandlers | undefined;
  private head: Buffer | undefined = Buffer.alloc(0);
  private pending: Buffer | undefined;
  private closed = false;
  private readEveryMs = 0;
  private upgraded!: (error?: Error) => void;

  /** Connects from `localAddress` (127.0.0.x spreads ephemeral ports) and upgrades. */
  static async open(
    port: number,
    path: string,
    localAddress: string,
    handlers: WireHandlers,
    readEveryMs = 0,
  ): Promise<WireClient> {
    const client = new WireClient();
    client.readEveryMs = readEveryMs;
    const done = new Promise<void>((resolve, reject) => {
      client.upgraded = (error) => (error === undefined ? resolve() : reject(error));
    });
    client.socket = connect({
      host: '127.0.0.1',
      port,
      localAddress,
      onread: { buffer: shared, callback: (n: number) => client.read(n) },
    });
    client.socket.setNoDelay(true);
    client.socket.once('error', (error) => client.upgraded(error));
    client.socket.on('close', () => client.finish());
    const key = randomBytes(16).toString('base64');
    client.socket.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
        `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    const timer = setTimeout(() => client.upgraded(new Error('no upgrade within 30 s')), 30_000);
    try {
      await done;
    } catch (error) {
      client.socket.destroy();
      throw error;
    } finally {
      clearTimeout(timer);
    }
    client.handlers = handlers;
    client.socket.on('error', () => client.finish());
    return client;
  }

  sendText(text: string): void {
    if (this.closed) return;
    this.socket.write(frame(0x1, Buffer.from(text)));
  }

  destroy(): void {
    held.delete(this.socket);
    this.socket.destroy();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    held.delete(this.socket);
    if (this.head !== undefined) this.upgraded(new Error('closed before the upgrade'));
    this.handlers?.onClose();
  }

  /** `onread`: `n` bytes are in the shared buffer. Returning false pauses the socket. */
  private read(n: number): boolean {
    if (this.head !== undefined) {
      this.head = Buffer.concat([this.head, shared.subarray(0, n)]);
      const end = this.head.indexOf('\r\n\r\n');
      if (end < 0) return true;
      const status = this.head.subarray(0, end).toString().split('\r\n')[0] ?? '';
      const rest = Buffer.from(this.head.subarray(end + 4));
      this.head = undefined;
      if (!status.includes(' 101')) {
        this.socket.destroy();
        this.upgraded(new Error(`upgrade refused: ${status}`));
        return false;
      }
      this.upgraded();
      // Frames right behind the upgrade wait for the handlers (set once `open` resolves).
      if (rest.length > 0) this.pending = rest;
      return true;
    }
    let data = shared.subarray(0, n);
    if (this.pending !== undefined) {
      data = Buffer.concat([this.pending, data]);
      this.pending = undefined;
    }
    const handlers = this.handlers;
    if (handlers === undefined) {
      this.pending = Buffer.from(data);
      return true;
    }
    let at = 0;
    while (at + 2 <= data.length) {
      const opcode = data[at]! & 0x0f;
      let length = data[at + 1]! & 0x7f;
      let header = 2;
      if (length === 126) {
        if (at + 4 > data.length) break;
        length = data.readUInt16BE(at + 2);
        header = 4;
      } else if (length === 127) {
        if (at + 10 > data.length) break;
        length = Number(data.readBigUInt64BE(at + 2));
        header = 10;
      }
      const start = at + header;
      const end = start + length;
      if (end > data.length) break;
      if (opcode === 0x1) handlers.onText(data, start, end);
      else if (opcode === 0x9)
        this.socket.write(frame(0xa, Buffer.from(data.subarray(start, end))));
      else if (opcode === 0x8) this.socket.end();
      at = end;
    }
    // The rest of a frame is copied out: the shared buffer is overwritten by the next read.
    if (at < data.length) this.pending = Buffer.from(data.subarray(at));
    if (this.readEveryMs > 0 && !this.closed) {
      hold(this.socket, this.readEveryMs);
      return false;
    }
    return true;
  }
}

/** A final client frame with a zero masking key (so the payload goes as it is). */
function frame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const header = length < 126 ? 6 : length < 65536 ? 8 : 14;
  const out = Buffer.allocUnsafe(header + length);
  out[0] = 0x80 | opcode;
  if (length < 126) {
    out[1] = 0x80 | length;
  } else if (length < 65536) {
    out[1] = 0x80 | 126;
    out.writeUInt16BE(length, 2);
  } else {
    out[1] = 0x80 | 127;
    out.writeBigUInt64BE(BigInt(length), 2);
  }
  out.writeUInt32BE(0, header - 4);
  payload.copy(out, header);
  return out;
}
