import { limits, type ReceiptFrame, type RoomId } from '@hubbub/protocol';

/**
 * The client side of receipts: the furthest delivered and read seq per room, sent at most
 * every `limits.receiptFlushMs` per room (the first at once), so scrolling through a busy
 * room costs a frame a second, not one per message. Pointers only move forward.
 */
export class ReceiptReporter {
  private readonly rooms = new Map<
    RoomId,
    { delivered: number; read: number; sentAt: number; timer?: ReturnType<typeof setTimeout> }
  >();

  constructor(
    private readonly send: (frame: ReceiptFrame) => boolean,
    private readonly intervalMs: number = limits.receiptFlushMs,
  ) {}

  /** Marks `seq` delivered (read: true, also read) in `room`. */
  mark(room: RoomId, seq: number, read: boolean): void {
    let entry = this.rooms.get(room);
    if (entry === undefined) {
      entry = { delivered: 0, read: 0, sentAt: Number.NEGATIVE_INFINITY };
      this.rooms.set(room, entry);
    }
    const before = { delivered: entry.delivered, read: entry.read };
    entry.delivered = Math.max(entry.delivered, seq);
    if (read) entry.read = Math.max(entry.read, seq);
    if (entry.delivered === before.delivered && entry.read === before.read) return;
    if (entry.timer !== undefined) return;
    const wait = Math.max(0, entry.sentAt + this.intervalMs - Date.now());
    entry.timer = setTimeout(() => this.flush(room), wait);
  }

  /** Sends what is pending for every room now (after a reconnect). */
  flushAll(): void {
    for (const room of this.rooms.keys()) this.flush(room);
  }

  forget(room: RoomId): void {
    clearTimeout(this.rooms.get(room)?.timer);
    this.rooms.delete(room);
  }

  stop(): void {
    for (const entry of this.rooms.values()) clearTimeout(entry.timer);
  }

  private flush(room: RoomId): void {
    const entry = this.rooms.get(room);
    if (entry === undefined) return;
    clearTimeout(entry.timer);
    entry.timer = undefined;
    if (entry.delivered === 0) return;
    const frame: ReceiptFrame = { type: 'receipt', room, delivered: entry.delivered };
    if (entry.read > 0) frame.read = entry.read;
    // Not connected: kept, and sent again by flushAll once ready.
    if (this.send(frame)) entry.sentAt = Date.now();
  }
}
