import type { MyRooms, ReceiptNotice, RoomReceipts } from '@hubbub/protocol';
import {
  engines,
  get,
  post,
  RawClient,
  register,
  startServer,
  type TestServer,
  usePostgres,
} from '@hubbub/testing';
import { describe, expect, test } from 'vitest';

/** Receipts and unread counts: the same checks on SQLite and on a real PostgreSQL. */
const postgres = usePostgres();
const onEachEngine = engines(postgres);

async function device(server: TestServer, token: string, room: string): Promise<RawClient> {
  const client = await RawClient.ready(server.wsUrl, token);
  client.send({ type: 'join', room });
  await client.next((f) => f.type === 'joined');
  return client;
}

const receiptOf = (client: RawClient, check: (f: ReceiptNotice) => boolean) =>
  client.next((f) => f.type === 'receipt' && check(f)) as Promise<ReceiptNotice>;

describe.each(onEachEngine)('receipts and unread counts on $engine', ({ env }) => {
  test('two devices: the furthest pointer wins, everyone in the DM hears it, unread follows', async () => {
    await using server = await startServer({ env: await env() });
    const [alice, bob] = await Promise.all([register(server, 'alice'), register(server, 'bob')]);
    const dm = (
      await post<{ room: string }>(server, '/api/dms', { userId: bob.user.id }, alice.token)
    ).body.room;
    await using sender = await device(server, alice.token, dm);
    await using phone = await device(server, bob.token, dm);
    await using laptop = await device(server, bob.token, dm);
    for (const content of ['one', 'two', 'three']) {
      sender.send({ type: 'send', room: dm, cid: content, content });
      await sender.next((f) => f.type === 'ack' && f.cid === content);
    }
    const unread = async (token: string) =>
      (await get<MyRooms>(server, '/api/me/rooms', token)).body.rooms.find((r) => r.room === dm);
    expect(await unread(bob.token)).toEqual({
      room: dm,
      lastSeq: 3,
      delivered: 0,
      read: 0,
      unread: 3,
      mentions: 0,
    });
    // Alice's own messages are never unread to her.
    expect((await unread(alice.token))?.unread).toBe(0);

    // The phone got all three and showed two: Alice (ticks) and Bob's laptop (unread) hear it.
    phone.send({ type: 'receipt', room: dm, delivered: 3, read: 2 });
    const notice = {
      type: 'receipt',
      room: dm,
      user: { id: bob.user.id, name: 'bob' },
      delivered: 3,
      read: 2,
    };
    expect(await receiptOf(sender, (f) => f.read === 2)).toEqual(notice);
    expect(await receiptOf(laptop, (f) => f.read === 2)).toEqual(notice);
    expect((await unread(bob.token))?.unread).toBe(1);

    // A device that is behind cannot move the pointer back; read implies delivered.
    laptop.send({ type: 'receipt', room: dm, delivered: 1, read: 1 });
    laptop.send({ type: 'receipt', room: dm, read: 3 });
    expect(await receiptOf(sender, () => true)).toMatchObject({ delivered: 3, read: 3 });
    expect((await unread(bob.token))?.unread).toBe(0);

    // Nobody can read the future: pointers stop at the room's latest seq.
    phone.send({ type: 'receipt', room: dm, delivered: 1000, read: 1000 });
    sender.send({ type: 'send', room: dm, cid: 'four', content: 'four' });
    await sender.next((f) => f.type === 'ack' && f.cid === 'four');
    expect(await unread(bob.token)).toMatchObject({ lastSeq: 4, read: 3, unread: 1 });

    // After a reconnect the counts are what the server keeps, not what a device remembered.
    await phone.close();
    await laptop.close();
    await using again = await device(server, bob.token, dm);
    expect((await unread(bob.token))?.unread).toBe(1);
    const listed = await get<RoomReceipts>(server, `/api/rooms/${dm}/receipts`, alice.token);
    // Members added in the same instant (a DM's two) come in either order.
    const byName = [...listed.body.receipts].sort((a, b) => a.user.name.localeCompare(b.user.name));
    expect(byName).toEqual([
      { user: { id: alice.user.id, name: 'alice' }, delivered: 0, read: 0 },
      { user: { id: bob.user.id, name: 'bob' }, delivered: 3, read: 3 },
    ]);
    again.send({ type: 'ping' });
    await again.next((f) => f.type === 'pong');
  });

  test('open rooms keep no receipts; strangers and bad receipts are refused', async () => {
    await using server = await startServer({ env: await env() });
    const [alice, eve] = await Promise.all([register(server, 'alice'), register(server, 'eve')]);
    await using inGlobal = await device(server, alice.token, 'global');
    await using other = await device(server, eve.token, 'global');
    inGlobal.send({ type: 'send', room: 'global', cid: 'x', content: 'hello crowd' });
    await inGlobal.next((f) => f.type === 'ack');
    inGlobal.send({ type: 'receipt', room: 'global', delivered: 1, read: 1 });
    inGlobal.send({ type: 'ping' });
    expect((await inGlobal.next((f) => f.type === 'pong' || f.type === 'receipt')).type).toBe(
      'pong',
    );
    expect((await get(server, '/api/rooms/global/receipts', alice.token)).status).toBe(404);

    await post(server, '/api/channels', { name: 'vault', visibility: 'private' }, alice.token);
    expect((await get(server, '/api/rooms/vault/receipts', eve.token)).status).toBe(403);
    other.send({ type: 'receipt', room: 'vault', read: 1 });
    expect(await other.next((f) => f.type === 'error')).toMatchObject({
      code: 'not_in_room',
      ref: 'vault',
    });
    other.send({ type: 'receipt', room: 'global' });
    expect(await other.next((f) => f.type === 'error')).toMatchObject({ code: 'invalid_frame' });
    other.send({ type: 'receipt', room: 'global', read: -1 });
    expect(await other.next((f) => f.type === 'error')).toMatchObject({ code: 'invalid_frame' });
    expect(
      (await get<MyRooms>(server, '/api/me/rooms', (await server.guest('G')).token)).body,
    ).toEqual({
      rooms: [],
    });
  });
});
