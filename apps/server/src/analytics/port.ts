import type { NodeFigures } from './figures.js';

/** What the board holds of the cluster right now. */
export interface ClusterFigures {
  /** The latest figures of every node that posted within the board's freshness window. */
  nodes: NodeFigures[];
  /** Distinct people on those nodes' connections (a person on two nodes counts once). */
  uniqueUsers: number;
  /** The most connections the board has seen open at once, summed over its nodes. */
  peakConnections: number;
}

/**
 * Where nodes pin their analytics so that any node can answer for the cluster. Each post
 * replaces the node's previous one; a node that stops posting (it died) drops out after the
 * freshness window. Reads are eventually consistent: another node's figures are up to one
 * posting interval old. The peak is kept while any node posts; once none has for the
 * freshness window (the whole cluster stopped), it starts over. Freshness compares the
 * poster's clock with the reader's: nodes' clocks must agree within seconds (NTP). Unique users are exact in process and estimated (HyperLogLog, about
 * 1% error) on Redis.
 */
export interface FiguresBoard {
  post(figures: NodeFigures, users: ReadonlySet<string>): Promise<void>;
  read(): Promise<ClusterFigures>;
  /** The node stops: its figures and people leave the board at once, not 15 s later. */
  withdraw(node: string): Promise<void>;
}

/** How long a node's post counts: three posting intervals, so one late post is no gap. */
export const POST_INTERVAL_MS = 5000;
export const FRESH_MS = 3 * POST_INTERVAL_MS;
