import { ErrorCode, type RoomId, type RoomModes } from '@hubbub/protocol';
import type { Identity } from '../auth/authenticator.js';
import type { Clearance, Refusal, RoomGuard, SendContent } from '../gateway/guard.js';
import type { EventRow } from './store.js';

/** When event rooms open and close, around their event's times. */
export interface RoomPolicy {
  /** A room opens this long before its event starts. */
  opensBeforeMs: number;
  /** And closes this long after it ends (when its history expires). */
  closesAfterMs: number;
}

export interface RoomWindow {
  opensAt: number;
  closesAt: number;
}

export function roomWindow(
  row: Pick<EventRow, 'starts_at' | 'ends_at'>,
  policy: RoomPolicy,
): RoomWindow {
  return {
    opensAt: row.starts_at - policy.opensBeforeMs,
    closesAt: row.ends_at + policy.closesAfterMs,
  };
}

const prefix = 'event:';

/** The event id of an event room, or undefined for any other room. */
export const eventIdOf = (room: RoomId): string | undefined =>
  room.startsWith(prefix) ? room.slice(prefix.length) : undefined;

/** How long a room's window is trusted before it is read again (the event may move). */
const windowTtlMs = 60_000;

/**
 * The rules every event room has on top of the room rules (`inner`): it belongs to an
 * event of the catalog, and is open only from a while before the event starts until its
 * history expires after the end. Joining or resuming outside that is refused with
 * `room_not_open` or `room_closed`; so is sending once the room has closed under people.
 * Any other room goes straight to `inner`.
 */
export class EventRoomGuard implements RoomGuard {
  /** Windows of the event rooms joined lately: the synchronous send check reads these. */
  private readonly windows = new Map<RoomId, RoomWindow & { readAt: number }>();
  /** Reads under way: a crowd joining a room after a restart makes one. */
  private readonly reading = new Map<RoomId, Promise<EventRow | undefined>>();

  constructor(
    private readonly inner: RoomGuard,
    private readonly find: (id: string) => Promise<EventRow | undefined>,
    private readonly policy: RoomPolicy,
  ) {}

  async admit(identity: Identity, room: RoomId): Promise<Refusal | undefined> {
    const id = eventIdOf(room);
    if (id === undefined) return this.inner.admit(identity, room);
    const now = Date.now();
    let window = this.windows.get(room);
    if (window === undefined || now - window.readAt > windowTtlMs) {
      let read = this.reading.get(room);
      if (read === undefined) {
        read = this.find(id).finally(() => this.reading.delete(room));
        this.reading.set(room, read);
      }
      const row = await read;
      if (row === undefined) {
        this.windows.delete(room);
        return { code: ErrorCode.notFound, message: 'no such event' };
      }
      window = { ...roomWindow(row, this.policy), readAt: now };
      this.sweep(now);
      this.windows.set(room, window);
    }
    const refusal = this.outside(window, now);
    return refusal ?? this.inner.admit(identity, room);
  }

  checkSend(
    identity: Identity,
    room: RoomId,
    now: number,
    message: SendContent,
  ): Refusal | Clearance {
    return this.closed(room, now) ?? this.inner.checkSend(identity, room, now, message);
  }

  modesOf(room: RoomId): RoomModes | undefined {
    return this.inner.modesOf(room);
  }

  moderates(identity: Identity, room: RoomId): boolean {
    return this.inner.moderates(identity, room);
  }

  checkEdit(identity: Identity, room: RoomId, now: number, content: string): Refusal | undefined {
    return this.closed(room, now) ?? this.inner.checkEdit(identity, room, now, content);
  }

  maySpeak(identity: Identity, room: RoomId, now: number): boolean {
    return this.closed(room, now) === undefined && this.inner.maySpeak(identity, room, now);
  }

  /**
   * Why an event room takes nothing now. A join read its window; one no longer held was
   * forgotten because the room closed long ago.
   */
  private closed(room: RoomId, now: number): Refusal | undefined {
    if (eventIdOf(room) === undefined) return undefined;
    const window = this.windows.get(room);
    if (window === undefined)
      return { code: ErrorCode.roomClosed, message: "this event's room has closed" };
    return this.outside(window, now);
  }

  private outside(window: RoomWindow, now: number): Refusal | undefined {
    if (now < window.opensAt)
      return {
        code: ErrorCode.roomNotOpen,
        message: `this event's room opens at ${new Date(window.opensAt).toISOString()}`,
      };
    if (now >= window.closesAt)
      return { code: ErrorCode.roomClosed, message: "this event's room has closed" };
    return undefined;
  }

  /** Forgets windows of rooms long closed, so the map holds only rooms still in use. */
  private sweep(now: number): void {
    if (this.windows.size < 1024) return;
    for (const [room, window] of this.windows)
      if (now - window.readAt > windowTtlMs && now >= window.closesAt) this.windows.delete(room);
  }
}
