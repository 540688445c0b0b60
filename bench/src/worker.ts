import { build, encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import { type Dialect, dialects } from './dialects.js';
import type { ClientPlan, FromWorker, Sample, ToWorker } from './ipc.js';
import { WireClient } from './wire.js';

/**
 * One load-generator process: holds its share of the clients, sends at the rate it is told,
 * and counts what arrives. Every message carries a marker `~worker.sender.n.µs~`: receivers
 * count each (worker, sender) stream's n to find losses and duplicates, and time the
 * messages their own process sent (one clock, so no cross-process skew).
 */
const ME = Number(process.env.BENCH_WORKER ?? 0);
/** A socket that just read waits this long before reading again (0: reads at once). */
const readEveryMs = Number(process.env.BENCH_READ_MS ?? 0);
const now = () => Math.round(performance.now() * 1000);
const send = (message: FromWorker) => process.send?.(message);

interface Receiver {
  /** Last n seen per stream key (worker * 65536 + sender). */
  readonly last: Map<number, number>;
}

/** One simulated person: what it joins, what it has seen, and its current connection. */
interface Peer {
  plan: ClientPlan;
  localAddress: string;
  receiver: Receiver;
  /** This peer's stream key, once it is a sender. */
  stream: number | undefined;
  client: WireClient | undefined;
  /** Connected and joined: a sender only sends while up. */
  up: boolean;
  /** Where it stands in its first room (Hubbub), to resume from after a reconnect. */
  seq: number;
  epoch: string | undefined;
}

/** Sends waiting for their ack (Hubbub): cid → when sent (µs). */
const pendingAcks = new Map<number, number>();
let acks = 0;
const ackLatency = build({
  lowestDiscernibleValue: 1,
  highestTrackableValue: 600_000_000,
  numberOfSignificantValueDigits: 3,
});
const latency = build({
  lowestDiscernibleValue: 1,
  highestTrackableValue: 600_000_000,
  numberOfSignificantValueDigits: 3,
});
let received = 0;
let tapsSent = 0;
let tapsSeen = 0;
let cheerFrames = 0;
let duplicates = 0;
let gaps = 0;
let errors = 0;
let closed = 0;
/** Distinct messages received per stream key, over every client. */
const unique = new Map<number, number>();

interface Sender {
  peer: Peer;
  room: string;
  index: number;
  n: number;
}
const senders: Sender[] = [];
const peers: Peer[] = [];
let rate = 0;
/** Reaction taps per second this worker sends, each from the next connected client in turn. */
let tapRate = 0;
let tapsOwed = 0;
let tapper = 0;
const EMOJI = ['🔥', '👏', '😂', '⚽'];
let padding = '';
let dialect: Dialect;
let tracksAcks = false;
/** Whether clients follow their first room's seq, to resume after a reconnect (storm). */
let tracksSeq = false;

const ZERO = 48;
const TILDE = 0x7e;
const DOT = 0x2e;

/** The value and end of the last number `digits` read (no tuple per call: this is hot). */
let value = 0;
let after = 0;

/** Reads an unsigned integer at `at` into `value`/`after`; false if there is none. */
function digits(data: Buffer, at: number, end: number): boolean {
  value = 0;
  let i = at;
  while (i < end) {
    const c = data[i]! - ZERO;
    if (c < 0 || c > 9) break;
    value = value * 10 + c;
    i++;
  }
  after = i;
  return i > at;
}

/** The four numbers of the marker `readMarker` last read: worker, sender, n, sent (µs). */
const marker = [0, 0, 0, 0];

/** Reads `~w.s.n.t~` at `at` into `marker` (`after` then points at its closing `~`). */
function readMarker(data: Buffer, at: number, end: number): boolean {
  let next = at + 1;
  for (let field = 0; field < 4; field++) {
    if (!digits(data, next, end) || data[after] !== (field < 3 ? DOT : TILDE)) return false;
    marker[field] = value;
    next = after + 1;
  }
  return true;
}

/** Counts every marker in a text payload: the hot path of the generator. */
function count(receiver: Receiver, data: Buffer, start: number, end: number): void {
  let at = data.indexOf(TILDE, start);
  const t = now();
  while (at >= 0 && at < end) {
    if (!readMarker(data, at, end)) {
      at = data.indexOf(TILDE, at + 1);
      continue;
    }
    // Indexed, not destructured: no iterator per marker on the hot path.
    const w = marker[0]!;
    const s = marker[1]!;
    const n = marker[2]!;
    const sentAt = marker[3]!;
    const key = w * 65536 + s;
    const last = receiver.last.get(key) ?? 0;
    received++;
    if (n <= last) {
      duplicates++;
    } else {
      if (n > last + 1) gaps += n - last - 1;
      receiver.last.set(key, n);
      unique.set(key, (unique.get(key) ?? 0) + 1);
      if (w === ME) latency.recordValue(Math.max(1, Math.min(t - sentAt, 600_000_000)));
    }
    at = data.indexOf(TILDE, after + 1);
  }
}

const SEQ = Buffer.from('"seq":');

/** The last `"seq":N` in a frame (a messages frame's newest), or -1. */
function lastSeq(data: Buffer, start: number, end: number): number {
  const at = data.lastIndexOf(SEQ, end - SEQ.length);
  if (at < start) return -1;
  return digits(data, at + SEQ.length, end) ? value : -1;
}

/**
 * Connects the peer and joins its rooms. `resume`: after a reconnect, the first room is
 * resumed from the last seq seen (Hubbub), and the messages the answer replays are counted
 * like live ones.
 */
async function open(port: number, peer: Peer, resume = false): Promise<void> {
  const { plan, receiver } = peer;
  let setup: ((text: string, data: Buffer, start: number, end: number) => void) | undefined;
  const client = await WireClient.open(
    plan.port ?? port,
    dialect.path,
    peer.localAddress,
    {
      onText(data, start, end) {
        if (setup !== undefined) {
          setup(data.toString('utf8', start, end), data, start, end);
          return;
        }
        const acked = dialect.ackedCid(data, start, end);
        if (acked >= 0) {
          const sentAt = pendingAcks.get(acked);
          if (sentAt !== undefined) {
            pendingAcks.delete(acked);
            acks++;
            ackLatency.recordValue(Math.max(1, Math.min(now() - sentAt, 600_000_000)));
          }
        } else if (dialect.isCheers(data, start)) {
          // One client per worker reads the totals (parsing 10,000 copies would load the
          // generator, not the server); the others only note that a frame came.
          if (peer === peers[0]) {
            cheerFrames++;
            tapsSeen += dialect.cheersTotal(data.toString('utf8', start, end));
          }
        } else if (dialect.isError(data, start)) {
          // A refusal answers one of this client's sends: that message is not owed.
          errors++;
          if (peer.stream !== undefined)
            refusedBy.set(peer.stream, (refusedBy.get(peer.stream) ?? 0) + 1);
        } else if (dialect.answer !== undefined && end - start === 1) {
          const reply = dialect.answer(data.toString('utf8', start, end));
          if (reply !== undefined) client.sendText(reply);
        } else {
          count(receiver, data, start, end);
          if (tracksSeq) {
            const seq = lastSeq(data, start, end);
            if (seq > peer.seq) peer.seq = seq;
          }
        }
      },
      onClose() {
        peer.up = false;
        closed++;
      },
    },
    readEveryMs,
  );
  peer.client = client;
  const wait = (check: (text: string) => boolean, what: string, counted = false) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what} within 60 s`)), 60_000);
      setup = (text, data, start, end) => {
        const reply = dialect.answer?.(text);
        if (reply !== undefined) client.sendText(reply);
        if (check(text)) {
          clearTimeout(timer);
          // Now, not after the await: the frames right behind the answer may sit in the
          // same read (Hubbub sends what was published during a resume just after it), and
          // must reach the counting path, not this one.
          setup = undefined;
          if (counted) count(receiver, data, start, end);
          resolve(text);
        }
      };
    });
  const hello = dialect.hello(plan.token);
  if (hello.length > 0) {
    const ready = wait(dialect.isReady, 'ready');
    for (const frame of hello) client.sendText(frame);
    await ready;
  }
  for (const [i, room] of plan.rooms.entries()) {
    const resumeFrom = resume && i === 0 ? dialect.resume?.(room, peer.seq, peer.epoch) : undefined;
    const joined = wait(dialect.isJoined, `joined ${room}`, resumeFrom !== undefined);
    client.sendText(resumeFrom ?? dialect.join(room));
    const answer = await joined;
    if (i === 0 && tracksSeq) {
      const head = JSON.parse(answer) as { seq: number; epoch: string };
      peer.seq = head.seq;
      peer.epoch = head.epoch;
    }
  }
  setup = undefined;
  peer.up = true;
}

/** Opens a new peer (setup: a few at a time). */
async function add(port: number, plan: ClientPlan, localAddress: string): Promise<void> {
  const peer: Peer = {
    plan,
    localAddress,
    receiver: { last: new Map() },
    stream: undefined,
    client: undefined,
    up: false,
    seq: 0,
    epoch: undefined,
  };
  await open(port, peer);
  peers.push(peer);
  if (plan.sender) {
    peer.stream = ME * 65536 + senders.length;
    senders.push({ peer, room: plan.rooms[0]!, index: senders.length, n: 0 });
  }
}

/** Sends this worker's share of the rate, spread over its senders, in 5 ms ticks. */
const TICK_MS = 5;
let owed = 0;
let sentCount = 0;
/** Turns skipped by senders that were not connected. */
let skipped = 0;
let cid = 0;
const sentBy = new Map<number, { room: string; count: number }>();
/** Sends the server refused (an error frame to the sender), per stream. */
const refusedBy = new Map<number, number>();
let tickedAt = performance.now();
setInterval(() => {
  const at = performance.now();
  const elapsed = at - tickedAt;
  tickedAt = at;
  tap(elapsed);
  if (rate === 0 || senders.length === 0) {
    owed = 0;
    return;
  }
  // Paced by the clock, not by the timer (which fires late under load); a stalled loop
  // does not turn into a burst: at most 50 ms' worth at once.
  owed = Math.min(owed + (rate * elapsed) / 1000, Math.max(1, (rate * 50) / 1000));
  while (owed >= 1) {
    owed -= 1;
    const sender = senders[sentCount % senders.length]!;
    // A sender that is reconnecting skips its turn: nothing is sent that cannot arrive.
    if (!sender.peer.up) {
      sentCount += 1;
      skipped += 1;
      continue;
    }
    sender.n += 1;
    sentCount += 1;
    const key = ME * 65536 + sender.index;
    const entry = sentBy.get(key) ?? { room: sender.room, count: 0 };
    entry.count += 1;
    sentBy.set(key, entry);
    const sentAt = now();
    cid += 1;
    if (tracksAcks) pendingAcks.set(cid, sentAt);
    sender.peer.client?.sendText(
      dialect.send(sender.room, `~${ME}.${sender.index}.${sender.n}.${sentAt}~${padding}`, cid),
    );
  }
}, TICK_MS);

/** This tick's share of the taps: one frame per tap, as a thumb tapping twice a second sends. */
function tap(elapsed: number): void {
  if (tapRate === 0 || peers.length === 0) {
    tapsOwed = 0;
    return;
  }
  tapsOwed = Math.min(tapsOwed + (tapRate * elapsed) / 1000, Math.max(1, (tapRate * 50) / 1000));
  for (let tries = 0; tapsOwed >= 1 && tries < peers.length; tries++) {
    const peer = peers[tapper++ % peers.length]!;
    if (!peer.up) continue;
    tapsOwed -= 1;
    tapsSent += 1;
    peer.client?.sendText(dialect.cheer(peer.plan.rooms[0]!, EMOJI[tapsSent % EMOJI.length]!, 1));
  }
}

function sample(): Sample {
  const encoded = encodeIntoCompressedBase64(latency);
  latency.reset();
  const acked = encodeIntoCompressedBase64(ackLatency);
  ackLatency.reset();
  return {
    received,
    duplicates,
    gaps,
    errors,
    closed,
    sent: sentCount - skipped,
    latency: encoded,
    acks,
    ackLatency: acked,
    unique: [...unique],
    taps: tapsSent,
    tapsSeen,
    cheerFrames,
    sentBy: [...sentBy].map(([key, { room, count }]) => [
      key,
      { room, count: count - (refusedBy.get(key) ?? 0) },
    ]),
  };
}

process.on('message', (message: ToWorker) => {
  void (async () => {
    switch (message.kind) {
      case 'connect': {
        dialect = dialects[message.target];
        tracksAcks = message.target === 'hubbub';
        tracksSeq = message.resumable === true && dialect.resume !== undefined;
        padding = message.padding;
        let failed = 0;
        let firstError: string | undefined;
        // A few at a time: a crowd of upgrades at once is the storm scenario, not setup.
        const queue = [...message.clients.entries()];
        const lanes = Array.from({ length: message.parallel }, async () => {
          for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
            const [i, plan] = next;
            const address = message.localAddresses[i % message.localAddresses.length]!;
            await add(message.port, plan, address).catch((error: Error) => {
              failed++;
              firstError ??= error.message;
            });
          }
        });
        await Promise.all(lanes);
        send({ kind: 'connected', count: peers.length, failed, error: firstError });
        return;
      }
      case 'reconnect': {
        // Everyone at once, as after a restart: the storm.
        const started = performance.now();
        const times: number[] = [];
        let failed = 0;
        let firstError: string | undefined;
        await Promise.all(
          peers.map(async (peer, i) => {
            if (peer.up) return;
            peer.localAddress = message.localAddresses[i % message.localAddresses.length]!;
            try {
              await open(message.port, peer, true);
              times.push(performance.now() - started);
            } catch (error) {
              failed++;
              firstError ??= (error as Error).message;
            }
          }),
        );
        send({ kind: 'reconnected', times, failed, error: firstError });
        return;
      }
      case 'rate':
        rate = message.perSecond;
        tapRate = message.tapsPerSecond;
        return;
      case 'sample':
        send({ kind: 'sample', sample: sample() });
        return;
      case 'stop':
        rate = 0;
        tapRate = 0;
        for (const peer of peers) peer.client?.destroy();
        setTimeout(() => process.exit(0), 100);
        return;
    }
  })();
});
send({ kind: 'up' });
