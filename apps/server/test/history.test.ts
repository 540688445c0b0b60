import type { AckFrame, ServerFrame } from '@hubbub/protocol';
import { guestToken, HubbubClient } from '@hubbub/sdk';
import {
  type Cluster,
  clusterEnv,
  nginxAvailable,
  RawClient,
  requireService,
  spawnCluster,
  startNginx,
  type TestNginx,
  usePostgres,
  useRedis,
} from '@hubbub/testing';
import pg from 'pg';
import { expect, test } from 'vitest';

/**
 * A Jepsen-style history check: steady publishers through nginx to three nodes while one
 * node is killed, Redis restarts (AOF) and PostgreSQL stops for a while. Afterwards every
 * acknowledged message is in PostgreSQL exactly once, and every reader saw one gapless,
 * duplicate-free sequence once its own duplicates (resends, resumes) are dropped.
 */
const postgres = usePostgres();
const redis = useRedis();
const nginx = requireService('nginx', nginxAvailable());

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A reader that does what a client must: on every disconnect it comes back through the
 * proxy and resumes from the last seq it has. It keeps the raw stream's duplicates count.
 */
class Reader {
  readonly seqs: number[] = [];
  /** The id each seq carried when first seen: a redelivery must carry the same one. */
  readonly ids = new Map<number, string>();
  /** Redeliveries whose id differed from the first delivery of that seq. */
  mismatches = 0;
  duplicates = 0;
  gaps = 0;
  resets = 0;
  private epoch: string | undefined;
  private stopped = false;
  private client: RawClient | undefined;
  readonly done: Promise<void>;

  constructor(
    private readonly proxy: TestNginx,
    private readonly token: string,
  ) {
    this.done = this.run();
  }

  private get last(): number {
    return this.seqs.at(-1) ?? 0;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let client: RawClient;
      try {
        client = await RawClient.ready(this.proxy.wsUrl, this.token);
      } catch {
        await sleep(200);
        continue;
      }
      this.client = client;
      client.socket.on('message', (data) => this.fold(JSON.parse(String(data)) as ServerFrame));
      client.send(
        this.epoch === undefined
          ? { type: 'join', room: 'global' }
          : { type: 'resume', room: 'global', since: this.last, epoch: this.epoch },
      );
      await client.closed;
    }
  }

  /** Folds one frame into the history, as it arrives. */
  private fold(frame: ServerFrame): void {
    if (frame.type === 'reset') this.resets += 1;
    if (frame.type === 'joined' || frame.type === 'reset') this.epoch = frame.epoch;
    const messages =
      frame.type === 'message'
        ? [frame]
        : frame.type === 'batch' || frame.type === 'joined'
          ? frame.messages
          : [];
    for (const { seq, id } of messages) {
      if (seq <= this.last) {
        this.duplicates += 1;
        if (this.ids.get(seq) !== id) this.mismatches += 1;
      } else {
        this.ids.set(seq, id);
        if (this.seqs.length > 0 && seq !== this.last + 1) this.gaps += 1;
        this.seqs.push(seq);
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.client?.close();
    await this.done;
  }
}

test.runIf(postgres.enabled && redis.enabled && nginx)(
  'kill -9 a node, restart Redis, stop PostgreSQL under load: nothing acknowledged is lost or doubled',
  async () => {
    const env = await clusterEnv(postgres.server(), redis.server(), {
      LOGIN_ATTEMPTS_PER_ADDRESS: '1000',
      PRESENCE_LEASE_SECONDS: '3',
    });
    const databaseUrl = env.DATABASE_URL;
    await using cluster: Cluster = await spawnCluster(3, env);
    await using proxy = await startNginx(cluster.nodes.map((node) => node.port));

    const readers: Reader[] = [];
    for (let i = 0; i < 3; i++)
      readers.push(new Reader(proxy, (await guestToken(proxy.url, `Reader${i}`)).token));
    const publishers: HubbubClient[] = [];
    for (let i = 0; i < 3; i++) {
      const client = new HubbubClient({
        url: proxy.wsUrl,
        token: (await guestToken(proxy.url, `Writer${i}`)).token,
        backoff: { initialDelayMs: 100, maxDelayMs: 1000 },
      });
      await client.join('global');
      publishers.push(client);
    }

    // Three publishers at 20 messages/s each, for as long as the faults take.
    const acks: Array<Promise<AckFrame>> = [];
    let publishing = true;
    const load = (async () => {
      for (let n = 0; publishing && n < 2000; n++) {
        for (const [i, client] of publishers.entries())
          acks.push(client.send('global', `writer ${i} message ${n}`));
        await sleep(50);
      }
    })();

    await sleep(2000);
    await cluster.nodes[2]?.crash(); // kill -9
    await sleep(2000);
    await redis.server().restart(() => sleep(1500));
    await sleep(2000);
    await postgres.server().restart(() => sleep(3000));
    await sleep(2000);
    publishing = false;
    await load;

    // The SDK resends with the same cid through every fault until it is acknowledged.
    const acked = await Promise.all(acks);
    // The killed node was serving some of them (nginx logs a WebSocket when it ends).
    const killed = `127.0.0.1:${cluster.nodes[2]?.port}`;
    expect(
      proxy.accessLog().some((line) => line.startsWith('GET /ws ') && line.includes(killed)),
    ).toBe(true);
    const ids = new Set(acked.map((ack) => ack.id));
    expect(ids.size).toBe(acked.length);

    // Persisted exactly once: the killed node's unacknowledged outbox entries are claimed
    // by another node after 30 s.
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const stored = async () =>
        (
          await db.query<{ id: string; seq: number }>(
            `select id, seq from messages where room_id = 'global' order by seq`,
          )
        ).rows;
      await expect
        .poll(async () => (await stored()).filter((row) => ids.has(row.id)).length, {
          timeout: 60_000,
          interval: 500,
        })
        .toBe(ids.size);
      const rows = await stored();
      // Only the publishers write here: every row is an acknowledged message, once.
      expect(rows.length).toBe(ids.size);
      const storedIds = rows.map((row) => row.id);
      expect(new Set(storedIds).size).toBe(storedIds.length);
      const seqs = rows.map((row) => Number(row.seq));
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));

      // Every reader ends with the whole room, gapless, once it dropped its duplicates.
      const head = seqs.at(-1) ?? 0;
      for (const reader of readers)
        await expect.poll(() => reader.seqs.at(-1), { timeout: 20_000 }).toBe(head);
      for (const reader of readers) await reader.stop();
      for (const reader of readers) {
        expect(reader.gaps).toBe(0);
        expect(reader.resets).toBe(0);
        expect(reader.seqs).toEqual(Array.from({ length: head }, (_, i) => i + 1));
        expect(reader.mismatches).toBe(0);
        expect(rows.every((row) => reader.ids.get(Number(row.seq)) === row.id)).toBe(true);
      }
      const duplicates = readers.reduce((sum, reader) => sum + reader.duplicates, 0);
      console.log(
        `history: acked ${acked.length}, persisted ${ids.size} of them (${rows.length} rows), ` +
          `lost 0, duplicates delivered before de-dup ${duplicates}`,
      );
    } finally {
      await db.end();
      for (const client of publishers) client.close();
    }
  },
  180_000,
);
