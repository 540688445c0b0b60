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

/** What the soak's people do, per second, all together (see scenarios/soak.ts). */
export interface SoakMix {
  /** Messages sent (each acked and timed). */
  sends: number;
  /** `react` frames to recent messages (on, or now and then off). */
  reactions: number;
  typing: number;
  /** A person in a second room besides their home room leaves it; one in none joins one. */
  joinsOrLeaves: number;
  /** A person's socket is closed; it comes back 0.5-2.5 s later and resumes its rooms. */
  reconnects: number;
  /** An account uploads a small PNG (`POST /api/media`) and sends it as an attachment. */
  uploads: number;
}

export type ToSoakWorker =
  | {
      kind: 'setup';
      port: number;
      /** Guest tokens, one per guest; the first `accounts` people register accounts instead. */
      guests: string[];
      accounts: number;
      rooms: string[];
      mix: SoakMix;
      seed: number;
      /** The worker exits on its own this long after setup, whatever it is told. */
      lifetimeMs: number;
    }
  | { kind: 'mix'; running: boolean }
  | { kind: 'sample' }
  | { kind: 'finish' }
  | { kind: 'stop' };

/** Counts since the start, the histograms since the last sample (µs, compressed base64). */
export interface SoakCounts {
  /** People connected and in their rooms now, and how many there are. */
  up: number;
  people: number;
  sent: number;
  acked: number;
  /** Distinct messages delivered, people and rooms together (replays on resume included). */
  delivered: number;
  /** Delivered by a resume's answer after a reconnect (not timed: they waited on purpose). */
  replayed: number;
  /** A message a person had already had in that room (by seq). */
  duplicates: number;
  /** Deliveries owed and missing: seqs skipped in a room a person was in, never filled. */
  missing: number;
  /** Deliveries owed and missing: messages after a resume answered `reset`, or past the cap. */
  lostForGood: number;
  reactions: number;
  updatesSeen: number;
  typing: number;
  typingSeen: number;
  joins: number;
  leaves: number;
  reconnects: number;
  reconnectFailures: number;
  /** Sockets the server closed (not the soak's own reconnects). */
  drops: number;
  resets: number;
  uploads: number;
  uploadFailures: number;
  refreshes: number;
  /** Error frames and failed REST calls, and the codes they carried. */
  errors: number;
  codes: Record<string, number>;
  /** Sends never acked within 30 s. */
  unacked: number;
  /** Actions skipped because nobody could take them at the moment (everyone busy). */
  skipped: number;
  ackLatency: string;
  deliveryLatency: string;
  uploadLatency: string;
  /** Time from reopening a socket until every room was resumed. */
  resumeLatency: string;
}

export type FromSoakWorker =
  | { kind: 'up' }
  | { kind: 'ready'; people: number; accounts: number; failed: number; error?: string | undefined }
  | { kind: 'sample'; counts: SoakCounts }
  /** After the mix stopped and settled: deliveries still owed at each person's room head. */
  | { kind: 'finished'; counts: SoakCounts; behind: number; notBack: number };
