import {
  type Cluster,
  clusterEnv,
  nginxAvailable,
  RawClient,
  rawGet,
  register,
  requireService,
  spawnCluster,
  startNginx,
  usePostgres,
  useRedis,
} from '@hubbub/testing';
import { afterEach, describe, expect, test } from 'vitest';

/**
 * The deployment topology with real processes: Redis, PostgreSQL, three Hubbub nodes and
 * Debian's nginx configured by the files in deploy/nginx, as docker-compose.yml runs them.
 */
const postgres = usePostgres();
const redis = useRedis();
const nginx = requireService('nginx', nginxAvailable());

describe.runIf(postgres.enabled && redis.enabled && nginx)('three nodes behind nginx', () => {
  const running: AsyncDisposable[] = [];
  afterEach(async () => {
    for (const thing of running.splice(0).reverse()) await thing[Symbol.asyncDispose]();
  });

  test('clients spread over the nodes; every message reaches every member once, in seq order', async () => {
    const cluster: Cluster = await spawnCluster(
      3,
      await clusterEnv(postgres.server(), redis.server(), { TRUST_PROXY: '127.0.0.1' }),
    );
    running.push(cluster);
    const proxy = await startNginx(
      cluster.nodes.map((node) => node.port),
      { tls: true },
    );
    running.push(proxy);
    const front = { httpUrl: proxy.url };
    // Metrics are for the scraper on the private network, not for the public via the proxy.
    expect((await fetch(`${proxy.url}/metrics`)).status).toBe(404);
    expect((await fetch(`${cluster.nodes[0]?.httpUrl}/metrics`)).status).toBe(200);

    // The nodes' security headers reach the browser through nginx as sent, each once; HSTS
    // only over nginx's TLS (X-Forwarded-Proto from the trusted proxy); a name that is not
    // the node's is refused through nginx as it is directly.
    const security = [
      'content-security-policy',
      'x-frame-options',
      'x-content-type-options',
      'referrer-policy',
    ];
    const sent = (lines: Array<[string, string]>, name: string) =>
      lines.filter(([n]) => n === name).map(([, value]) => value);
    const direct = await rawGet(`${cluster.nodes[0]?.httpUrl}/`);
    for (const name of security) expect(sent(direct.lines, name), name).toHaveLength(1);
    for (const url of [`${proxy.url}/`, `${proxy.url}/api/events?limit=1`, `${proxy.tlsUrl}/`]) {
      const { status, lines } = await rawGet(url);
      expect(status, url).toBe(200);
      for (const name of security)
        expect(sent(lines, name), `${url} ${name}`).toEqual(sent(direct.lines, name));
      expect(sent(lines, 'strict-transport-security'), url).toEqual(
        url.startsWith('https:') ? ['max-age=31536000'] : [],
      );
    }
    const metrics = await rawGet(`${proxy.url}/metrics`);
    for (const name of security) expect(sent(metrics.lines, name), name).toHaveLength(1);
    const rebound = await rawGet(`${proxy.url}/`, { host: `rebind.example:${proxy.port}` });
    expect(rebound.status).toBe(421);
    expect(JSON.parse(rebound.body)).toMatchObject({ error: { code: 'host_not_allowed' } });
    await expect(
      RawClient.connect(proxy.wsUrl, {
        Host: `rebind.example:${proxy.port}`,
        Origin: `http://rebind.example:${proxy.port}`,
      }),
    ).rejects.toThrow(/HTTP 421/);

    const people = [];
    for (let i = 0; i < 6; i++) people.push(await register(front, `person${i}`));
    const clients: RawClient[] = [];
    for (const person of people) {
      const client = await RawClient.ready(proxy.wsUrl, person.token);
      clients.push(client);
      client.send({ type: 'join', room: 'general' });
      await client.next((f) => f.type === 'joined');
    }

    // Three senders at once, thirty messages each, acks awaited together.
    const senders = clients.slice(0, 3);
    const acks = senders.flatMap((client, s) =>
      Array.from({ length: 30 }, (_, i) => {
        const cid = `${s}-${i}`;
        client.send({ type: 'send', room: 'general', cid, content: `sender ${s} line ${i}` });
        return client.next((f) => f.type === 'ack' && f.cid === cid, 20_000);
      }),
    );
    expect(
      new Set((await Promise.all(acks)).map((ack) => ack.type === 'ack' && ack.seq)).size,
    ).toBe(90);

    const expected = Array.from({ length: 90 }, (_, i) => i + 1);
    for (const client of clients) {
      await expect.poll(() => client.messagesIn('general').length, { timeout: 10_000 }).toBe(90);
      expect(client.messagesIn('general').map((m) => m.seq)).toEqual(expected);
    }
    const order = clients[0]?.messagesIn('general').map((m) => m.id);
    for (const client of clients)
      expect(client.messagesIn('general').map((m) => m.id)).toEqual(order);
    for (let s = 0; s < 3; s++) {
      const mine = clients[0]
        ?.messagesIn('general')
        .filter((m) => m.content.startsWith(`sender ${s} `))
        .map((m) => m.content);
      expect(mine).toEqual(Array.from({ length: 30 }, (_, i) => `sender ${s} line ${i}`));
    }

    // One node dies: nginx sends new connections to the others, which serve the room.
    await cluster.nodes[2]?.crash();
    for (let i = 0; i < 3; i++) {
      const late = await RawClient.ready(proxy.wsUrl, people[i]?.token ?? '');
      late.send({ type: 'resume', room: 'general', since: 85 });
      const joined = await late.next((f) => f.type === 'joined');
      expect(joined.type === 'joined' && joined.messages.map((m) => m.seq)).toEqual([
        86, 87, 88, 89, 90,
      ]);
      await late.close();
    }

    for (const client of clients) await client.close().catch(() => {});
    // Every WebSocket went through nginx, and they were spread over all three nodes.
    await expect
      .poll(() => proxy.accessLog().filter((line) => line.startsWith('GET /ws ')).length)
      .toBeGreaterThanOrEqual(9);
    const upstreams = new Set(
      proxy
        .accessLog()
        .filter((line) => line.startsWith('GET /ws ') && line.includes(' 101 '))
        .map((line) => line.split(' ').at(-1)),
    );
    expect(upstreams).toEqual(new Set(cluster.nodes.map((node) => `127.0.0.1:${node.port}`)));
  }, 120_000);
});
