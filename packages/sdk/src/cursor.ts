import type { ChatMessage, Epoch, Seq } from '@hubbub/protocol';

/** What to do with a message that arrived for a room. */
export type Verdict = 'deliver' | 'duplicate' | 'gap';

/**
 * Where a client stands in one room's history: the last seq it delivered and the epoch that
 * seq belongs to. Seqs are gapless, so anything at or below `seq` is a duplicate and
 * anything beyond `seq + 1` means something was missed.
 */
export class RoomCursor {
  seq: Seq = 0;
  epoch: Epoch | undefined;

  /** Whether this cursor has ever been positioned by the server. */
  get positioned(): boolean {
    return this.epoch !== undefined;
  }

  judge(message: Pick<ChatMessage, 'seq'>): Verdict {
    if (message.seq <= this.seq) return 'duplicate';
    if (this.positioned && message.seq > this.seq + 1) return 'gap';
    return 'deliver';
  }

  /** Marks `message` delivered; call only after `judge` said 'deliver'. */
  advance(message: Pick<ChatMessage, 'seq'>): void {
    this.seq = message.seq;
  }

  /**
   * Adopts the server's position for a `joined` or `reset`. A different epoch is a different
   * history: what the cursor held no longer counts.
   */
  moveTo(epoch: Epoch, seq: Seq): void {
    this.epoch = epoch;
    this.seq = seq;
  }

  /** Starts over in another history (epoch changed): every seq is new again. */
  restart(epoch: Epoch): void {
    this.epoch = epoch;
    this.seq = 0;
  }
}
