import { z } from 'zod';

/** Broadcast latency percentiles in milliseconds, and how many messages they are of. */
export const LatencyPercentiles = z.object({
  count: z.number(),
  p50: z.number(),
  p95: z.number(),
  p99: z.number(),
  max: z.number(),
});
export type LatencyPercentiles = z.infer<typeof LatencyPercentiles>;

/** What `GET /api/analytics` answers: the cluster's figures (one node's, when alone). */
export const Analytics = z.object({
  /** When the oldest running node started, and how long ago. */
  startedAt: z.string(),
  uptimeSeconds: z.number(),
  nodes: z.number().int(),
  connections: z.object({
    /** Open WebSockets on every node. */
    active: z.number().int(),
    /** Distinct people behind them (a person with three tabs counts once). */
    uniqueUsers: z.number().int(),
    peak: z.number().int(),
  }),
  messages: z.object({
    /** Sent since the running nodes started. */
    total: z.number().int(),
    deliveries: z.number().int(),
    /** One entry per minute of the window, oldest first, the current (partial) one last. */
    perMinute: z.array(z.object({ minute: z.string(), messages: z.number().int() })),
  }),
  /**
   * Broadcast latency in milliseconds, from a message's arrival at its node to the write to
   * its last local recipient, over the window; and per minute, for the chart.
   */
  latency: LatencyPercentiles.extend({
    perMinute: z.array(LatencyPercentiles.extend({ minute: z.string() })),
  }),
  /** The busiest rooms by messages per minute, busiest first. */
  rooms: z.array(z.object({ room: z.string(), perMinute: z.number() })),
});
export type Analytics = z.infer<typeof Analytics>;
