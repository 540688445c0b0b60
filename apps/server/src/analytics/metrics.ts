import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Telemetry } from './telemetry.js';

/** What the metrics read besides the telemetry, when scraped. */
export interface MetricSources {
  /** Rooms with members on this node. */
  rooms(): number;
  /** Messages waiting in this node's persister (embedded mode), or in the outbox (Redis). */
  backlog(): Promise<number>;
  /** Whether `backlog` is the cluster's outbox lag (Redis) rather than a local queue. */
  shared: boolean;
}

/**
 * This node's Prometheus registry. Counters that the hot path bumps as plain numbers in
 * Telemetry are read at scrape time, so serving a message never touches prom-client; only
 * per-flush batch sizes and per-commit latency are observed as they happen.
 */
export function metricsRegistry(telemetry: Telemetry, sources: MetricSources): Registry {
  const register = new Registry();
  const counter = (name: string, help: string, read: () => number) =>
    new Counter({
      name,
      help,
      registers: [register],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  const gauge = (name: string, help: string, read: () => number | Promise<number>) =>
    new Gauge({
      name,
      help,
      registers: [register],
      async collect() {
        this.set(await read());
      },
    });

  gauge('hubbub_connections', 'Open WebSocket connections', () => telemetry.connections);
  gauge(
    'hubbub_connections_peak',
    'Most connections open at once',
    () => telemetry.peakConnections,
  );
  gauge('hubbub_rooms_active', 'Rooms with members on this node', () => sources.rooms());
  counter('hubbub_joins_total', 'Room joins answered', () => telemetry.joins);
  counter(
    'hubbub_messages_in_total',
    'Messages accepted and acknowledged',
    () => telemetry.messagesIn,
  );
  counter('hubbub_frames_in_total', 'Frames received from clients', () => telemetry.framesIn);
  counter('hubbub_bytes_in_total', 'Bytes of frames received', () => telemetry.bytesIn);
  counter('hubbub_deliveries_total', 'Messages written to members', () => telemetry.deliveries);
  counter('hubbub_frames_out_total', 'Frames written to clients', () => telemetry.framesOut);
  counter('hubbub_bytes_out_total', 'Bytes of frames written', () => telemetry.bytesOut);
  counter(
    'hubbub_slow_consumer_sheds_total',
    'Connections closed for a full send buffer',
    () => telemetry.sheds,
  );
  new Counter({
    name: 'hubbub_refusals_total',
    help: 'Frames refused with an error, by code (rate_limited: rate-limit refusals)',
    labelNames: ['code'],
    registers: [register],
    collect() {
      this.reset();
      for (const [code, count] of telemetry.refusals) this.inc({ code }, count);
    },
  });
  const batches = new Histogram({
    name: 'hubbub_fanout_batch_messages',
    help: 'Messages per flush of a room (one write per member carries them all)',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
    registers: [register],
  });
  telemetry.batches.push((size) => batches.observe(size));
  const commits = new Histogram({
    name: 'hubbub_persister_commit_seconds',
    help: 'Time per store commit of a batch of messages',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [register],
  });
  const rows = new Counter({
    name: 'hubbub_persister_rows_total',
    help: 'Messages committed to the store by this node',
    registers: [register],
  });
  telemetry.commits.push((count, seconds) => {
    commits.observe(seconds);
    rows.inc(count);
  });
  gauge(
    sources.shared ? 'hubbub_outbox_lag' : 'hubbub_persister_queue_depth',
    sources.shared
      ? 'Acknowledged messages in the Redis outbox not yet committed to PostgreSQL (cluster-wide)'
      : 'Acknowledged messages queued for the group commit',
    () => sources.backlog().catch(() => Number.NaN),
  );
  return Registry.merge([processMetrics(), register]);
}

let processRegistry: Registry | undefined;

/**
 * prom-client's process metrics (CPU, memory, GC, event-loop lag): once per process, since
 * each set starts its own GC observer and event-loop monitor that nothing stops; the nodes
 * of a test process share them, as they share the process.
 */
function processMetrics(): Registry {
  if (processRegistry === undefined) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}
