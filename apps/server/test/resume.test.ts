import type { AckFrame, JoinedFrame } from '@hubbub/protocol';
import { guestIn, RawClient, startServer } from '@hubbub/testing';
import { describe, expect, test } from 'vitest';

const fast = { RATE_LIMIT_PER_SECOND: '1000', RATE_LIMIT_BURST: '1000' };

async function sendAll(client: RawClient, room: string, contents: string[]): Promise<AckFrame[]> {
  const acks: AckFrame[] = [];
  for (const content of contents) {
    const cid = `${content}-${Math.random()}`;
    client.send({ type: 'send', room, cid, content });
    acks.push((await client.next((f) => f.type === 'ack' && f.cid === cid)) as AckFrame);
  }
  return acks;
}

describe('idempotent sends', () => {
  test('a resend with the same cid gets the original ack, and no second message exists', async () => {
    await using server = await startServer();
    await using alice = await guestIn(server, 'Alice', 'global');
    await using bob = await guestIn(server, 'Bob', 'global');
    alice.send({ type: 'send', room: 'global', cid: 'once', content: 'hello' });
    const first = (await alice.next((f) => f.type === 'ack')) as AckFrame;
    alice.send({ type: 'send', room: 'global', cid: 'once', content: 'hello' });
    const second = (await alice.next((f) => f.type === 'ack')) as AckFrame;
    expect(second).toEqual(first);
    // Back to back, before the first is even durable: still one message.
    alice.send({ type: 'send', room: 'global', cid: 'twice', content: 'x' });
    alice.send({ type: 'send', room: 'global', cid: 'twice', content: 'x' });
    const [a, b] = [
      await alice.next((f) => f.type === 'ack'),
      await alice.next((f) => f.type === 'ack'),
    ];
    expect(a).toEqual(b);
    await expect.poll(() => bob.messagesIn('global').length).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(bob.messagesIn('global').map((m) => m.seq)).toEqual([1, 2]);
  });

  test('the same cid from another user is a different message', async () => {
    await using server = await startServer();
    await using alice = await guestIn(server, 'Alice', 'global');
    await using bob = await guestIn(server, 'Bob', 'global');
    alice.send({ type: 'send', room: 'global', cid: 'same', content: 'a' });
    bob.send({ type: 'send', room: 'global', cid: 'same', content: 'b' });
    const seqs = [
      ((await alice.next((f) => f.type === 'ack')) as AckFrame).seq,
      ((await bob.next((f) => f.type === 'ack')) as AckFrame).seq,
    ];
    expect(seqs.sort()).toEqual([1, 2]);
  });

  test('a resend after a server restart still finds the original ack', async () => {
    await using server = await startServer();
    const { token } = await server.guest('Alice');
    const before = await RawClient.ready(server.wsUrl, token);
    before.send({ type: 'join', room: 'global' });
    await before.next((f) => f.type === 'joined');
    before.send({ type: 'send', room: 'global', cid: 'durable', content: 'survives' });
    const original = await before.next((f) => f.type === 'ack');
    await server.restart();
    await using after = await RawClient.ready(server.wsUrl, token);
    after.send({ type: 'join', room: 'global' });
    await after.next((f) => f.type === 'joined');
    after.send({ type: 'send', room: 'global', cid: 'durable', content: 'survives' });
    expect(await after.next((f) => f.type === 'ack')).toEqual(original);
    after.send({ type: 'send', room: 'global', cid: 'new', content: 'next' });
    expect(await after.next((f) => f.type === 'ack' && f.cid === 'new')).toMatchObject({ seq: 2 });
  });
});

describe('resume', () => {
  test('after a restart, a join and a resume carry every message as it now is: reactions, edits, deletions', async () => {
    await using server = await startServer({ env: fast });
    const alice = await guestIn(server, 'Alice', 'global');
    const [reacted, edited, deleted] = await sendAll(alice, 'global', ['one', 'two', 'three']);
    alice.send({ type: 'react', room: 'global', id: reacted!.id, emoji: '👍', on: true });
    alice.send({ type: 'edit', room: 'global', id: edited!.id, content: 'two, edited' });
    alice.send({ type: 'delete', room: 'global', id: deleted!.id });
    await alice.next((f) => f.type === 'moderated' && f.action === 'delete');
    await expect.poll(() => alice.received.filter((f) => f.type === 'updated').length).toBe(2);
    const joined = alice.received.find((f) => f.type === 'joined') as JoinedFrame;
    alice.socket.terminate();
    await server.restart();

    const expected = [
      { seq: 1, content: 'one', reactions: [{ emoji: '👍', count: 1 }] },
      { seq: 2, content: 'two, edited', editedAt: expect.any(String) },
      { seq: 3, content: '', deleted: true },
    ];
    // A newcomer's join, answered from the room's log as the restart loaded it.
    await using bob = await guestIn(server, 'Bob', 'global');
    const answer = bob.received.find((f) => f.type === 'joined') as JoinedFrame;
    expect(answer.messages).toMatchObject(expected);
    expect(answer.messages[1]?.reactions).toBeUndefined();
    // A returning client's resume from before the first message: the same three.
    await using back = await RawClient.ready(server.wsUrl, (await server.guest('Alice')).token);
    back.send({ type: 'resume', room: 'global', since: 0, epoch: joined.epoch });
    const resumed = (await back.next((f) => f.type === 'joined')) as JoinedFrame;
    expect(resumed.messages).toMatchObject(expected);
  });

  test('a client that resumes gets exactly the messages it missed, in order', async () => {
    await using server = await startServer({ env: fast });
    await using alice = await guestIn(server, 'Alice', 'global');
    const bob = await guestIn(server, 'Bob', 'global');
    await sendAll(alice, 'global', ['1', '2']);
    await expect.poll(() => bob.messagesIn('global').length).toBe(2);
    const joined = bob.received.find((f) => f.type === 'joined') as JoinedFrame;
    bob.socket.terminate();

    await sendAll(alice, 'global', ['3', '4', '5']);
    const { token } = await server.guest('Bob again');
    await using back = await RawClient.ready(server.wsUrl, token);
    back.send({ type: 'resume', room: 'global', since: 2, epoch: joined.epoch });
    const replay = (await back.next((f) => f.type === 'joined')) as JoinedFrame;
    expect(replay.messages.map((m) => m.content)).toEqual(['3', '4', '5']);
    expect(replay.seq).toBe(5);

    // And it is live again from there, with no duplicate of what the replay carried.
    await sendAll(alice, 'global', ['6']);
    await expect.poll(() => back.messagesIn('global').map((m) => m.seq)).toEqual([3, 4, 5, 6]);
  });

  test('resuming at the head replays nothing; a wrong epoch or too old a seq gets reset', async () => {
    await using server = await startServer({ env: { ...fast, RESUME_WINDOW: '3' } });
    await using alice = await guestIn(server, 'Alice', 'global');
    await sendAll(alice, 'global', ['1', '2', '3', '4', '5']);
    const joined = alice.received.find((f) => f.type === 'joined') as JoinedFrame;

    await using bob = await guestIn(server, 'Bob');
    bob.send({ type: 'resume', room: 'global', since: 5, epoch: joined.epoch });
    expect(await bob.next((f) => f.type === 'joined')).toMatchObject({ seq: 5, messages: [] });

    await using carol = await guestIn(server, 'Carol');
    carol.send({ type: 'resume', room: 'global', since: 1, epoch: joined.epoch });
    expect(await carol.next()).toEqual({
      type: 'reset',
      room: 'global',
      seq: 5,
      epoch: joined.epoch,
    });

    await using dave = await guestIn(server, 'Dave');
    dave.send({ type: 'resume', room: 'global', since: 4, epoch: 'another-history' });
    expect(await dave.next()).toMatchObject({ type: 'reset', seq: 5, epoch: joined.epoch });

    // A reset client is in the room from the head on.
    await sendAll(alice, 'global', ['6']);
    expect(await dave.next((f) => f.type === 'message')).toMatchObject({ seq: 6 });

    await using erin = await guestIn(server, 'Erin');
    erin.send({ type: 'resume', room: 'global', since: 99, epoch: joined.epoch });
    expect(await erin.next()).toMatchObject({ type: 'reset', seq: 6 });
  });

  test('a join racing a burst of sends sees every message exactly once', async () => {
    // Guests join rooms that exist: this one is open from the start.
    await using server = await startServer({ env: { ...fast, OPEN_ROOMS: 'hot' } });
    await using alice = await guestIn(server, 'Alice', 'hot');
    const joiners = await Promise.all(['A', 'B', 'C'].map((name) => guestIn(server, name)));
    for (let i = 1; i <= 60; i++) {
      alice.send({ type: 'send', room: 'hot', cid: `${i}`, content: `${i}` });
      if (i % 20 === 0) joiners[i / 20 - 1]!.send({ type: 'join', room: 'hot' });
    }
    await expect.poll(() => alice.messagesIn('hot').length, { timeout: 10_000 }).toBe(60);
    for (const joiner of joiners) {
      await expect.poll(() => joiner.messagesIn('hot').at(-1)?.seq, { timeout: 10_000 }).toBe(60);
      const seqs = joiner.messagesIn('hot').map((m) => m.seq);
      const first = seqs[0]!;
      expect(seqs).toEqual(Array.from({ length: 61 - first }, (_, i) => first + i));
      joiner.socket.terminate();
    }
  });
});

describe('history over REST', () => {
  test('pages by seq with before, after and limit, oldest first', async () => {
    await using server = await startServer({ env: fast });
    await using alice = await guestIn(server, 'Alice', 'global');
    const contents = Array.from({ length: 12 }, (_, i) => `m${i + 1}`);
    await sendAll(alice, 'global', contents);
    const { token } = await server.guest('Reader');
    const get = async (query: string) => {
      const response = await fetch(`${server.httpUrl}/api/rooms/global/messages${query}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.status).toBe(200);
      return (await response.json()) as { messages: Array<{ seq: number }>; hasMore: boolean };
    };
    const latest = await get('?limit=5');
    expect(latest.messages.map((m) => m.seq)).toEqual([8, 9, 10, 11, 12]);
    expect(latest.hasMore).toBe(true);
    const older = await get('?before=8&limit=5');
    expect(older.messages.map((m) => m.seq)).toEqual([3, 4, 5, 6, 7]);
    const oldest = await get('?before=3&limit=5');
    expect(oldest).toMatchObject({ hasMore: false });
    expect(oldest.messages.map((m) => m.seq)).toEqual([1, 2]);
    const forward = await get('?after=10&limit=5');
    expect(forward).toMatchObject({ hasMore: false });
    expect(forward.messages.map((m) => m.seq)).toEqual([11, 12]);
    const defaults = await get('');
    expect(defaults.messages).toHaveLength(12);

    const ready = alice.received.find((f) => f.type === 'ready');
    if (ready?.type !== 'ready') throw new Error('alice was never ready');
    const mine = await fetch(`${server.httpUrl}/api/users/${ready.user.id}/messages?limit=3`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const page = (await mine.json()) as { messages: Array<{ content: string }>; hasMore: boolean };
    expect(page.messages.map((m) => m.content)).toEqual(['m10', 'm11', 'm12']);
    expect(page.hasMore).toBe(true);
  });
});
