import type { Analytics, LatencyPercentiles } from '@hubbub/protocol';
import { decodeFromCompressedBase64, type Histogram } from 'hdr-histogram-js';
import { z } from 'zod';
import { latencyHistogram, WINDOW_MINUTES } from './telemetry.js';

/**
 * One node's figures, as nodes exchange them (through Redis in scale-out mode). Validated
 * when read: another node, or another version of Hubbub, wrote them.
 */
export const NodeFigures = z.object({
  node: z.string(),
  /** When the figures were taken (ms since the epoch). */
  at: z.number(),
  startedAt: z.number(),
  connections: z.number().int().nonnegative(),
  peakConnections: z.number().int().nonnegative(),
  /** Messages this node's clients sent since it started. */
  messages: z.number().int().nonnegative(),
  deliveries: z.number().int().nonnegative(),
  /** The last minutes (minute = ms since the epoch / 60,000), oldest first. */
  minutes: z.array(
    z.object({
      minute: z.number().int(),
      messages: z.number().int().nonnegative(),
      /** Broadcast latency in µs: an HDR histogram, compressed and base64-encoded. */
      latency: z.string(),
    }),
  ),
  /** This node's busiest rooms by messages per minute (over the last one to two minutes). */
  rooms: z.array(z.object({ room: z.string(), perMinute: z.number().nonnegative() })),
});
export type NodeFigures = z.infer<typeof NodeFigures>;

/** How many rooms the analytics list. */
export const TOP_ROOMS = 10;

function percentiles(histogram: Histogram): LatencyPercentiles {
  const ms = (micros: number) => Math.round(micros) / 1000;
  return {
    count: histogram.totalCount,
    p50: ms(histogram.getValueAtPercentile(50)),
    p95: ms(histogram.getValueAtPercentile(95)),
    p99: ms(histogram.getValueAtPercentile(99)),
    max: ms(histogram.maxValue),
  };
}

/**
 * Combines every node's figures into the cluster's: counts add up, histograms merge (so
 * percentiles are of all messages, not an average of averages), rooms' rates add up.
 */
export function combine(
  figures: readonly NodeFigures[],
  cluster: { uniqueUsers: number; peakConnections: number },
  now: number,
): Analytics {
  const current = Math.floor(now / 60_000);
  const minutes = Array.from({ length: WINDOW_MINUTES }, (_, i) => ({
    minute: current - WINDOW_MINUTES + 1 + i,
    messages: 0,
    latency: latencyHistogram(),
  }));
  const window = latencyHistogram();
  const rooms = new Map<string, number>();
  for (const node of figures) {
    for (const m of node.minutes) {
      const slot = minutes[m.minute - minutes[0]!.minute];
      if (slot === undefined) continue;
      slot.messages += m.messages;
      const histogram = decodeFromCompressedBase64(m.latency);
      slot.latency.add(histogram);
      window.add(histogram);
    }
    for (const { room, perMinute } of node.rooms)
      rooms.set(room, (rooms.get(room) ?? 0) + perMinute);
  }
  const startedAt = Math.min(now, ...figures.map((f) => f.startedAt));
  const sum = (pick: (f: NodeFigures) => number) => figures.reduce((t, f) => t + pick(f), 0);
  const active = sum((f) => f.connections);
  const iso = (minute: number) => new Date(minute * 60_000).toISOString();
  return {
    startedAt: new Date(startedAt).toISOString(),
    uptimeSeconds: Math.round((now - startedAt) / 1000),
    nodes: figures.length,
    connections: {
      active,
      uniqueUsers: cluster.uniqueUsers,
      peak: Math.max(active, cluster.peakConnections, ...figures.map((f) => f.peakConnections)),
    },
    messages: {
      total: sum((f) => f.messages),
      deliveries: sum((f) => f.deliveries),
      perMinute: minutes.map((m) => ({ minute: iso(m.minute), messages: m.messages })),
    },
    latency: {
      ...percentiles(window),
      perMinute: minutes.map((m) => ({ minute: iso(m.minute), ...percentiles(m.latency) })),
    },
    rooms: [...rooms]
      .sort((a, b) => b[1] - a[1])
      .slice(0, TOP_ROOMS)
      .map(([room, perMinute]) => ({ room, perMinute: Math.round(perMinute * 10) / 10 })),
  };
}
