import type { ChatMessage, UpdatedFrame } from '@hubbub/protocol';
import { get, guestIn, post, RawClient, register, startServer } from '@hubbub/testing';
import { describe, expect, test } from 'vitest';

async function sent(client: RawClient, room: string, cid: string, content: string) {
  client.send({ type: 'send', room, cid, content });
  const ack = await client.next((f) => f.type === 'ack' && f.cid === cid);
  if (ack.type !== 'ack') throw new Error('no ack');
  return ack;
}

describe('editing messages', () => {
  test('the author edits: everyone gets the new version with its seq, and history and joins show it', async () => {
    await using server = await startServer();
    await using author = await guestIn(server, 'Author', 'global');
    await using reader = await guestIn(server, 'Reader', 'global');
    const first = await sent(author, 'global', 'a', 'helo');
    await sent(author, 'global', 'b', 'second');
    author.send({ type: 'edit', room: 'global', id: first.id, content: 'hello' });
    const updated = (await reader.next((f) => f.type === 'updated')) as UpdatedFrame;
    expect(updated.message).toMatchObject({
      room: 'global',
      seq: 1,
      id: first.id,
      content: 'hello',
      user: { name: 'Author' },
    });
    expect(Date.parse(updated.message.editedAt ?? '')).not.toBeNaN();
    // The author's own socket gets it too (their other tabs must update).
    expect(((await author.next((f) => f.type === 'updated')) as UpdatedFrame).message.seq).toBe(1);
    // The room's seq did not move: the next message is 3.
    expect((await sent(author, 'global', 'c', 'third')).seq).toBe(3);

    const history = await get<{ messages: ChatMessage[] }>(
      server,
      '/api/rooms/global/messages',
      (await server.guest('Late')).token,
    );
    expect(history.body.messages.map((m) => [m.seq, m.content, m.editedAt !== undefined])).toEqual([
      [1, 'hello', true],
      [2, 'second', false],
      [3, 'third', false],
    ]);
    const joiner = await RawClient.ready(server.wsUrl, (await server.guest('Joiner')).token);
    joiner.send({ type: 'join', room: 'global' });
    const joined = await joiner.next((f) => f.type === 'joined');
    expect(joined.type === 'joined' && joined.messages[0]).toMatchObject({ content: 'hello' });
    await joiner.close();
  });

  test('only the author, only within the window, never a deleted message, never while muted', async () => {
    await using server = await startServer({ env: { EDIT_WINDOW_SECONDS: '1' } });
    const [owner, member] = await Promise.all([
      register(server, 'owner'),
      register(server, 'member'),
    ]);
    await post(server, '/api/channels', { name: 'stage' }, owner.token);
    const join = async (token: string) => {
      const client = await RawClient.ready(server.wsUrl, token);
      client.send({ type: 'join', room: 'stage' });
      await client.next((f) => f.type === 'joined');
      return client;
    };
    await using host = await join(owner.token);
    await using guest = await join(member.token);
    const mine = await sent(host, 'stage', 'h1', 'owner says');
    const theirs = await sent(guest, 'stage', 'g1', 'member says');
    const refusal = (client: RawClient, id: string) =>
      client.next((f) => f.type === 'error' && f.ref === id);

    // Not yours, even as the owner.
    host.send({ type: 'edit', room: 'stage', id: theirs.id, content: 'rewritten' });
    expect(await refusal(host, theirs.id)).toMatchObject({ code: 'forbidden' });
    // No such message, and a message of another room.
    host.send({ type: 'edit', room: 'stage', id: 'nope', content: 'x' });
    expect(await refusal(host, 'nope')).toMatchObject({ code: 'not_found' });
    // Muted: no editing either.
    host.send({ type: 'mute', room: 'stage', user: member.user.id, seconds: 60 });
    await guest.next((f) => f.type === 'moderated' && f.action === 'mute');
    guest.send({ type: 'edit', room: 'stage', id: theirs.id, content: 'sneaky' });
    expect(await refusal(guest, theirs.id)).toMatchObject({ code: 'muted' });
    // Deleted: gone for good.
    host.send({ type: 'delete', room: 'stage', id: mine.id });
    await host.next((f) => f.type === 'moderated' && f.action === 'delete');
    host.send({ type: 'edit', room: 'stage', id: mine.id, content: 'undead' });
    expect(await refusal(host, mine.id)).toMatchObject({ code: 'not_found' });
    // Too late: past the one-second window.
    const late = await sent(host, 'stage', 'h2', 'quick');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    host.send({ type: 'edit', room: 'stage', id: late.id, content: 'too slow' });
    expect(await refusal(host, late.id)).toMatchObject({ code: 'edit_window_closed' });
    // Bad input: empty content is a typed error, and the socket lives on.
    host.send({ type: 'edit', room: 'stage', id: late.id, content: '   ' });
    expect(await host.next((f) => f.type === 'error')).toMatchObject({ code: 'invalid_frame' });
    host.send({ type: 'edit', room: 'elsewhere', id: late.id, content: 'x' });
    expect(await refusal(host, late.id)).toMatchObject({ code: 'not_in_room' });
  });
});
