import type { ChatMessage, RoomId } from '@hubbub/protocol';
import { build, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';
import type { NodeFigures } from './figures.js';

/** Minutes of history the analytics keep: the sliding window of the dashboard. */
export const WINDOW_MINUTES = 15;
/** Busiest rooms each node reports; the cluster's top list is drawn from these. */
const ROOMS_REPORTED = 20;

/** Microseconds, 1 µs to 10 min, 3 significant digits. */
export function latencyHistogram(): Histogram {
  return build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 600_000_000,
    numberOfSignificantValueDigits: 3,
    // Quiet minutes stay small; fifteen of them are kept.
    bitBucketSize: 'packed',
  });
}

interface Minute {
  readonly minute: number;
  messages: number;
  readonly rooms: Map<RoomId, number>;
  readonly latency: Histogram;
  /** The encoded histogram, once the minute is over and it can no longer change. */
  encoded?: string;
}

/**
 * This node's counters, fed from the hot path. Everything here is a field increment or one
 * histogram record per message (never per recipient), so measuring costs the fan-out nothing
 * it would notice; `/metrics` and `/api/analytics` read them when asked.
 */
export class Telemetry {
  readonly startedAt = Date.now();
  connections = 0;
  peakConnections = 0;
  joins = 0;
  /** Messages accepted from this node's clients (acknowledged). */
  messagesIn = 0;
  framesIn = 0;
  bytesIn = 0;
  /** Messages written to members (one per message per recipient). */
  deliveries = 0;
  framesOut = 0;
  bytesOut = 0;
  sheds = 0;
  readonly refusals = new Map<string, number>();
  /** Messages per flush of a room: how much the per-turn coalescing batches. */
  readonly batches: Array<(size: number) => void> = [];
  /** Seconds per store commit and its rows, for the persister metrics. */
  readonly commits: Array<(rows: number, seconds: number) => void> = [];
  private readonly minutes: Minute[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  connected(open: number): void {
    this.connections = open;
    if (open > this.peakConnections) this.peakConnections = open;
  }

  disconnected(open: number): void {
    this.connections = open;
  }

  received(bytes: number): void {
    this.framesIn += 1;
    this.bytesIn += bytes;
  }

  wrote(bytes: number): void {
    this.framesOut += 1;
    this.bytesOut += bytes;
  }

  shed(): void {
    this.sheds += 1;
  }

  joined(): void {
    this.joins += 1;
  }

  refused(code: string): void {
    this.refusals.set(code, (this.refusals.get(code) ?? 0) + 1);
  }

  /** A message sent by a client of this node was acknowledged. */
  sent(room: RoomId): void {
    this.messagesIn += 1;
    const minute = this.minute();
    minute.messages += 1;
    minute.rooms.set(room, (minute.rooms.get(room) ?? 0) + 1);
  }

  /**
   * A room wrote `messages` to `recipients` members. Latency runs from the message's server
   * time (`ts`, set on arrival at its node, so 1 ms resolution) to now, after the last write.
   */
  flushed(messages: readonly ChatMessage[], recipients: number): void {
    this.deliveries += messages.length * recipients;
    for (const observe of this.batches) observe(messages.length);
    if (recipients === 0) return;
    const now = this.now();
    const latency = this.minute(now).latency;
    for (const message of messages) {
      const micros = (now - Date.parse(message.ts)) * 1000;
      latency.recordValue(Math.max(1, Math.min(micros, 600_000_000)));
    }
  }

  committed(rows: number, seconds: number): void {
    for (const observe of this.commits) observe(rows, seconds);
  }

  /** This node's share of the analytics, in the form nodes exchange. */
  figures(node: string): NodeFigures {
    const now = this.now();
    const current = Math.floor(now / 60_000);
    const recent = this.minutes.filter((m) => m.minute > current - WINDOW_MINUTES);
    // Rate per room over the last minute and what has passed of this one.
    const elapsed = 1 + (now % 60_000) / 60_000;
    const rooms = new Map<RoomId, number>();
    for (const m of recent.filter((m) => m.minute >= current - 1)) {
      for (const [room, count] of m.rooms) rooms.set(room, (rooms.get(room) ?? 0) + count);
    }
    return {
      node,
      at: now,
      startedAt: this.startedAt,
      connections: this.connections,
      peakConnections: this.peakConnections,
      messages: this.messagesIn,
      deliveries: this.deliveries,
      minutes: recent.map((m) => ({
        minute: m.minute,
        messages: m.messages,
        latency: this.encode(m, current),
      })),
      rooms: [...rooms]
        .sort((a, b) => b[1] - a[1])
        .slice(0, ROOMS_REPORTED)
        .map(([room, count]) => ({ room, perMinute: count / elapsed })),
    };
  }

  private encode(minute: Minute, current: number): string {
    if (minute.encoded !== undefined) return minute.encoded;
    const encoded = encodeIntoCompressedBase64(minute.latency);
    if (minute.minute < current) minute.encoded = encoded;
    return encoded;
  }

  /** The bucket of the current minute; older ones beyond the window are dropped. */
  private minute(now = this.now()): Minute {
    const minute = Math.floor(now / 60_000);
    const last = this.minutes.at(-1);
    if (last !== undefined && last.minute === minute) return last;
    const fresh: Minute = { minute, messages: 0, rooms: new Map(), latency: latencyHistogram() };
    this.minutes.push(fresh);
    while (this.minutes.length > 0 && (this.minutes[0]?.minute ?? 0) <= minute - WINDOW_MINUTES)
      this.minutes.shift();
    return fresh;
  }
}
