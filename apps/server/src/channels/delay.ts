import {
  type AckFrame,
  ErrorCode,
  type HeldFrame,
  type ModeratedFrame,
  type RoomId,
  type SendFrame,
  systemUser,
  type UserRef,
} from '@hubbub/protocol';
import { uuidv7 } from 'uuidv7';
import type { Identity } from '../auth/authenticator.js';
import { type HeldSends, type Refusal, Refused } from '../gateway/guard.js';
import type { DelaySignal } from '../signals/port.js';

export interface DelayPorts {
  /** Publishes a message now, under the id it was held as; resolves with its ack. */
  publish(user: UserRef, frame: SendFrame, slowModeMs: number, id: string): Promise<AckFrame>;
  /**
   * Whether the author may still say it as the delay ends: they may have been muted or
   * banned, the room switched to emote-only or closed, while it waited.
   */
  recheck(identity: Identity, room: RoomId, content: string): Refusal | undefined;
  /** Tells every node, this one included. */
  broadcast(signal: DelaySignal): void;
  /** Sends a frame to this node's members of the room who moderate it. */
  toModerators(room: RoomId, frame: HeldFrame | ModeratedFrame): void;
}

interface Held {
  frame: HeldFrame;
  identity: Identity;
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
/** How long a released send's ack and a removed send's verdict answer resends. */
const rememberMs = 10 * 60_000;

const keyOf = (userId: string, cid: string) => `${userId}\n${cid}`;

/** Drops entries older than `ms` from the front of a map kept in time order. */
function prune<V extends { at: number }>(map: Map<string, V>, now: number, ms: number): void {
  for (const [key, value] of map) {
    if (now - value.at < ms) break;
    map.delete(key);
  }
}

/**
 * The chat delay of rooms in that mode: a non-moderator's message is held for the room's
 * delay before it is published, and meanwhile shown to the room's moderators (on every
 * node) and its author only, so a moderator can delete it before anyone else sees it.
 *
 * Held messages live on the author's node, in send order per room; the message gets its
 * seq when published, so the room's log never has a hole for a removed one. They are not
 * acknowledged until published: a node that stops drops them and the authors' clients
 * send them again (same cid). A resend is answered as the first send was: held still,
 * acknowledged, or refused as removed (every node keeps removals, by author and cid, so a
 * resend to another node cannot slip a removed message through).
 */
export class ChatDelay implements HeldSends {
  /** This node's held messages, per room, in the order sent. */
  private readonly queues = new Map<RoomId, Held[]>();
  private readonly timers = new Map<RoomId, NodeJS.Timeout>();
  private readonly byId = new Map<string, Held>();
  /** The same, by author and cid. */
  private readonly byCid = new Map<string, Held>();
  /** Sends released here lately, by author and cid: a resend gets the same ack. */
  private readonly released = new Map<string, { at: number; done: Promise<AckFrame> }>();
  /** Sends a moderator removed, anywhere in the cluster, by author and cid. */
  private readonly removed = new Map<string, { at: number }>();
  /** Messages other nodes hold, as heard: room, author, and until when. */
  private readonly elsewhere = new Map<string, { room: RoomId; user: string; until: number }>();
  /** Deletes waiting for the node that holds their message to let it go. */
  private readonly waiting = new Map<string, () => void>();

  constructor(private readonly ports: DelayPorts) {}

  hold(
    identity: Identity,
    send: SendFrame,
    delayMs: number,
    slowModeMs: number,
    now = Date.now(),
  ): { frame?: HeldFrame; done: Promise<AckFrame> } | undefined {
    const key = keyOf(identity.user.id, send.cid);
    if (this.removed.has(key))
      return {
        done: Promise.reject(new Refused(ErrorCode.messageRemoved, 'a moderator removed it')),
      };
    const again = this.byCid.get(key);
    if (again !== undefined) return { frame: again.frame, done: again.done };
    const released = this.released.get(key);
    if (released !== undefined) return { done: released.done };
    if (delayMs <= 0) return undefined;
    const queue = this.queues.get(send.room) ?? [];
    // Never before what is ahead of it: the queue is released in order.
    const releaseAt = Math.max(now + delayMs, queue.at(-1)?.releaseAt ?? 0);
    const frame: HeldFrame = {
      type: 'held',
      room: send.room,
      id: uuidv7(),
      cid: send.cid,
      user: identity.user,
      content: send.content,
      heldUntil: new Date(releaseAt).toISOString(),
      ...(send.replyTo === undefined ? {} : { replyTo: send.replyTo }),
      ...(send.attachments === undefined ? {} : { attachments: send.attachments }),
    };
    let resolve!: (ack: AckFrame) => void;
    let reject!: (error: Error) => void;
    const done = new Promise<AckFrame>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const held: Held = { frame, identity, send, slowModeMs, releaseAt, done, resolve, reject };
    this.byId.set(frame.id, held);
    this.byCid.set(key, held);
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
    const mine = this.byId.get(id);
    if (mine !== undefined && mine.frame.room === room) {
      this.letGo(mine, actor, true);
      return true;
    }
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
      case 'unhold': {
        const held = this.byId.get(signal.id);
        if (held !== undefined && held.frame.room === signal.room)
          this.letGo(held, signal.actor, true);
        return;
      }
      case 'unheld': {
        this.elsewhere.delete(signal.id);
        this.waiting.get(signal.id)?.();
        this.waiting.delete(signal.id);
        if (signal.removed) {
          const key = keyOf(signal.user, signal.cid);
          this.removed.set(key, { at: now });
          prune(this.removed, now, rememberMs);
          // A copy of it held here (its author resent it to this node) goes the same way.
          const copy = this.byCid.get(key);
          if (copy !== undefined) this.letGo(copy, signal.actor, true);
        }
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
  }

  /** Lets go of everything held here: the authors will send again (node shutting down). */
  stop(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const held of [...this.byId.values()])
      this.letGo(held, systemUser, false, new Refused(ErrorCode.unavailable, 'send it again'));
    this.queues.clear();
  }

  /**
   * Takes a message out of the hold without publishing it, and tells every node: its
   * moderators drop it from view, and a removal (`removed`) is remembered against resends.
   */
  private letGo(held: Held, actor: UserRef, removed: boolean, error?: Error): void {
    const { room, id, cid, user } = held.frame;
    this.forget(held);
    const queue = this.queues.get(room) ?? [];
    const at = queue.indexOf(held);
    if (at >= 0) queue.splice(at, 1);
    if (queue.length === 0) {
      clearTimeout(this.timers.get(room));
      this.timers.delete(room);
      this.queues.delete(room);
    }
    held.reject(error ?? new Refused(ErrorCode.messageRemoved, 'a moderator removed the message'));
    this.ports.broadcast({ kind: 'unheld', room, id, user: user.id, cid, actor, removed });
  }

  private forget(held: Held): void {
    this.byId.delete(held.frame.id);
    this.byCid.delete(keyOf(held.frame.user.id, held.frame.cid));
  }

  private schedule(room: RoomId, inMs: number): void {
    clearTimeout(this.timers.get(room));
    const timer = setTimeout(() => this.release(room), Math.max(0, inMs));
    timer.unref();
    this.timers.set(room, timer);
  }

  /** Publishes the room's messages whose time has come, in the order sent. */
  private release(room: RoomId, now = Date.now()): void {
    this.timers.delete(room);
    const queue = this.queues.get(room);
    if (queue === undefined) return;
    while (queue.length > 0 && queue[0]!.releaseAt <= now) {
      const held = queue.shift()!;
      const refusal = this.ports.recheck(held.identity, room, held.send.content);
      if (refusal !== undefined) {
        this.letGo(held, systemUser, false, new Refused(refusal.code, refusal.message));
        continue;
      }
      this.forget(held);
      const key = keyOf(held.frame.user.id, held.frame.cid);
      this.released.set(key, { at: now, done: held.done });
      prune(this.released, now, rememberMs);
      this.ports
        .publish(held.frame.user, held.send, held.slowModeMs, held.frame.id)
        .then(held.resolve, (error: Error) => {
          // Not published: moderators drop it from view; its author sends it again.
          this.released.delete(key);
          held.reject(error);
          this.ports.broadcast({
            kind: 'unheld',
            room,
            id: held.frame.id,
            user: held.frame.user.id,
            cid: held.frame.cid,
            actor: systemUser,
            removed: false,
          });
        });
    }
    if (queue.length === 0) this.queues.delete(room);
    else this.schedule(room, queue[0]!.releaseAt - now);
  }
}
