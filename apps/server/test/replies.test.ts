import type { ChatMessage, MessageFrame } from '@hubbub/protocol';
import { get, guestIn, startServer } from '@hubbub/testing';
import { describe, expect, test } from 'vitest';

describe('replies', () => {
  test('a reply names the seq it answers, for everyone, in history and in joins; only earlier seqs count', async () => {
    await using server = await startServer();
    await using ann = await guestIn(server, 'Ann', 'global');
    await using ben = await guestIn(server, 'Ben', 'global');
    ann.send({ type: 'send', room: 'global', cid: 'q', content: 'who scored?' });
    await ann.next((f) => f.type === 'ack' && f.cid === 'q');
    ben.send({ type: 'send', room: 'global', cid: 'a', content: 'Messi', replyTo: 1 });
    const reply = (await ann.next((f) => f.type === 'message' && f.seq === 2)) as MessageFrame;
    expect(reply).toMatchObject({ content: 'Messi', replyTo: 1 });
    // A reply to a message that does not exist yet answers nothing.
    ben.send({ type: 'send', room: 'global', cid: 'b', content: 'from the future', replyTo: 99 });
    const odd = (await ann.next((f) => f.type === 'message' && f.seq === 3)) as MessageFrame;
    expect(odd.replyTo).toBeUndefined();
    ben.send({ type: 'send', room: 'global', cid: 'c', content: 'x', replyTo: 0 });
    expect(await ben.next((f) => f.type === 'error')).toMatchObject({ code: 'invalid_frame' });

    const history = await get<{ messages: ChatMessage[] }>(
      server,
      '/api/rooms/global/messages',
      (await server.guest('Late')).token,
    );
    expect(history.body.messages.map((m) => m.replyTo)).toEqual([undefined, 1, undefined]);
    await using late = await guestIn(server, 'Later');
    late.send({ type: 'join', room: 'global' });
    const joined = await late.next((f) => f.type === 'joined');
    expect(joined.type === 'joined' && joined.messages[1]?.replyTo).toBe(1);
  });
});
