import type { TargetName } from './dialects.js';

/** One client a worker opens: its token (Hubbub), the rooms it joins, whether it sends. */
export interface ClientPlan {
  token?: string;
  rooms: string[];
  /** Sends to its first room at its share of the worker's rate. */
  sender: boolean;
  /** The server to connect to, when not the run's one (a cluster's nodes). */
  port?: number;
}

export type ToWorker =
  | {
      kind: 'connect';
      target: TargetName;
      port: number;
      clients: ClientPlan[];
      /** Source addresses (127.0.0.x) to spread the clients' ephemeral ports over. */
      localAddresses: string[];
      /** Upgrades in flight at once. */
      parallel: number;
      /** Appended to each message's marker, to reach the workload's message size. */
      padding: string;
      /** Clients track where they are, to resume after a reconnect (storm). */
      resumable?: boolean;
    }
  /** Messages per second this worker sends in all, and reaction taps per second. */
  | { kind: 'rate'; perSecond: number; tapsPerSecond: number }
  /** Reopens every closed client at once (resuming where the target can); the storm. */
  | { kind: 'reconnect'; port: number; localAddresses: string[] }
  | { kind: 'sample' }
  | { kind: 'stop' };

/** Cumulative counts since the start, and the latency recorded since the last sample. */
export interface Sample {
  received: number;
  duplicates: number;
  gaps: number;
  errors: number;
  closed: number;
  sent: number;
  /** HDR histogram of delivery latency in µs (compressed, base64). */
  latency: string;
  /** Sends acknowledged (Hubbub: durable) so far, and their ack latency since the last sample. */
  acks: number;
  ackLatency: string;
  /** Distinct messages received per stream (worker * 65536 + sender), over all clients. */
  unique: Array<[number, number]>;
  /** Messages sent per stream and not refused by the server, and the room they went to. */
  sentBy: Array<[number, { room: string; count: number }]>;
  /** Reaction taps sent; and, as this worker's first client saw them, taps and frames. */
  taps: number;
  tapsSeen: number;
  cheerFrames: number;
}

export type FromWorker =
  | { kind: 'up' }
  | { kind: 'connected'; count: number; failed: number; error?: string | undefined }
  | { kind: 'sample'; sample: Sample }
  /** Milliseconds from the command until each client had resumed. */
  | { kind: 'reconnected'; times: number[]; failed: number; error?: string | undefined };
