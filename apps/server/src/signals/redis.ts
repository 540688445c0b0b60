import { CheersFrame, HeldFrame, type RoomId, UserRef } from '@hubbub/protocol';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { PubSubWatchdog } from '../broker/watchdog.js';
import type { NodeSignal, NoticeListener, Signals } from './port.js';

const NEWLINE = 0x0a;

export interface RedisSignalsOptions {
  prefix?: string;
  /**
   * The broker's subscriber connection, to share: one connection receives messages and
   * notices in the order Redis executed their publishes, so a notice about a message (an
   * edit, a deletion) does not overtake the message. Its owner probes and closes it.
   */
  subscriber?: Redis;
  /** Told of a publish that failed (the signal is lost: at most once). */
  onError?: (error: unknown) => void;
}

/**
 * Signals over Redis pub/sub: one channel per room (`<prefix>:{room}:notices`, subscribed
 * while this node has members there, like the room's message channel) and one channel
 * every node subscribes to for node signals. Everything arrives on one subscriber
 * connection (shared with the broker's in a node), so a sender's notices and signals keep
 * their order, and follow the messages published before them. ioredis resubscribes
 * after a reconnect; what was published in between is lost, as the port allows.
 *
 * A room notice travels as `<except user id>\n<encoded frame>`: the frame is encoded once,
 * by the sender, and the bytes go to every member on every node as they are.
 */
export class RedisSignals implements Signals {
  private readonly subscriber: Redis;
  private readonly prefix: string;
  private readonly onError: (error: unknown) => void;
  private readonly rooms = new Map<string, { room: RoomId; listeners: Set<NoticeListener> }>();
  private readonly listeners = new Set<(signal: NodeSignal) => void>();
  private readonly nodeChannel: string;
  /** Subscriptions asked for and not yet confirmed (the node channel's first). */
  private readonly pending = new Set<Promise<unknown>>();
  private closed = false;
  /** Set when this bus made its own subscriber (and so probes and closes it). */
  private readonly watchdog: PubSubWatchdog | undefined;

  constructor(
    private readonly redis: Redis,
    options: RedisSignalsOptions = {},
  ) {
    this.prefix = options.prefix ?? 'hubbub';
    this.onError = options.onError ?? (() => {});
    this.nodeChannel = `${this.prefix}:signals`;
    const shared = options.subscriber;
    this.subscriber = shared ?? redis.duplicate();
    if (shared === undefined) this.subscriber.on('error', () => {});
    this.subscriber.on('messageBuffer', (channel: Buffer, payload: Buffer) =>
      this.received(channel.toString(), payload),
    );
    // Every connection after the first is a reconnect: what was published meanwhile is lost.
    let connections = this.subscriber.status === 'ready' ? 1 : 0;
    this.subscriber.on('ready', () => {
      connections += 1;
      if (connections === 1) return;
      for (const listener of this.listeners) listener({ kind: 'resync' });
    });
    this.subscribe(this.nodeChannel);
    this.watchdog =
      shared === undefined
        ? new PubSubWatchdog(redis, this.subscriber, this.prefix, {
            onWedged: () => this.onError(new Error('signals delivered nothing: reconnecting')),
          })
        : undefined;
  }

  /**
   * Whether pub/sub delivers (a probe came back lately): part of the node's readiness. A
   * shared subscriber is probed by its owner.
   */
  healthy(): boolean {
    return this.watchdog?.healthy() ?? true;
  }

  notice(room: RoomId, encoded: Uint8Array, except?: string): void {
    const payload = Buffer.concat([Buffer.from(`${except ?? ''}\n`), encoded]);
    this.redis.publish(this.channel(room), payload).catch(this.onError);
  }

  listenRoom(room: RoomId, listener: NoticeListener): () => void {
    const channel = this.channel(room);
    let entry = this.rooms.get(channel);
    if (entry === undefined) {
      entry = { room, listeners: new Set() };
      this.rooms.set(channel, entry);
      this.subscribe(channel);
    }
    entry.listeners.add(listener);
    const mine = entry;
    return () => {
      mine.listeners.delete(listener);
      if (mine.listeners.size > 0 || this.rooms.get(channel) !== mine) return;
      this.rooms.delete(channel);
      this.subscriber.unsubscribe(channel).catch(() => {});
    };
  }

  broadcast(signal: NodeSignal): void {
    this.redis.publish(this.nodeChannel, JSON.stringify(signal)).catch(this.onError);
  }

  listen(listener: (signal: NodeSignal) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async ready(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.rooms.clear();
    this.listeners.clear();
    if (this.watchdog === undefined) return; // shared: its owner closes it
    this.watchdog.stop();
    await this.subscriber.quit().catch(() => this.subscriber.disconnect());
  }

  private received(channel: string, payload: Buffer): void {
    if (channel === this.nodeChannel) {
      const signal = parseSignal(payload.toString());
      if (signal === undefined) {
        this.onError(new Error('ignored a malformed node signal'));
        return;
      }
      for (const listener of this.listeners) listener(signal);
      return;
    }
    const entry = this.rooms.get(channel);
    if (entry === undefined) return;
    const split = payload.indexOf(NEWLINE);
    const except = split > 0 ? payload.toString('utf8', 0, split) : undefined;
    const encoded = payload.subarray(split + 1);
    for (const listener of entry.listeners) listener(encoded, except);
  }

  private subscribe(channel: string): void {
    const subscribing = this.subscriber.subscribe(channel);
    this.pending.add(subscribing);
    subscribing.then(
      () => this.pending.delete(subscribing),
      (error: unknown) => {
        this.pending.delete(subscribing);
        this.onError(error);
        // Still wanted: try again (ioredis resubscribes only what once succeeded).
        const wanted = channel === this.nodeChannel || this.rooms.has(channel);
        if (wanted && !this.closed) setTimeout(() => this.subscribe(channel), 1000).unref();
      },
    );
  }

  private channel(room: RoomId): string {
    // The room's hash tag, as the broker's keys: one Redis Cluster slot per room.
    return `${this.prefix}:{${room}}:notices`;
  }
}

const KINDS = new Set([
  'evict',
  'notify',
  'end-sessions',
  'rules',
  'cheers',
  'close-room',
  'held',
  'unhold',
  'unheld',
]);
const Unhold = z.object({ room: z.string(), id: z.string(), actor: UserRef });
const Unheld = Unhold.extend({ user: z.string(), cid: z.string(), removed: z.boolean() });

/**
 * A node signal as published by `broadcast`, or undefined: anything else on the channel
 * (another version, a stray publish) must not take the node down.
 */
function parseSignal(json: string): NodeSignal | undefined {
  try {
    const value = JSON.parse(json) as {
      kind?: unknown;
      user?: unknown;
      room?: unknown;
      counts?: unknown;
    };
    if (typeof value !== 'object' || value === null || !KINDS.has(String(value.kind))) return;
    if (value.kind === 'held')
      return HeldFrame.safeParse((value as { frame?: unknown }).frame).success
        ? (value as NodeSignal)
        : undefined;
    if (value.kind === 'unhold' || value.kind === 'unheld')
      return (value.kind === 'unhold' ? Unhold : Unheld).safeParse(value).success
        ? (value as NodeSignal)
        : undefined;
    if (value.kind === 'cheers')
      return typeof value.room === 'string' &&
        CheersFrame.shape.counts.safeParse(value.counts).success
        ? (value as NodeSignal)
        : undefined;
    const byRoom = value.kind === 'rules' || value.kind === 'close-room';
    if (byRoom ? typeof value.room !== 'string' : typeof value.user !== 'string') return;
    return value as NodeSignal;
  } catch {
    return undefined;
  }
}
