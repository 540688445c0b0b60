import {
  type AckFrame,
  ErrorCode,
  type HeldFrame,
  type ModeratedFrame,
  type SendFrame,
  type UserRef,
} from '@hubbub/protocol';
import { describe, expect, test } from 'vitest';
import type { Identity } from '../auth/authenticator.js';
import type { Refusal } from '../gateway/guard.js';
import { LocalSignals } from '../signals/local.js';
import { ChatDelay } from './delay.js';

const ray = { kind: 'user', user: { id: 'ray', name: 'Ray' } } as Identity;
const mia: UserRef = { id: 'mia', name: 'Mia' };
const send = (cid: string, content = cid): SendFrame => ({
  type: 'send',
  room: 'event:1',
  cid,
  content,
});

/**
 * Two nodes' chat delays over one bus of signals: what each published, and what each
 * node's moderators were shown. `refuse` plays the room's rules at release time.
 */
function twoNodes() {
  const bus = new LocalSignals();
  const refuse = { now: undefined as Refusal | undefined };
  const node = () => {
    const published: string[] = [];
    const shown: Array<HeldFrame | ModeratedFrame> = [];
    let seq = 0;
    const delay = new ChatDelay({
      publish: async (_user, frame, _slow, id): Promise<AckFrame> => {
        published.push(frame.content);
        seq += 1;
        return { type: 'ack', cid: frame.cid, room: frame.room, id, seq };
      },
      recheck: () => refuse.now,
      broadcast: (signal) => bus.broadcast(signal),
      toModerators: (_room, frame) => shown.push(frame),
    });
    bus.listen((signal) => {
      if (signal.kind === 'held' || signal.kind === 'unhold' || signal.kind === 'unheld')
        delay.heard(signal);
    });
    return { delay, published, shown };
  };
  return { a: node(), b: node(), refuse };
}

/** A hold that must have happened (a new one, or the same one again). */
function held(answer: ReturnType<ChatDelay['hold']>) {
  if (answer === undefined) throw new Error('not held');
  return answer;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('the chat delay', () => {
  test('holds in send order, shows every node’s moderators at once, publishes under the held id', async () => {
    const { a, b } = twoNodes();
    const first = held(a.delay.hold(ray, send('one'), 150, 0));
    const second = held(a.delay.hold(ray, send('two'), 50, 0));
    // Nothing held, no delay: it goes out now.
    expect(a.delay.hold(ray, send('free'), 0, 0)).toBeUndefined();
    // A resend of a held cid waits for the same release, not a second copy.
    expect(held(a.delay.hold(ray, send('one'), 150, 0)).frame?.id).toBe(first.frame?.id);
    // Queued behind the first, the second is not due before it.
    expect(Date.parse(second.frame!.heldUntil)).toBeGreaterThanOrEqual(
      Date.parse(first.frame!.heldUntil),
    );
    await settle();
    for (const node of [a, b])
      expect(node.shown.map((f) => f.type === 'held' && f.content)).toEqual(['one', 'two']);
    expect(a.published).toEqual([]);
    const [ackOne, ackTwo] = await Promise.all([first.done, second.done]);
    expect(a.published).toEqual(['one', 'two']);
    expect(ackOne.id).toBe(first.frame?.id);
    expect(ackTwo.seq).toBe(ackOne.seq + 1);
    // A resend after the release gets the same ack, and nothing is published again.
    const again = held(a.delay.hold(ray, send('one'), 150, 0));
    expect(again.frame).toBeUndefined();
    expect(await again.done).toEqual(ackOne);
    expect(a.published).toEqual(['one', 'two']);
  });

  test('a moderator on another node removes a held message; a resend anywhere is refused', async () => {
    const { a, b } = twoNodes();
    const spoiler = held(a.delay.hold(ray, send('spoiler'), 500, 0));
    const kept = held(a.delay.hold(ray, send('fine'), 500, 0));
    await settle();
    expect(b.delay.heldBy('event:1', spoiler.frame!.id)).toBe('ray');
    expect(await b.delay.remove('event:1', spoiler.frame!.id, mia)).toBe(true);
    await expect(spoiler.done).rejects.toMatchObject({ code: ErrorCode.messageRemoved });
    for (const node of [a, b]) {
      expect(node.shown.at(-1)).toMatchObject({
        type: 'moderated',
        action: 'delete',
        messageId: spoiler.frame!.id,
      });
      // Its author's client sends it again, to either node: removed it stays.
      await expect(held(node.delay.hold(ray, send('spoiler'), 500, 0)).done).rejects.toMatchObject({
        code: ErrorCode.messageRemoved,
      });
    }
    await kept.done;
    expect([...a.published, ...b.published]).toEqual(['fine']);
    // Once published, it is not held: a delete takes the usual way.
    expect(await b.delay.remove('event:1', kept.frame!.id, mia)).toBe(false);
  });

  test('a copy resent to another node goes when the first is removed', async () => {
    const { a, b } = twoNodes();
    const first = held(a.delay.hold(ray, send('x', 'nasty'), 300, 0));
    const copy = held(b.delay.hold(ray, send('x', 'nasty'), 300, 0));
    await settle();
    expect(await a.delay.remove('event:1', first.frame!.id, mia)).toBe(true);
    await expect(first.done).rejects.toMatchObject({ code: ErrorCode.messageRemoved });
    await expect(copy.done).rejects.toMatchObject({ code: ErrorCode.messageRemoved });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect([...a.published, ...b.published]).toEqual([]);
  });

  test('what the rules refuse by the time it is due (a mute, a ban) is never published', async () => {
    const { a, b, refuse } = twoNodes();
    const late = held(a.delay.hold(ray, send('rude'), 50, 0));
    refuse.now = { code: ErrorCode.muted, message: 'muted' };
    await expect(late.done).rejects.toMatchObject({ code: ErrorCode.muted });
    expect(a.published).toEqual([]);
    await settle();
    // Moderators drop it from view.
    expect(b.shown.at(-1)).toMatchObject({ action: 'delete', messageId: late.frame!.id });
  });

  test('stopping lets go of what is held: authors are told to send again, moderators to forget it', async () => {
    const { a, b } = twoNodes();
    const waiting = held(a.delay.hold(ray, send('late'), 10_000, 0));
    a.delay.stop();
    await expect(waiting.done).rejects.toMatchObject({ code: ErrorCode.unavailable });
    await settle();
    expect(b.shown.at(-1)).toMatchObject({ action: 'delete', messageId: waiting.frame!.id });
    expect(a.published).toEqual([]);
  });
});
