import { limits, type PresenceFrame, type RoomId } from '@hubbub/protocol';
import type { PresenceStore } from '../presence/port.js';
import type { Member } from './room.js';

/** The longest a large room's count waits between updates. */
const MAX_INTERVAL_MS = 30_000;

/**
 * Room presence as members see it. Entering and leaving go to the PresenceStore; a room
 * whose headcount changed sends one `presence` frame to its members at most every
 * `intervalMs` (the first change at once), so a crowd pouring into an event room costs a
 * frame a second, not a frame per person, and an event room sends a count, never a list.
 * A large room waits longer (1 ms per person, at most 30 s, as Twitch's viewer counts do):
 * each update is a write to every member, so a 10,000-person room updated every second
 * would cost 10,000 writes a second on presence alone. In a cluster every node that saw a
 * change sends its update, so members may get one per node per interval.
 */
export class RoomPresence {
  private readonly scheduled = new Map<RoomId, NodeJS.Timeout>();
  private readonly lastSent = new Map<RoomId, number>();
  /** The count last sent per room: how long the room waits between updates. */
  private readonly lastCount = new Map<RoomId, number>();
  /** The count this node last told its members, per room. */
  private readonly told = new Map<RoomId, number>();
  private recounting = false;

  constructor(
    private readonly store: PresenceStore,
    private readonly announce: (room: RoomId, frame: PresenceFrame) => void,
    private readonly onError: (error: unknown) => void,
    private readonly intervalMs: number = limits.presenceUpdateMs,
  ) {}

  /**
   * The member is in the room. Call it synchronously when the member is admitted, and
   * `exited` when it leaves: the store sees the calls in that order, so no ghost remains.
   */
  entered(room: RoomId, member: Member): Promise<void> {
    return this.store.enter(room, member.user, member.id).then(
      (changed) => {
        if (changed) this.changed(room);
      },
      (error: unknown) => this.onError(error),
    );
  }

  exited(room: RoomId, member: Member): void {
    this.store.exit(room, member.user.id, member.id).then(
      (changed) => {
        if (changed) this.changed(room);
      },
      (error: unknown) => this.onError(error),
    );
  }

  /** The room's presence now, as a frame. */
  async frame(room: RoomId): Promise<PresenceFrame> {
    const { users, count } = await this.store.headcount(room, limits.presenceListMax);
    return count <= limits.presenceListMax
      ? { type: 'presence', room, count, users }
      : { type: 'presence', room, count };
  }

  /**
   * The frame for a member that just joined, or undefined (reported) if presence cannot be
   * read now: presence is a courtesy, and the member is in the room either way.
   */
  async snapshot(room: RoomId): Promise<PresenceFrame | undefined> {
    try {
      return await this.frame(room);
    } catch (error) {
      this.onError(error);
      return undefined;
    }
  }

  /**
   * Re-reads the headcount of `rooms` (those with members here) and tells this node's
   * members where it changed unannounced: the people of a node that died lapse from the
   * store when their leases run out, and no node says so.
   */
  async recount(
    rooms: readonly RoomId[],
    tellHere: (room: RoomId, frame: PresenceFrame) => void,
  ): Promise<void> {
    // One run at a time; a run that fails (the store is unreachable) ends there, reported
    // once, and the next tick tries again.
    if (this.recounting) return;
    this.recounting = true;
    try {
      const current = new Set(rooms);
      for (const room of this.told.keys()) if (!current.has(room)) this.told.delete(room);
      // Rooms this node no longer has members in (others may still): forget their pacing.
      for (const room of this.lastSent.keys()) {
        if (current.has(room) || this.scheduled.has(room)) continue;
        this.lastSent.delete(room);
        this.lastCount.delete(room);
      }
      for (const room of rooms) {
        const frame = await this.frame(room);
        if (this.told.get(room) === frame.count) continue;
        // The first look at a room only learns its count: joins were told by their snapshot.
        if (this.told.has(room)) tellHere(room, frame);
        this.told.set(room, frame.count);
      }
    } catch (error) {
      this.onError(error);
    } finally {
      this.recounting = false;
    }
  }

  /** Stops pending updates (shutdown). */
  stop(): void {
    for (const timer of this.scheduled.values()) clearTimeout(timer);
    this.scheduled.clear();
  }

  private changed(room: RoomId): void {
    if (this.scheduled.has(room)) return;
    const interval = Math.min(
      MAX_INTERVAL_MS,
      Math.max(this.intervalMs, this.lastCount.get(room) ?? 0),
    );
    const wait = Math.max(0, (this.lastSent.get(room) ?? 0) + interval - Date.now());
    this.scheduled.set(
      room,
      setTimeout(() => void this.flush(room), wait),
    );
  }

  private async flush(room: RoomId): Promise<void> {
    this.scheduled.delete(room);
    this.lastSent.set(room, Date.now());
    try {
      const frame = await this.frame(room);
      if (frame.count === 0) {
        this.lastSent.delete(room);
        this.lastCount.delete(room);
      } else {
        this.lastCount.set(room, frame.count);
      }
      this.told.set(room, frame.count);
      this.announce(room, frame);
    } catch (error) {
      this.onError(error);
    }
  }
}
