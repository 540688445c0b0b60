import type { AckFrame, HeldFrame, ModeratedFrame, SendFrame, UserRef } from '@hubbub/protocol';
import { describe, expect, test } from 'vitest';
import { Refused } from '../gateway/guard.js';
import { LocalSignals } from '../signals/local.js';
import { ChatDelay, type DelaySignal } from './delay.js';

const ray: UserRef = { id: 'ray', name: 'Ray' };
const mia: UserRef = { id: 'mia', name: 'Mia' };
const send = (cid: string, content = cid): SendFrame => ({
  type: 'send',
  room: 'event:1',
  cid,
  content,
});

/**
 * Two nodes' chat delays over one bus of signals: what each published, and what each
 * node's moderators were shown.
 */
function twoNodes() {
  const bus = new LocalSignals();
  const node = (name: string) => {
    const published: string[] = [];
    const shown: Array<HeldFrame | ModeratedFrame> = [];
    let seq = 0;
    const delay = new ChatDelay({
      publish: async (_user, frame, _slow, id): Promise<AckFrame> => {
        published.push(frame.content);
        seq += 1;
        return { type: 'ack', cid: frame.cid, room: frame.room, id, seq };
      },
      broadcast: (signal) => bus.broadcast(signal),
      toModerators: (_room, frame) => shown.push(frame),
    });
    bus.listen((signal) => {
      if (signal.kind === 'held' || signal.kind === 'unhold' || signal.kind === 'unheld')
        delay.heard(signal as DelaySignal);
    });
    return { name, delay, published, shown };
  };
  return { a: node('a'), b: node('b') };
}

describe('the chat delay', () => {
  test('holds in send order, shows every node’s moderators at once, publishes under the held id', async () => {
    const { a, b } = twoNodes();
    const first = a.delay.hold(ray, send('one'), 150, 0);
    const second = a.delay.hold(ray, send('two'), 50, 0);
    // A resend of a held cid waits for the same release, not a second copy.
    expect(a.delay.hold(ray, send('one'), 150, 0).frame.id).toBe(first.frame.id);
    await new Promise((resolve) => setTimeout(resolve, 20));
    for (const node of [a, b])
      expect(node.shown.map((f) => f.type === 'held' && f.content)).toEqual(['one', 'two']);
    expect(a.published).toEqual([]);
    // The second's delay was shorter, but it never overtakes the first.
    const [ackOne, ackTwo] = await Promise.all([first.done, second.done]);
    expect(a.published).toEqual(['one', 'two']);
    expect(ackOne.id).toBe(first.frame.id);
    expect(ackTwo.seq).toBe(ackOne.seq + 1);
    expect(b.published).toEqual([]);
  });

  test('a moderator on another node removes a held message; its author is told, nobody else sees it', async () => {
    const { a, b } = twoNodes();
    const held = a.delay.hold(ray, send('spoiler'), 500, 0);
    const kept = a.delay.hold(ray, send('fine'), 500, 0);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(b.delay.heldBy('event:1', held.frame.id)).toBe('ray');
    expect(await b.delay.remove('event:1', held.frame.id, mia)).toBe(true);
    await expect(held.done).rejects.toBeInstanceOf(Refused);
    await expect(held.done).rejects.toMatchObject({ code: 'message_removed' });
    await kept.done;
    expect(a.published).toEqual(['fine']);
    for (const node of [a, b])
      expect(node.shown.at(-1)).toMatchObject({
        type: 'moderated',
        action: 'delete',
        messageId: held.frame.id,
      });
    // Once published, it is not held: a delete takes the usual way.
    expect(await b.delay.remove('event:1', kept.frame.id, mia)).toBe(false);
    expect(a.delay.heldBy('event:1', kept.frame.id)).toBeUndefined();
  });

  test('stopping lets go of what is held: authors are told to send again', async () => {
    const { a } = twoNodes();
    const held = a.delay.hold(ray, send('late'), 10_000, 0);
    a.delay.stop();
    await expect(held.done).rejects.toMatchObject({ code: 'unavailable' });
    expect(a.published).toEqual([]);
  });
});
