import {
  type AckFrame,
  ErrorCode,
  type HeldFrame,
  type ModeratedFrame,
  type RoomId,
  type SendFrame,
  type UserRef,
} from '@hubbub/protocol';
import { uuidv7 } from 'uuidv7';
import { Refused } from '../gateway/guard.js';

/** What the chat delay tells every node: held, asked to let go, let go. */
export type DelaySignal =
  | { kind: 'held'; frame: HeldFrame }
  | { kind: 'unhold'; room: RoomId; id: string; actor: UserRef }
  | { kind: 'unheld'; room: RoomId; id: string; actor: UserRef };

export interface DelayPorts {
  /** Publishes a message now, under the id it was held as; resolves with its ack. */
  publish(user: UserRef, frame: SendFrame, slowModeMs: number, id: string): Promise<AckFrame>;
  /** Tells every node, this one included. */
  broadcast(signal: DelaySignal): void;
  /** Sends a frame to this node's members of the room who moderate it. */
  toModerators(room: RoomId, frame: HeldFrame | ModeratedFrame): void;
}

interface Held {
  frame: HeldFrame;
  send: SendFrame;
  slowModeMs: number;
  releaseAt: number;
  done: Promise<AckFrame>;
  resolve(ack: AckFrame): void;
  reject(error: Error): void;
}

/** How long a node remembers a message it heard another node hold, past its release. */
const heardGraceMs = 10_000;
/** How long a delete waits for the node holding the message to let it go. */
const unholdWaitMs = 2_000;

/**
 * The chat delay of rooms in that mode: a non-moderator's message is held for the room's
 * delay before it is published, and meanwhile shown to the room's moderators (on every
 * node) and its author only, so a moderator can delete it before anyone else sees it.
 *
 * Held messages live on the author's node, in send order per room; the message gets its
 * seq when published, so the room's log never has a hole for a removed one. They are not
 * acknowledged until published: a node that stops drops them and the authors' clients
 * send them again (same cid) elsewhere.
 */
export class ChatDelay {
  /** This node's held messages, per room, in the order sent. */
  private readonly queues = new Map<RoomId, Held[]>();
  private readonly timers = new Map<RoomId, NodeJS.Timeout>();
  private readonly byId = new Map<string, Held>();
  /** The same, by author and cid: a resend while held waits for the same release. */
  private readonly byCid = new Map<string, Held>();
  /** Messages other nodes hold, as heard: room, author, and until when. */
  private readonly elsewhere = new Map<string, { room: RoomId; user: string; until: number }>();
  /** Deletes waiting for the node that holds their message to let it go. */
  private readonly waiting = new Map<string, () => void>();

  constructor(private readonly ports: DelayPorts) {}

  /**
   * Holds `send` for `delayMs`, telling moderators and returning the frame for its author.
   * `done` resolves with the ack once published, or rejects with `message_removed`.
   */
  hold(
    user: UserRef,
    send: SendFrame,
    delayMs: number,
    slowModeMs: number,
    now = Date.now(),
  ): { frame: HeldFrame; done: Promise<AckFrame> } {
    const key = `${user.id}\n${send.cid}`;
    const again = this.byCid.get(key);
    if (again !== undefined) return { frame: again.frame, done: again.done };
    const releaseAt = now + delayMs;
    const frame: HeldFrame = {
      type: 'held',
      room: send.room,
      id: uuidv7(),
      cid: send.cid,
      user,
      content: send.content,
      heldUntil: new Date(releaseAt).toISOString(),
    };
    let resolve!: (ack: AckFrame) => void;
    let reject!: (error: Error) => void;
    const done = new Promise<AckFrame>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const held: Held = { frame, send, slowModeMs, releaseAt, done, resolve, reject };
    this.byId.set(frame.id, held);
    this.byCid.set(key, held);
    const queue = this.queues.get(send.room) ?? [];
    queue.push(held);
    this.queues.set(send.room, queue);
    if (queue.length === 1) this.schedule(send.room, releaseAt - now);
    this.ports.broadcast({ kind: 'held', frame });
    return { frame, done };
  }

  /** The author of a message held anywhere in the cluster, if `id` is one. */
  heldBy(room: RoomId, id: string): string | undefined {
    const mine = this.byId.get(id);
    if (mine !== undefined) return mine.frame.room === room ? mine.frame.user.id : undefined;
    const heard = this.elsewhere.get(id);
    return heard?.room === room ? heard.user : undefined;
  }

  /**
   * Removes a held message before anyone but moderators saw it. False if it is not held
   * (any more): it was published, and is deleted as any other message.
   */
  async remove(room: RoomId, id: string, actor: UserRef): Promise<boolean> {
    if (this.drop(room, id, actor)) return true;
    const heard = this.elsewhere.get(id);
    // Past its release the message is published (or about to be): no use asking.
    if (heard?.room !== room || heard.until - heardGraceMs <= Date.now()) return false;
    const answered = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        resolve(false);
      }, unholdWaitMs);
      this.waiting.set(id, () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    this.ports.broadcast({ kind: 'unhold', room, id, actor });
    return answered;
  }

  /** A signal of the chat delay, from any node. */
  heard(signal: DelaySignal, now = Date.now()): void {
    switch (signal.kind) {
      case 'held': {
        const { frame } = signal;
        if (!this.byId.has(frame.id)) {
          const until = Date.parse(frame.heldUntil) + heardGraceMs;
          this.elsewhere.set(frame.id, { room: frame.room, user: frame.user.id, until });
          for (const [id, heard] of this.elsewhere) {
            if (heard.until > now) break;
            this.elsewhere.delete(id);
          }
        }
        this.ports.toModerators(frame.room, frame);
        return;
      }
      case 'unhold':
        this.drop(signal.room, signal.id, signal.actor);
        return;
      case 'unheld':
        this.elsewhere.delete(signal.id);
        this.waiting.get(signal.id)?.();
        this.waiting.delete(signal.id);
        this.ports.toModerators(signal.room, {
          type: 'moderated',
          room: signal.room,
          action: 'delete',
          actor: signal.actor,
          messageId: signal.id,
        });
        return;
    }
  }

  /** Lets go of everything held here: the authors will send again (node shutting down). */
  stop(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const held of this.byId.values())
      held.reject(new Refused(ErrorCode.unavailable, 'not sent: send it again with the same cid'));
    this.byId.clear();
    this.byCid.clear();
    this.queues.clear();
  }

  /** Drops a message held here; tells every node it went. */
  private drop(room: RoomId, id: string, actor: UserRef): boolean {
    const held = this.byId.get(id);
    if (held === undefined || held.frame.room !== room) return false;
    this.forget(held);
    const queue = this.queues.get(room) ?? [];
    const at = queue.indexOf(held);
    if (at >= 0) queue.splice(at, 1);
    if (queue.length === 0) {
      clearTimeout(this.timers.get(room));
      this.timers.delete(room);
      this.queues.delete(room);
    }
    held.reject(new Refused(ErrorCode.messageRemoved, 'a moderator removed the message'));
    this.ports.broadcast({ kind: 'unheld', room, id, actor });
    return true;
  }

  private forget(held: Held): void {
    this.byId.delete(held.frame.id);
    this.byCid.delete(`${held.frame.user.id}\n${held.frame.cid}`);
  }

  private schedule(room: RoomId, inMs: number): void {
    clearTimeout(this.timers.get(room));
    const timer = setTimeout(() => this.release(room), Math.max(0, inMs));
    timer.unref();
    this.timers.set(room, timer);
  }

  /**
   * Publishes the room's messages whose time has come, in the order sent: one held longer
   * (the delay was shortened after it) keeps those behind it waiting.
   */
  private release(room: RoomId, now = Date.now()): void {
    this.timers.delete(room);
    const queue = this.queues.get(room);
    if (queue === undefined) return;
    while (queue.length > 0 && queue[0]!.releaseAt <= now) {
      const held = queue.shift()!;
      this.forget(held);
      this.ports
        .publish(held.frame.user, held.send, held.slowModeMs, held.frame.id)
        .then(held.resolve, held.reject);
    }
    if (queue.length === 0) this.queues.delete(room);
    else this.schedule(room, queue[0]!.releaseAt - now);
  }
}
