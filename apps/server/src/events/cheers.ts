import { type CheerEmoji, type CheersFrame, limits, type RoomId } from '@hubbub/protocol';

/** One tick's taps of one room, by emoji. */
type Counts = Partial<Record<CheerEmoji, number>>;

function add(into: Map<RoomId, Counts>, room: RoomId, counts: Counts): void {
  const sum = into.get(room) ?? {};
  for (const [emoji, n] of Object.entries(counts) as Array<[CheerEmoji, number]>)
    sum[emoji] = (sum[emoji] ?? 0) + n;
  into.set(room, sum);
}

/**
 * Live reactions: taps are added up, never stored, and a room's members get one small
 * `cheers` frame per tick however many people tap and however many nodes they are on.
 *
 * Two stages per tick: each node sends what its own people tapped to every node (one
 * signal per room with taps), and each node adds up what it hears and tells its own
 * members once, at its next tick. A tap thus shows within two ticks; every counted tap is
 * in exactly one frame on each node with members (signals are at most once: a bus outage
 * loses that tick's taps, which nobody would miss).
 */
export class CheerTally {
  /** This node's taps since its last tick, to tell every node. */
  private readonly tapped = new Map<RoomId, Counts>();
  /** Every node's taps heard since the last tick, to tell this node's members. */
  private readonly heard = new Map<RoomId, Counts>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    /** Tells every node (this one too) a room's taps; they come back through `hear`. */
    private readonly share: (room: RoomId, counts: Counts) => void,
    /** Sends a frame to this node's members of the room. */
    private readonly tell: (room: RoomId, frame: CheersFrame) => void,
    tickMs: number = limits.cheerTickMs,
  ) {
    this.timer = setInterval(() => this.tick(), tickMs);
    this.timer.unref();
  }

  /** Someone here tapped (already checked: in the room, within their rate). */
  tap(room: RoomId, emoji: CheerEmoji, count: number): void {
    add(this.tapped, room, { [emoji]: count });
  }

  /** A node's taps of a room (this node's own included). */
  hear(room: RoomId, counts: Counts): void {
    add(this.heard, room, counts);
  }

  tick(): void {
    for (const [room, counts] of this.heard) this.tell(room, { type: 'cheers', room, counts });
    this.heard.clear();
    for (const [room, counts] of this.tapped) this.share(room, counts);
    this.tapped.clear();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
