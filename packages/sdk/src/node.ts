import WebSocket from 'ws';
import { HubbubClient as BaseClient, type HubbubClientOptions } from './client.js';
import type { WebSocketConstructor } from './socket.js';

export * from './index.js';

/** In Node, where there may be no global WebSocket, the client defaults to the `ws` package. */
export class HubbubClient extends BaseClient {
  constructor(options: HubbubClientOptions) {
    super({ WebSocket: WebSocket as unknown as WebSocketConstructor, ...options });
  }
}
