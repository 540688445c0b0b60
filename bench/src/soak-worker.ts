import { randomBytes } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';
import { encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import { latencyHistogram } from './harness.js';
import type { FromSoakWorker, SoakCounts, SoakMix, ToSoakWorker } from './ipc.js';
import { WireClient } from './wire.js';

/**
 * The soak's load generator: one process (on the core the server does not use) holding a few
 * hundred people, each on its own socket, doing what people in a chat do at the rates it is
 * told: send, react, type, join and leave rooms, drop off and come back (resuming), and, for
 * accounts, upload a picture and send it. Frames are parsed as JSON (a few thousand a
 * second: the soak is about time, not throughput).
 *
 * Every delivery is checked by (person, room, seq): a room's seqs are gapless, so a seq
 * skipped while the person was in the room is a loss unless it still comes, and a seq seen
 * twice is a duplicate. Resumes must bring what a person missed while away. Once the mix
 * stops, each person must have reached the newest seq of each room it is in.
 *
 * Memory is bounded: the people are a fixed set, unacked sends are given up after 30 s,
 * each room keeps its last 32 message ids (for reactions), a person's missing seqs per room
 * are capped, and the histograms are reset at each sample.
 */

const now = () => Math.round(performance.now() * 1000);
const send = (message: FromSoakWorker) => process.send?.(message);

interface Message {
  room: string;
  seq: number;
  id: string;
  content: string;
}

/** The frames the soak reads; the rest (presence, cheers, pong...) are only received. */
type Incoming =
  | { type: 'ready' }
  | { type: 'joined'; room: string; seq: number; epoch: string; messages: Message[] }
  | ({ type: 'message' } & Message)
  | { type: 'batch'; room: string; messages: Message[] }
  | { type: 'ack'; cid: string; room: string; seq: number }
  | { type: 'reset'; room: string; seq: number; epoch: string }
  | { type: 'left'; room: string; reason?: string }
  | { type: 'updated'; message: Message }
  | { type: 'typing'; room: string }
  | { type: 'error'; code: string; message: string; ref?: string }
  | { type: 'presence' | 'cheers' | 'pong' | 'receipt' | 'moderated' | 'mentioned' | 'held' };

/** Where a person stands in a room it is in. */
interface Standing {
  /** The next seq owed. */
  next: number;
  /** Seqs skipped (a later one came first): lost unless they still come. */
  missing: Set<number> | undefined;
  epoch: string;
  /** A resume is under way: its answer's messages are replays. */
  resuming: boolean;
  /** A leave is under way: nothing more is sent there (it would be refused). */
  leaving: boolean;
}

interface Waiter {
  done(frame: Incoming): boolean;
  failed(frame: Incoming): boolean;
  resolve(): void;
  reject(error: Error): void;
}

interface Account {
  refreshToken: string;
  /** When the access token runs out, and how long tokens last (ms, Date.now()). */
  expiresAt: number;
  lifetime: number;
  refreshing: boolean;
}

interface Person {
  index: number;
  token: string;
  account: Account | undefined;
  localAddress: string;
  home: string;
  socket: WireClient | undefined;
  /** Bumped at each (re)connect: a closed socket's late events are ignored. */
  generation: number;
  /** Connected and in its rooms. */
  up: boolean;
  /** Reconnecting, joining, leaving or uploading: not picked for another of those. */
  busy: boolean;
  /** The socket is being closed on purpose: its close is not a drop. */
  closing: boolean;
  rooms: Map<string, Standing>;
  waiters: Waiter[];
  /** Its sends waiting for their ack: a person with some is not made to reconnect. */
  pending: number;
}

/** The largest number of missing seqs kept per person and room; past it they count at once. */
const MISSING_CAP = 1000;
const RECENT = 32;
const EMOJI = ['👍', '❤️', '😂', '🔥', '👏', '🎉'];
const PHRASES = [
  'did you see that?',
  'what a goal',
  'anyone here from Lisbon? the queue at gate 4 is enormous, go to gate 6',
  'lol',
  'that referee needs glasses',
  'second half starts in five minutes, grab a drink',
  'ok',
  'the sound is out of sync on the stream again, is it just me or everyone here?',
  'incredible',
  'here we go',
];

let port = 0;
let rooms: string[] = [];
let mix: SoakMix = {
  sends: 0,
  reactions: 0,
  typing: 0,
  joinsOrLeaves: 0,
  reconnects: 0,
  uploads: 0,
};
let running = false;
let random = mulberry32(1);
const people: Person[] = [];
/** cid → when it was sent (µs) and by whom. */
const pendingAcks = new Map<string, { at: number; person: Person }>();
let cidCounter = 0;
/** The newest seq known per room (acks, joins, deliveries): where everyone in it must get. */
const heads = new Map<string, number>();
/** The last message ids per room, for reactions, and the newest one's seq. */
const recent = new Map<string, { seq: number; ids: string[] }>();

const ackLatency = latencyHistogram();
const deliveryLatency = latencyHistogram();
const uploadLatency = latencyHistogram();
const resumeLatency = latencyHistogram();
const counts: Omit<
  SoakCounts,
  'up' | 'people' | 'missing' | 'ackLatency' | 'deliveryLatency' | 'uploadLatency' | 'resumeLatency'
> = {
  sent: 0,
  acked: 0,
  delivered: 0,
  replayed: 0,
  duplicates: 0,
  lostForGood: 0,
  reactions: 0,
  updatesSeen: 0,
  typing: 0,
  typingSeen: 0,
  joins: 0,
  leaves: 0,
  reconnects: 0,
  reconnectFailures: 0,
  drops: 0,
  resets: 0,
  uploads: 0,
  uploadFailures: 0,
  refreshes: 0,
  errors: 0,
  codes: {},
  unacked: 0,
  skipped: 0,
};

/** A small deterministic generator, so two runs with one seed make the same choices. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(list: readonly T[]): T | undefined =>
  list.length === 0 ? undefined : list[Math.floor(random() * list.length)];

function fail(code: string): void {
  counts.errors += 1;
  counts.codes[code] = (counts.codes[code] ?? 0) + 1;
}

function record(histogram: typeof ackLatency, micros: number): void {
  histogram.recordValue(Math.max(1, Math.min(Math.round(micros), 600_000_000)));
}

// ---- receiving ----

function handle(person: Person, frame: Incoming): void {
  switch (frame.type) {
    case 'message':
      deliver(person, frame, false);
      break;
    case 'batch':
      for (const message of frame.messages) deliver(person, message, false);
      break;
    case 'joined': {
      raiseHead(frame.room, frame.seq);
      const standing = person.rooms.get(frame.room);
      if (standing?.resuming === true) {
        standing.resuming = false;
        standing.epoch = frame.epoch;
        for (const message of frame.messages) deliver(person, message, true);
      } else {
        // A plain join: owed everything after the room's head now; its history is not counted.
        person.rooms.set(frame.room, {
          next: frame.seq + 1,
          missing: undefined,
          epoch: frame.epoch,
          resuming: false,
          leaving: false,
        });
        for (const message of frame.messages) remember(message);
      }
      break;
    }
    case 'reset': {
      // The resume could not be served: what the person missed is gone for this soak.
      counts.resets += 1;
      raiseHead(frame.room, frame.seq);
      const standing = person.rooms.get(frame.room);
      if (standing !== undefined) {
        counts.lostForGood +=
          (standing.missing?.size ?? 0) + Math.max(0, frame.seq - (standing.next - 1));
        person.rooms.set(frame.room, {
          next: frame.seq + 1,
          missing: undefined,
          epoch: frame.epoch,
          resuming: false,
          leaving: false,
        });
      }
      break;
    }
    case 'left': {
      const standing = person.rooms.get(frame.room);
      // What it still missed when it left stays missed.
      counts.lostForGood += standing?.missing?.size ?? 0;
      person.rooms.delete(frame.room);
      if (frame.reason === undefined || frame.reason === 'left') counts.leaves += 1;
      else fail(`left_${frame.reason}`);
      break;
    }
    case 'ack': {
      const sent = pendingAcks.get(frame.cid);
      if (sent !== undefined) {
        pendingAcks.delete(frame.cid);
        sent.person.pending -= 1;
        counts.acked += 1;
        record(ackLatency, now() - sent.at);
      }
      raiseHead(frame.room, frame.seq);
      break;
    }
    case 'updated':
      counts.updatesSeen += 1;
      break;
    case 'typing':
      counts.typingSeen += 1;
      break;
    case 'error': {
      fail(frame.code);
      const sent = frame.ref === undefined ? undefined : pendingAcks.get(frame.ref);
      if (sent !== undefined && frame.ref !== undefined) {
        pendingAcks.delete(frame.ref);
        sent.person.pending -= 1;
      }
      break;
    }
    default:
      break;
  }
  for (const waiter of person.waiters) {
    if (waiter.done(frame)) waiter.resolve();
    else if (waiter.failed(frame)) waiter.reject(new Error(JSON.stringify(frame)));
  }
}

function raiseHead(room: string, seq: number): void {
  if (seq > (heads.get(room) ?? 0)) heads.set(room, seq);
}

/** Keeps a message id for reactions (each message once, by the first person to see it). */
function remember(message: Message): void {
  const newest = recent.get(message.room);
  if (newest !== undefined && message.seq <= newest.seq) return;
  const ids = newest?.ids ?? [];
  ids.push(message.id);
  if (ids.length > RECENT) ids.shift();
  recent.set(message.room, { seq: message.seq, ids });
}

/** Counts one delivery of `message` to `person`: new, late (a gap filled), or a duplicate. */
function deliver(person: Person, message: Message, replay: boolean): void {
  const standing = person.rooms.get(message.room);
  // Not (or no longer) in the room as far as the soak knows: nothing is owed.
  if (standing === undefined) return;
  const { seq } = message;
  if (seq === standing.next) {
    standing.next += 1;
  } else if (seq > standing.next) {
    standing.missing ??= new Set();
    for (let skipped = standing.next; skipped < seq; skipped++) {
      if (standing.missing.size < MISSING_CAP) standing.missing.add(skipped);
      else counts.lostForGood += 1;
    }
    standing.next = seq + 1;
  } else if (standing.missing?.delete(seq) !== true) {
    counts.duplicates += 1;
    return;
  }
  counts.delivered += 1;
  raiseHead(message.room, seq);
  remember(message);
  if (replay) {
    counts.replayed += 1;
    return;
  }
  // Content starts with `~µs~`, when the soak's own clock sent it.
  if (message.content.charCodeAt(0) === 126) {
    const end = message.content.indexOf('~', 1);
    const sentAt = Number(message.content.slice(1, end));
    if (end > 1 && Number.isFinite(sentAt)) record(deliveryLatency, now() - sentAt);
  }
}

// ---- connecting ----

/** Waits for a frame that `done` accepts; fails on one that `failed` accepts, or after 30 s. */
function expect(
  person: Person,
  what: string,
  done: (frame: Incoming) => boolean,
  failed: (frame: Incoming) => boolean,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const waiter: Waiter = {
      done,
      failed,
      resolve: () => finish(),
      reject: (error) => finish(error),
    };
    const timer = setTimeout(() => finish(new Error(`no ${what} within 30 s`)), 30_000);
    const finish = (error?: Error) => {
      clearTimeout(timer);
      person.waiters = person.waiters.filter((w) => w !== waiter);
      if (error === undefined) resolve();
      else reject(error);
    };
    person.waiters.push(waiter);
  });
}

const answers = (room: string) => (frame: Incoming) =>
  (frame.type === 'joined' || frame.type === 'reset') && frame.room === room;
const refuses = (ref: string) => (frame: Incoming) => frame.type === 'error' && frame.ref === ref;

/**
 * Opens the person's socket, authenticates, and takes up its rooms: `toJoin` on a first
 * connect, or a resume of every room it was in (from the last seq it had) on a reconnect.
 */
async function connect(person: Person, toJoin: string[]): Promise<void> {
  person.generation += 1;
  const generation = person.generation;
  person.closing = false;
  const socket = await WireClient.open(port, '/ws', person.localAddress, {
    onText(data, start, end) {
      if (generation !== person.generation) return;
      handle(person, JSON.parse(data.toString('utf8', start, end)) as Incoming);
    },
    onClose() {
      if (generation !== person.generation) return;
      const wasUp = person.up;
      person.up = false;
      for (const waiter of person.waiters) waiter.reject(new Error('closed'));
      // Its own close (a reconnect), or a connect that failed (whoever connects retries).
      if (person.closing || !wasUp) return;
      // The server closed it (a shed, an expired token, a restart): back as a person would.
      counts.drops += 1;
      void comeBack(person, 1000);
    },
  });
  person.socket = socket;
  const ready = expect(person, 'ready', (f) => f.type === 'ready', refuses('authenticate'));
  socket.sendText(JSON.stringify({ type: 'authenticate', token: person.token }));
  await ready;
  const resuming = [...person.rooms.entries()];
  for (const [room, standing] of resuming) {
    standing.resuming = true;
    const answered = expect(person, `resumed ${room}`, answers(room), refuses(room));
    socket.sendText(
      JSON.stringify({ type: 'resume', room, since: standing.next - 1, epoch: standing.epoch }),
    );
    await answered;
  }
  for (const room of toJoin) {
    const answered = expect(person, `joined ${room}`, answers(room), refuses(room));
    socket.sendText(JSON.stringify({ type: 'join', room }));
    await answered;
  }
  person.up = true;
}

/** Reconnects a person after `delayMs`, resuming its rooms; three tries, 2 s apart. */
async function comeBack(person: Person, delayMs: number): Promise<void> {
  person.busy = true;
  try {
    await sleep(delayMs);
    for (let attempt = 1; attempt <= 3; attempt++) {
      const started = now();
      try {
        await connect(person, []);
        counts.reconnects += 1;
        record(resumeLatency, now() - started);
        return;
      } catch {
        counts.reconnectFailures += 1;
        person.closing = true;
        person.socket?.destroy();
        await sleep(2000);
      }
    }
  } finally {
    person.busy = false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- REST ----

interface Session {
  token: string;
  expiresAt: string;
  refreshToken: string;
}

async function post(path: string, body: unknown, token?: string): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
}

/** Registers an account (argon2 on the server: a few at a time) and keeps its session. */
async function register(name: string): Promise<{ token: string; account: Account }> {
  const response = await post('/api/auth/register', {
    username: name,
    password: `${randomBytes(12).toString('hex')}-Soak`,
  });
  if (response.status !== 201)
    throw new Error(`register ${name}: ${response.status} ${await response.text()}`);
  const session = (await response.json()) as Session;
  const expiresAt = Date.parse(session.expiresAt);
  return {
    token: session.token,
    account: {
      refreshToken: session.refreshToken,
      expiresAt,
      lifetime: expiresAt - Date.now(),
      refreshing: false,
    },
  };
}

/**
 * Accounts swap their refresh token for a new pair at half their access token's life, and
 * hand the new token to their open socket (`authenticate` again), as the web app does.
 */
async function refresh(person: Person, account: Account): Promise<void> {
  account.refreshing = true;
  try {
    const response = await post('/api/auth/refresh', { refreshToken: account.refreshToken });
    if (response.status !== 200) {
      fail(`refresh_${response.status}`);
      return;
    }
    const session = (await response.json()) as Session;
    person.token = session.token;
    account.refreshToken = session.refreshToken;
    account.expiresAt = Date.parse(session.expiresAt);
    counts.refreshes += 1;
    if (person.up)
      person.socket?.sendText(JSON.stringify({ type: 'authenticate', token: person.token }));
  } catch {
    fail('refresh_failed');
  } finally {
    account.refreshing = false;
  }
}

let uploadCounter = 0;

/** A 48×48 PNG, different each time (a gradient in a colour of its own), ~1 KB. */
function png(n: number): Buffer {
  const size = 48;
  const rows = Buffer.alloc(size * (1 + size * 3));
  for (let y = 0; y < size; y++) {
    const row = y * (1 + size * 3);
    rows[row] = 0;
    for (let x = 0; x < size; x++) {
      rows[row + 1 + x * 3] = (n * 37 + x * 5) & 0xff;
      rows[row + 2 + x * 3] = (n * 91 + y * 5) & 0xff;
      rows[row + 3 + x * 3] = (n * 13 + (x ^ y)) & 0xff;
    }
  }
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
    return Buffer.concat([head, data, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** An account uploads a picture and sends it to one of its rooms. */
async function upload(person: Person): Promise<void> {
  person.busy = true;
  try {
    uploadCounter += 1;
    const form = new FormData();
    form.append(
      'file',
      new Blob([new Uint8Array(png(uploadCounter))], { type: 'image/png' }),
      `photo-${uploadCounter}.png`,
    );
    const started = now();
    const response = await fetch(`http://127.0.0.1:${port}/api/media`, {
      method: 'POST',
      headers: { authorization: `Bearer ${person.token}` },
      body: form,
      signal: AbortSignal.timeout(30_000),
    });
    if (response.status !== 201) {
      counts.uploadFailures += 1;
      fail(`upload_${response.status}`);
      return;
    }
    const { attachment } = (await response.json()) as { attachment: unknown };
    record(uploadLatency, now() - started);
    counts.uploads += 1;
    const room = roomOf(person);
    if (person.up && room !== undefined) sendMessage(person, room, [attachment]);
  } catch {
    counts.uploadFailures += 1;
    fail('upload_failed');
  } finally {
    person.busy = false;
  }
}

// ---- the mix ----

function sendMessage(person: Person, room: string, attachments?: unknown[]): void {
  cidCounter += 1;
  const cid = `s${cidCounter}`;
  const at = now();
  pendingAcks.set(cid, { at, person });
  person.pending += 1;
  counts.sent += 1;
  person.socket?.sendText(
    JSON.stringify({
      type: 'send',
      room,
      cid,
      content: `~${at}~ ${pick(PHRASES)}`,
      ...(attachments === undefined ? {} : { attachments }),
    }),
  );
}

/** A random person that `fits`, in a few tries (a crowd is mostly idle: any will do). */
function somebody(fits: (person: Person) => boolean): Person | undefined {
  for (let tries = 0; tries < 20; tries++) {
    const person = pick(people);
    if (person !== undefined && fits(person)) return person;
  }
  counts.skipped += 1;
  return undefined;
}

/** A room the person is in and may act in (not being resumed or left). */
function roomOf(person: Person): string | undefined {
  return pick([...person.rooms].filter(([, s]) => !s.resuming && !s.leaving).map(([room]) => room));
}

const actions: Record<keyof SoakMix, () => void> = {
  sends() {
    const person = somebody((p) => p.up);
    const room = person === undefined ? undefined : roomOf(person);
    if (person !== undefined && room !== undefined) sendMessage(person, room);
  },
  reactions() {
    const person = somebody((p) => p.up);
    const room = person === undefined ? undefined : roomOf(person);
    const id = room === undefined ? undefined : pick(recent.get(room)?.ids ?? []);
    if (person === undefined || room === undefined || id === undefined) return;
    counts.reactions += 1;
    person.socket?.sendText(
      JSON.stringify({ type: 'react', room, id, emoji: pick(EMOJI), on: random() < 0.85 }),
    );
  },
  typing() {
    const person = somebody((p) => p.up);
    const room = person === undefined ? undefined : roomOf(person);
    if (person === undefined || room === undefined) return;
    counts.typing += 1;
    person.socket?.sendText(JSON.stringify({ type: 'typing', room }));
  },
  joinsOrLeaves() {
    const person = somebody((p) => p.up && !p.busy);
    if (person === undefined) return;
    // Everyone has a home room and at most one other: whoever has one leaves it, whoever
    // has none joins one, so about half the people are in two rooms throughout.
    const extra = [...person.rooms.keys()].find((room) => room !== person.home);
    const socket = person.socket;
    if (socket === undefined) return;
    person.busy = true;
    let change: Promise<void>;
    if (extra !== undefined) {
      const room = extra;
      const standing = person.rooms.get(room);
      if (standing !== undefined) standing.leaving = true;
      change = expect(
        person,
        `left ${room}`,
        (f) => f.type === 'left' && f.room === room,
        refuses(room),
      );
      socket.sendText(JSON.stringify({ type: 'leave', room }));
    } else {
      const room = pick(rooms.filter((r) => !person.rooms.has(r)));
      if (room === undefined) {
        person.busy = false;
        return;
      }
      change = expect(person, `joined ${room}`, answers(room), refuses(room)).then(() => {
        counts.joins += 1;
      });
      socket.sendText(JSON.stringify({ type: 'join', room }));
    }
    void change
      .catch(() => fail('join_or_leave_failed'))
      .finally(() => {
        person.busy = false;
      });
  },
  reconnects() {
    const person = somebody((p) => p.up && !p.busy && p.pending === 0);
    if (person === undefined) return;
    person.closing = true;
    person.up = false;
    person.socket?.destroy();
    void comeBack(person, 500 + random() * 2000);
  },
  uploads() {
    const person = somebody((p) => p.account !== undefined && p.up && !p.busy);
    if (person !== undefined) void upload(person);
  },
};

/** Each kind's share of the mix, paced by the clock in 50 ms ticks (a late tick catches up, within 1 s). */
const owed: Record<keyof SoakMix, number> = {
  sends: 0,
  reactions: 0,
  typing: 0,
  joinsOrLeaves: 0,
  reconnects: 0,
  uploads: 0,
};
let tickedAt = performance.now();
setInterval(() => {
  const at = performance.now();
  const elapsed = at - tickedAt;
  tickedAt = at;
  for (const kind of Object.keys(owed) as Array<keyof SoakMix>) {
    if (!running) {
      owed[kind] = 0;
      continue;
    }
    owed[kind] = Math.min(owed[kind] + (mix[kind] * elapsed) / 1000, Math.max(1, mix[kind]));
    while (owed[kind] >= 1) {
      owed[kind] -= 1;
      actions[kind]();
    }
  }
}, 50);

/** Once a second: sends unacked for 30 s are given up; tokens at half their life renewed. */
setInterval(() => {
  const stale = now() - 30_000_000;
  for (const [cid, sent] of pendingAcks) {
    if (sent.at > stale) continue;
    pendingAcks.delete(cid);
    sent.person.pending -= 1;
    counts.unacked += 1;
  }
  for (const person of people) {
    const account = person.account;
    if (account === undefined || account.refreshing) continue;
    if (account.expiresAt - Date.now() < account.lifetime / 2) void refresh(person, account);
  }
}, 1000);

function sample(): SoakCounts {
  let missing = 0;
  for (const person of people)
    for (const standing of person.rooms.values()) missing += standing.missing?.size ?? 0;
  const encode = (histogram: typeof ackLatency) => {
    const encoded = encodeIntoCompressedBase64(histogram);
    histogram.reset();
    return encoded;
  };
  return {
    ...counts,
    codes: { ...counts.codes },
    up: people.filter((p) => p.up).length,
    people: people.length,
    missing,
    ackLatency: encode(ackLatency),
    deliveryLatency: encode(deliveryLatency),
    uploadLatency: encode(uploadLatency),
    resumeLatency: encode(resumeLatency),
  };
}

async function setup(message: Extract<ToSoakWorker, { kind: 'setup' }>): Promise<void> {
  port = message.port;
  rooms = message.rooms;
  mix = message.mix;
  random = mulberry32(message.seed);
  setTimeout(() => {
    console.error('soak worker: past its lifetime, exiting');
    process.exit(1);
  }, message.lifetimeMs).unref();
  const run = randomBytes(3).toString('hex');
  const total = message.accounts + message.guests.length;
  let failed = 0;
  let firstError: string | undefined;
  const queue = Array.from({ length: total }, (_, i) => i);
  // A few at a time: registering is argon2 on the server, and setup is not the soak.
  const lanes = Array.from({ length: 8 }, async () => {
    for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
      try {
        const guest = message.guests[i - message.accounts];
        const registered = guest === undefined ? await register(`soak${run}${i}`) : undefined;
        const home = rooms[i % rooms.length]!;
        const person: Person = {
          index: i,
          token: registered?.token ?? guest ?? '',
          account: registered?.account,
          localAddress: `127.0.0.${1 + (i % 4)}`,
          home,
          socket: undefined,
          generation: 0,
          up: false,
          busy: false,
          closing: false,
          rooms: new Map(),
          waiters: [],
          pending: 0,
        };
        // Half the people are in a second room from the start, as they stay (joinsOrLeaves).
        const second = rooms[(i + 1 + Math.floor(i / 2)) % rooms.length]!;
        await connect(person, i % 2 === 0 && second !== home ? [home, second] : [home]);
        people.push(person);
      } catch (error) {
        failed += 1;
        firstError ??= (error as Error).message;
      }
    }
  });
  await Promise.all(lanes);
  send({
    kind: 'ready',
    people: people.length,
    accounts: people.filter((p) => p.account !== undefined).length,
    failed,
    error: firstError,
  });
}

/** Once the mix has stopped: waits for people still coming back, then checks every room head. */
async function finish(): Promise<void> {
  for (let waited = 0; waited < 30 && people.some((p) => p.busy); waited++) await sleep(1000);
  let behind = 0;
  let notBack = 0;
  for (const person of people) {
    if (!person.up) {
      notBack += 1;
      continue;
    }
    for (const [room, standing] of person.rooms)
      behind += Math.max(0, (heads.get(room) ?? 0) - (standing.next - 1));
  }
  send({ kind: 'finished', counts: sample(), behind, notBack });
}

process.on('message', (message: ToSoakWorker) => {
  switch (message.kind) {
    case 'setup':
      void setup(message);
      return;
    case 'mix':
      running = message.running;
      return;
    case 'sample':
      send({ kind: 'sample', counts: sample() });
      return;
    case 'finish':
      void finish();
      return;
    case 'stop':
      running = false;
      for (const person of people) {
        person.closing = true;
        person.socket?.destroy();
      }
      setTimeout(() => process.exit(0), 100);
      return;
  }
});
send({ kind: 'up' });
