import { Analytics, type ErrorFrame, type MeResponse } from '@hubbub/protocol';
import { get, RawClient, register, startServer, type TestServer } from '@hubbub/testing';
import pino from 'pino';
import { expect, test } from 'vitest';

async function readyIn(server: TestServer, token: string, room: string): Promise<RawClient> {
  const client = await RawClient.ready(server.wsUrl, token);
  client.send({ type: 'join', room });
  await client.next((f) => f.type === 'joined' && f.room === room);
  return client;
}

async function analytics(server: TestServer, token?: string): Promise<Analytics> {
  const { status, body } = await get<unknown>(server, '/api/analytics', token);
  expect(status).toBe(200);
  return Analytics.parse(body);
}

/** One sample's value from Prometheus text, e.g. `hubbub_connections` or `x{code="y"}`. */
async function metric(server: TestServer, sample: string): Promise<number | undefined> {
  const text = await (await fetch(`${server.httpUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? undefined : Number(line.slice(sample.length + 1));
}

test('analytics count people, messages, deliveries and latency, and only admins read them', async () => {
  await using server = await startServer({ env: { ADMINS: 'Alice' } });
  const alice = await register(server, 'alice');
  const bob = await register(server, 'bob');
  expect((await get(server, '/api/analytics')).status).toBe(401);
  const refused = await get<{ error: { code: string } }>(server, '/api/analytics', bob.token);
  expect(refused.status).toBe(403);
  expect(refused.body.error.code).toBe('forbidden');
  // A client can tell before it asks (and offer the page only to those it answers).
  const may = async (token: string) =>
    (await get<MeResponse>(server, '/api/me', token)).body.canReadAnalytics;
  expect(await may(alice.token)).toBe(true);
  expect(await may(bob.token)).toBe(false);

  // Alice in two tabs, Bob in one: three connections, two people.
  const tab1 = await readyIn(server, alice.token, 'general');
  const tab2 = await readyIn(server, alice.token, 'general');
  const reader = await readyIn(server, bob.token, 'general');
  for (let i = 1; i <= 5; i++) {
    tab1.send({ type: 'send', room: 'general', cid: `c${i}`, content: `line ${i}` });
    await tab1.next((f) => f.type === 'ack' && f.cid === `c${i}`);
  }
  await expect.poll(() => reader.messagesIn('general').length).toBe(5);
  await expect.poll(() => tab2.messagesIn('general').length).toBe(5);
  // A resend after a lost ack is answered with the original: not a sixth message.
  tab1.send({ type: 'send', room: 'general', cid: 'c3', content: 'line 3' });
  await tab1.next((f) => f.type === 'ack' && f.cid === 'c3');

  await expect
    .poll(async () => (await analytics(server, alice.token)).messages.deliveries)
    .toBe(15);
  const figures = await analytics(server, alice.token);
  expect(figures.nodes).toBe(1);
  expect(figures.connections).toEqual({ active: 3, uniqueUsers: 2, peak: 3 });
  expect(figures.messages.total).toBe(5);
  expect(figures.messages.perMinute).toHaveLength(15);
  expect(figures.messages.perMinute.reduce((sum, m) => sum + m.messages, 0)).toBe(5);
  // One latency sample per message per flush of the room, all of them under a minute.
  expect(figures.latency.count).toBe(5);
  expect(figures.latency.p50).toBeLessThanOrEqual(figures.latency.p99);
  expect(figures.latency.max).toBeLessThan(60_000);
  expect(figures.rooms[0]?.room).toBe('general');
  expect(figures.rooms[0]?.perMinute).toBeGreaterThan(0);
  expect(Date.parse(figures.startedAt)).toBeLessThanOrEqual(Date.now());

  // A tab closes: one connection fewer, the peak stays.
  await tab2.close();
  await expect
    .poll(async () => (await analytics(server, alice.token)).connections)
    .toEqual({ active: 2, uniqueUsers: 2, peak: 3 });
  await reader.close();
  await tab1.close();
});

test('/metrics speaks Prometheus: traffic, refusals, batches, commits, backlog and process figures', async () => {
  await using server = await startServer({ env: { RATE_LIMIT_PER_SECOND: '2' } });
  const { token } = await register(server, 'flood');
  const client = await readyIn(server, token, 'general');
  // 25: the burst of 10 goes through, 15 are refused (20 refusals in a row would close it).
  for (let i = 0; i < 25; i++)
    client.send({ type: 'send', room: 'general', cid: `f${i}`, content: `flood ${i}` });
  await expect
    .poll(() => client.received.filter((f) => f.type === 'ack').length)
    .toBeGreaterThan(0);
  await expect
    .poll(() => client.received.filter((f) => f.type === 'ack' || f.type === 'error').length)
    .toBe(25);
  const acked = client.received.filter((f) => f.type === 'ack').length;
  const limited = client.received.filter(
    (f) => f.type === 'error' && (f as ErrorFrame).code === 'rate_limited',
  ).length;
  expect(limited).toBeGreaterThan(0);
  await expect.poll(() => client.messagesIn('general').length).toBe(acked);

  expect(await metric(server, 'hubbub_connections')).toBe(1);
  expect(await metric(server, 'hubbub_joins_total')).toBe(1);
  expect(await metric(server, 'hubbub_messages_in_total')).toBe(acked);
  expect(await metric(server, 'hubbub_deliveries_total')).toBe(acked);
  expect(await metric(server, 'hubbub_refusals_total{code="rate_limited"}')).toBe(limited);
  expect(await metric(server, 'hubbub_frames_in_total')).toBe(27); // authenticate, join, 25 sends
  expect(await metric(server, 'hubbub_slow_consumer_sheds_total')).toBe(0);
  expect(await metric(server, 'hubbub_persister_queue_depth')).toBe(0);
  expect(await metric(server, 'hubbub_persister_rows_total')).toBeGreaterThanOrEqual(acked);
  expect(await metric(server, 'hubbub_persister_commit_seconds_count')).toBeGreaterThan(0);
  // Flushes batch what a turn brought: as many flushes as messages at most.
  const flushes = await metric(server, 'hubbub_fanout_batch_messages_count');
  expect(flushes).toBeGreaterThan(0);
  expect(flushes).toBeLessThanOrEqual(acked);
  expect(await metric(server, 'hubbub_fanout_batch_messages_sum')).toBe(acked);
  expect(await metric(server, 'hubbub_bytes_out_total')).toBeGreaterThan(0);
  expect(await metric(server, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
  expect(await metric(server, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  await client.close();
});

test('ANALYTICS_PUBLIC opens the analytics to anyone', async () => {
  await using server = await startServer({ env: { ANALYTICS_PUBLIC: 'true' } });
  expect((await analytics(server)).connections.active).toBe(0);
  const guest = await server.guest('Visitor');
  const me = await get<MeResponse>(server, '/api/me', guest.token);
  expect(me.body.canReadAnalytics).toBe(true);
});

test('every log line of a request or a connection carries its id, and no secret or message body', async () => {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino(
    { level: 'debug' },
    { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  await using server = await startServer({ logger });
  const carol = await register(server, 'carol');
  const client = await readyIn(server, carol.token, 'general');
  client.send({ type: 'send', room: 'general', cid: 'x1', content: 'a secret body 7f3a' });
  await client.next((f) => f.type === 'ack');
  client.sendRaw('{not json');
  const bad = (await client.next((f) => f.type === 'error')) as ErrorFrame;
  client.send({ type: 'send', room: 'not-joined', cid: 'x2', content: 'another secret 9b1c' });
  await client.next((f) => f.type === 'error');
  await client.close();
  await expect.poll(() => lines.some((l) => l.msg === 'request completed')).toBe(true);

  const connectionLines = lines.filter((l) => l.conn !== undefined);
  expect(connectionLines.length).toBeGreaterThanOrEqual(2);
  for (const line of lines) {
    // Request lines carry Fastify's request id; connection lines their connection's id.
    if (line.req !== undefined || line.res !== undefined) expect(line.reqId).toBeDefined();
    const text = JSON.stringify(line);
    for (const secret of [carol.token, carol.refreshToken, 'correct horse battery'])
      expect(text).not.toContain(secret);
    if ((line.level as number) >= 30) {
      expect(text).not.toContain('a secret body 7f3a');
      expect(text).not.toContain('another secret 9b1c');
    }
  }
  // What a connection did wrong is logged against it.
  expect(connectionLines.filter((l) => l.code === bad.code)).toHaveLength(1);
  expect(connectionLines.filter((l) => l.code === 'not_in_room')).toHaveLength(1);
});
