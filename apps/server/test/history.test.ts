import type { AckFrame, ChatMessage, HistoryPage, ServerFrame } from '@hubbub/protocol';
import { guestToken, HubbubClient } from '@hubbub/sdk';
import {
  type Cluster,
  clusterEnv,
  get,
  nginxAvailable,
  RawClient,
  requireService,
  spawnCluster,
  startNginx,
  type TestNginx,
  usePostgres,
  useRedis,
} from '@hubbub/testing';
import { Redis } from 'ioredis';
import pg from 'pg';
import { expect, test } from 'vitest';

/**
 * A Jepsen-style history check: steady publishers through nginx to three nodes while one
 * node is killed, Redis restarts (AOF) and PostgreSQL stops for a while. Afterwards every
 * acknowledged message is in PostgreSQL exactly once, and every reader saw one gapless,
 * duplicate-free sequence once its own duplicates (resends, resumes) are dropped. And
 * history never has a hole below the room's head: not even right after a node died holding
 * outbox entries it had not yet written to PostgreSQL.
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

/** The room's head in Redis: every seq up to it was acknowledged (or is about to be). */
async function redisHead(redis: Redis, room: string): Promise<number> {
  return Number((await redis.hget(`hubbub:{${room}}:meta`, 'seq')) ?? 0);
}

/** Which consumers of the persisters' group hold entries they read and did not acknowledge. */
async function pendingByConsumer(redis: Redis): Promise<Map<string, number>> {
  const pending = new Map<string, number>();
  for (const stream of await redis.keys('hubbub:outbox:*')) {
    const [, , , consumers] = (await redis.xpending(stream, 'persisters')) as [
      number,
      string | null,
      string | null,
      Array<[string, string]> | null,
    ];
    for (const [name, count] of consumers ?? [])
      pending.set(name, (pending.get(name) ?? 0) + Number(count));
  }
  return pending;
}

/** Every page of the room's history over REST, from the start until past `head`. */
async function readHistory(
  node: { httpUrl: string },
  token: string,
  room: string,
  head: number,
): Promise<ChatMessage[]> {
  const messages: ChatMessage[] = [];
  let after = 0;
  for (let page = 0; page < 100 && after < head; page++) {
    const { status, body } = await get<HistoryPage>(
      node,
      `/api/rooms/${room}/messages?after=${after}&limit=200`,
      token,
    );
    expect(status).toBe(200);
    messages.push(...body.messages);
    const last = body.messages.at(-1)?.seq;
    if (last === undefined) break;
    after = last;
  }
  return messages;
}

const upTo = (head: number) => Array.from({ length: head }, (_, i) => i + 1);

test.runIf(postgres.enabled && redis.enabled)(
  'kill -9 a node holding unwritten outbox entries: history has no hole at once, and PostgreSQL has it all within seconds',
  async () => {
    const env = await clusterEnv(postgres.server(), redis.server(), {
      LOGIN_ATTEMPTS_PER_ADDRESS: '1000',
      HISTORY_ON_JOIN: '200',
    });
    await using cluster: Cluster = await spawnCluster(2, env);
    const [survivor, victim] = cluster.nodes;
    if (survivor === undefined || victim === undefined) throw new Error('two nodes');
    const commands = new Redis(env.REDIS_URL ?? '');
    const db = new pg.Client({ connectionString: env.DATABASE_URL });
    await db.connect();
    const locker = new pg.Client({ connectionString: env.DATABASE_URL });
    await locker.connect();
    const writers: RawClient[] = [];
    try {
      const reader = await guestToken(survivor.httpUrl, 'Reader');
      for (const [i, node] of [survivor, victim].entries()) {
        const writer = await RawClient.ready(
          node.wsUrl,
          (await guestToken(node.httpUrl, `Writer${i}`)).token,
        );
        writer.send({ type: 'join', room: 'global' });
        await writer.next((f) => f.type === 'joined');
        writers.push(writer);
      }

      // A writer on each node, each sending bursts of 10 messages every 100 ms (bounded),
      // counting its acks.
      const acked = new Map<number, string>();
      for (const writer of writers)
        writer.socket.on('message', (data) => {
          const frame = JSON.parse(String(data)) as ServerFrame;
          if (frame.type === 'ack') acked.set(frame.seq, frame.id);
        });
      let publishing = true;
      const load = Promise.all(
        writers.map(async (writer, i) => {
          for (let n = 0; publishing && n < 400; n++) {
            if (writer.socket.readyState !== writer.socket.OPEN) return;
            writer.send({ type: 'send', room: 'global', cid: `w${i}-${n}`, content: `${i}/${n}` });
            if (n % 10 === 9) await sleep(100);
          }
        }),
      );
      await expect.poll(() => acked.size, { timeout: 20_000 }).toBeGreaterThan(60);

      // PostgreSQL takes no writes for a moment (reads go on): each node's persister holds the
      // batch it read, uncommitted. Once the victim holds some, it dies with them.
      await locker.query('begin');
      await locker.query('lock table messages in exclusive mode');
      const victims = `-${victim.child.pid}-`;
      const held = async () => {
        let total = 0;
        for (const [name, count] of await pendingByConsumer(commands))
          if (name.includes(victims)) total += count;
        return total;
      };
      await expect.poll(held, { timeout: 20_000, interval: 100 }).toBeGreaterThan(0);
      const lost = await held();
      await victim.crash(); // kill -9, mid-load
      await locker.query('rollback');

      // At once, on the survivor: every seq up to the head, in order, none missing.
      const head = await redisHead(commands, 'global');
      const history = await readHistory(survivor, reader.token, 'global', head);
      const inPostgres = Number(
        (
          await db.query<{ n: string }>(
            `select count(*) as n from messages where room_id = 'global' and seq <= $1`,
            [head],
          )
        ).rows[0]?.n ?? 0,
      );
      const seqs = history.map((m) => m.seq).filter((seq) => seq <= head);
      expect(seqs).toEqual(upTo(head));
      for (const message of history) {
        const id = acked.get(message.seq);
        if (id !== undefined) expect(message.id).toBe(id);
      }

      // A join and a resume on the survivor replay without a gap either.
      await using joiner = await RawClient.ready(survivor.wsUrl, reader.token);
      joiner.send({ type: 'join', room: 'global' });
      const joined = await joiner.next((f) => f.type === 'joined');
      if (joined.type !== 'joined') throw new Error('joined');
      const recent = joined.messages.map((m) => m.seq);
      expect(recent.length).toBe(Math.min(200, joined.seq));
      expect(recent).toEqual(recent.map((_, i) => joined.seq - recent.length + 1 + i));
      await using resumer = await RawClient.ready(survivor.wsUrl, reader.token);
      resumer.send({ type: 'resume', room: 'global', since: 0, epoch: joined.epoch });
      const resumed = await resumer.next((f) => f.type === 'joined');
      if (resumed.type !== 'joined') throw new Error('resumed');
      expect(resumed.messages.map((m) => m.seq)).toEqual(upTo(resumed.seq));

      publishing = false;
      await load;
      // Every message acknowledged before the kill is readable.
      const readable = new Map(history.map((m) => [m.seq, m.id]));
      for (const [seq, id] of acked) if (seq <= head) expect(readable.get(seq)).toBe(id);

      // The victim's entries are claimed within seconds, not after 30 s: PostgreSQL alone
      // then has every seq up to the final head.
      const final = await redisHead(commands, 'global');
      await expect
        .poll(
          async () =>
            (
              await db.query<{ seq: string }>(
                `select seq from messages where room_id = 'global' and seq <= $1 order by seq`,
                [final],
              )
            ).rows.map((row) => Number(row.seq)),
          { timeout: 20_000, interval: 250 },
        )
        .toEqual(upTo(final));
      console.log(
        `history after kill -9: the victim held ${lost} entries; head ${head}, acked ${acked.size}, ` +
          `in PostgreSQL at the first read ${inPostgres}, ` +
          `served ${seqs.length} without a hole`,
      );
    } finally {
      for (const writer of writers) await writer.close().catch(() => {});
      await locker.end().catch(() => {});
      await db.end();
      commands.disconnect();
    }
  },
  120_000,
);
