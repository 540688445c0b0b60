import { type EventsPage, type LiveEvent, type ServerFrame, systemUser } from '@hubbub/protocol';
import {
  discoveryEvent,
  get,
  guestIn,
  type RawClient,
  startFakeDiscovery,
  startServer,
} from '@hubbub/testing';
import { describe, expect, test } from 'vitest';

const minute = 60_000;
const hour = 60 * minute;

/** Event rooms over real sockets, with the catalog fed by a local Discovery API. */
describe('event rooms', () => {
  async function eventServer(
    specs: Parameters<typeof discoveryEvent>[0][],
    env: Record<string, string> = {},
  ) {
    const fake = await startFakeDiscovery(specs.map((spec) => discoveryEvent(spec)));
    const server = await startServer({
      env: { TICKETMASTER_API_KEY: fake.apiKey, TICKETMASTER_URL: fake.url, ...env },
    });
    let events: LiveEvent[] = [];
    await expect
      .poll(async () => {
        events = (await get<EventsPage>(server, '/api/events?limit=100')).body.events;
        return events.length;
      })
      .toBe(specs.length);
    const byName = (name: string) => events.find((e) => e.name === name)!;
    return {
      server,
      byName,
      async [Symbol.asyncDispose]() {
        await server.close();
        await fake.close();
      },
    };
  }

  const refusal = async (client: RawClient, room: string) => {
    client.send({ type: 'join', room });
    const frame = await client.next(
      (f) => (f.type === 'error' || f.type === 'joined') && ('room' in f ? f.room === room : true),
    );
    return frame.type === 'error' ? frame.code : 'joined';
  };

  test('guests join a room from a while before its event until after; outside they are told why', async () => {
    const now = Date.now();
    await using setup = await eventServer([
      { id: 'soon', name: 'Soon', start: now + 90 * minute },
      { id: 'later', name: 'Later', start: now + 5 * hour },
      { id: 'live', name: 'Live', start: now + 2000, end: now + 2 * hour },
    ]);
    const { server, byName } = setup;
    await using alice = await guestIn(server, 'Alice');
    expect(await refusal(alice, byName('Soon').room)).toBe('joined');
    expect(await refusal(alice, byName('Live').room)).toBe('joined');
    expect(await refusal(alice, byName('Later').room)).toBe('room_not_open');
    expect(await refusal(alice, 'event:no-such-event')).toBe('not_found');
    expect(byName('Later').roomOpensAt).toBe(
      new Date(Date.parse(byName('Later').startsAt) - 2 * hour).toISOString(),
    );
    // Guests chat in it.
    alice.send({
      type: 'send',
      room: byName('Soon').room,
      cid: 'c1',
      content: 'who else is here early?',
    });
    const ack = await alice.next((f) => f.type === 'ack' || f.type === 'error');
    expect(ack.type).toBe('ack');
  });

  test('the room is told when its event goes live and when it ends, once each', async () => {
    const now = Date.now();
    await using setup = await eventServer([
      { id: 'short', name: 'Short Set', start: now + 6000, end: now + 11_000 },
    ]);
    const room = setup.byName('Short Set').room;
    await using bob = await guestIn(setup.server, 'Bob', room);
    const said = (text: string) => (f: ServerFrame) =>
      (f.type === 'message' && f.content.includes(text)) ||
      (f.type === 'batch' && f.messages.some((m) => m.content.includes(text)));
    await bob.next(said('is live now'), 15_000);
    await bob.next(said('has ended'), 15_000);
    const system = bob.messagesIn(room);
    expect(system.map((m) => [m.user.id, m.content.split(' ')[0]])).toEqual([
      [systemUser.id, '🔴'],
      [systemUser.id, '🏁'],
    ]);
    // Another turn of the announcer says nothing again.
    await new Promise((resolve) => setTimeout(resolve, 5500));
    expect(bob.messagesIn(room)).toHaveLength(2);
  });

  test('viewer counts: live in the room and on the dashboard', async () => {
    const now = Date.now();
    await using setup = await eventServer([
      { id: 'match', name: 'Derby', start: now + hour, segment: 'Sports' },
    ]);
    const event = setup.byName('Derby');
    await using a = await guestIn(setup.server, 'Ann', event.room);
    await using b = await guestIn(setup.server, 'Ben', event.room);
    await a.next((f) => f.type === 'presence' && f.room === event.room && f.count === 2);
    const shown = async () =>
      (await get<LiveEvent>(setup.server, `/api/events/${event.id}`)).body.viewers;
    expect(await shown()).toBe(2);
    await b.close();
    await expect.poll(shown).toBe(1);
  });
});
