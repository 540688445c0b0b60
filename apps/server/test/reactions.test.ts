import type { UpdatedFrame } from '@hubbub/protocol';
import { guestIn, startServer } from '@hubbub/testing';
import { describe, expect, test } from 'vitest';

describe('reactions', () => {
  test('people react and take it back; everyone gets the message with its reactions; joins see them', async () => {
    await using server = await startServer();
    await using ann = await guestIn(server, 'Ann', 'global');
    await using ben = await guestIn(server, 'Ben', 'global');
    ann.send({ type: 'send', room: 'global', cid: 'a', content: 'goal!' });
    const ack = await ann.next((f) => f.type === 'ack');
    if (ack.type !== 'ack') throw new Error('no ack');
    const updated = async () =>
      ((await ann.next((f) => f.type === 'updated')) as UpdatedFrame).message.reactions;

    ben.send({ type: 'react', room: 'global', id: ack.id, emoji: '🎉', on: true });
    expect(await updated()).toEqual([
      { emoji: '🎉', count: 1, users: [{ id: expect.any(String), name: 'Ben' }] },
    ]);
    ann.send({ type: 'react', room: 'global', id: ack.id, emoji: '🎉', on: true });
    expect(await updated()).toMatchObject([{ emoji: '🎉', count: 2 }]);
    // Skin tones and joined sequences are one emoji.
    ann.send({ type: 'react', room: 'global', id: ack.id, emoji: '👍🏽', on: true });
    expect((await updated())?.map((r) => r.emoji)).toEqual(['🎉', '👍🏽']);
    ben.send({ type: 'react', room: 'global', id: ack.id, emoji: '🎉', on: false });
    expect(await updated()).toMatchObject([
      { emoji: '🎉', count: 1, users: [{ name: 'Ann' }] },
      { emoji: '👍🏽', count: 1 },
    ]);

    await using late = await guestIn(server, 'Late');
    late.send({ type: 'join', room: 'global' });
    const joined = await late.next((f) => f.type === 'joined');
    expect(joined.type === 'joined' && joined.messages[0]?.reactions?.length).toBe(2);
  });

  test('not an emoji, no such message, or not in the room: typed refusals, and the socket lives', async () => {
    await using server = await startServer();
    await using ann = await guestIn(server, 'Ann', 'global');
    ann.send({ type: 'send', room: 'global', cid: 'a', content: 'hi' });
    const ack = await ann.next((f) => f.type === 'ack');
    if (ack.type !== 'ack') throw new Error('no ack');
    for (const emoji of ['lol', '👍👍', '', 'a👍']) {
      ann.send({ type: 'react', room: 'global', id: ack.id, emoji, on: true });
      expect(await ann.next((f) => f.type === 'error')).toMatchObject({ code: 'invalid_frame' });
    }
    ann.send({ type: 'react', room: 'global', id: 'nope', emoji: '👍', on: true });
    expect(await ann.next((f) => f.type === 'error')).toMatchObject({
      code: 'not_found',
      ref: 'nope',
    });
    ann.send({ type: 'react', room: 'elsewhere', id: ack.id, emoji: '👍', on: true });
    expect(await ann.next((f) => f.type === 'error')).toMatchObject({ code: 'not_in_room' });
    ann.send({ type: 'ping' });
    await ann.next((f) => f.type === 'pong');
  });
});
