import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  type ChannelList,
  type ChannelView,
  type ChatMessage,
  decodeServerFrame,
  ErrorCode,
  type HistoryPage,
  limits,
  type ServerFrame,
  type SessionResponse,
  type TokenResponse,
} from '@hubbub/protocol';
import pino from 'pino';
import { eventRoomOf, get, post, register, startServer, type TestServer } from '../server.js';
import { type Action, DEEP_OVERHEAD, type FuzzTargets, type Scenario } from './arbitraries.js';
import { Entries, type Ref, resolve, serialize, type Tree } from './json.js';
import { FuzzSocket } from './socket.js';

/**
 * A real node (in this process, the embedded engine) and the people who fuzz it: two
 * guests in `global`, an account owning a private channel, and a stranger account. Each
 * run opens fresh sockets for them, plays a generated scenario, closes them, and checks
 * every invariant; a broken one throws, which fails the property (fast-check prints the
 * seed and path that replay it).
 */

export interface FuzzWorldOptions {
  /** Extra server environment. */
  env?: Record<string, string>;
  /** Heap growth allowed over the reading after the first `heapEvery` runs (bytes). */
  heapGrowthBytes?: number;
  /** Runs between heap readings (each costs a full collection). */
  heapEvery?: number;
  /** Runs between full reads of every checked room's history (each run reads what is new). */
  fullHistoryEvery?: number;
}

export interface FuzzStats {
  runs: number;
  /** Frames (of any kind: JSON, text, bytes) the clients put on the wire. */
  framesSent: number;
  bytesSent: number;
  /** Actions skipped because their client's socket was no longer open. */
  skipped: number;
  framesReceived: number;
  acks: number;
  /** Error frames received, by code. */
  errors: Record<string, number>;
  /** Closes of the fuzzing clients' sockets by the node, by close code. */
  closes: Record<string, number>;
  /** Heap readings (MiB) and how they were taken. */
  heap: { method: 'heap after gc' | 'rss'; baselineMiB?: number; lastMiB?: number };
}

/** Counts before the first run: for one world, or for the rounds of a longer session. */
export function noFuzzStats(heap: FuzzStats['heap']['method']): FuzzStats {
  return {
    runs: 0,
    framesSent: 0,
    bytesSent: 0,
    skipped: 0,
    framesReceived: 0,
    acks: 0,
    errors: {},
    closes: {},
    heap: { method: heap },
  };
}

/** One of the people in the world. */
interface Role {
  name: string;
  token: string;
  userId: string;
  /** Rooms it joins before a run's steps (when its plan says so). */
  home: string[];
  /** Rooms it may not be in: no frame about them may reach it. */
  restricted: ReadonlySet<string>;
}

interface SeenAck {
  room: string;
  seq: number;
  id: string;
  cid: string;
  role: Role;
}

/** The checked rooms' histories: what has been read, and by whom. */
interface CheckedRoom {
  room: string;
  token: string;
  /** The highest seq read so far, gapless from 1. */
  head: number;
  /** Authors allowed in it (undefined: anyone but `barred`). */
  members?: ReadonlySet<string>;
  barred?: ReadonlySet<string>;
}

/** Server frames about a room, and the room they are about. */
function roomOf(frame: ServerFrame): string | undefined {
  if ('room' in frame && typeof frame.room === 'string') return frame.room;
  if (frame.type === 'updated' || frame.type === 'mentioned') return frame.message.room;
  return undefined;
}

/** The people a frame shows acting in its room (authors, typers, readers, moderators). */
function actorsOf(frame: ServerFrame): string[] {
  const ofMessage = (m: ChatMessage) => [
    m.user.id,
    ...(m.reactions ?? []).flatMap((r) => r.users.map((u) => u.id)),
  ];
  switch (frame.type) {
    case 'message':
      return ofMessage(frame);
    case 'batch':
    case 'joined':
      return frame.messages.flatMap(ofMessage);
    case 'updated':
    case 'mentioned':
      return ofMessage(frame.message);
    case 'typing':
    case 'receipt':
    case 'held':
      return [frame.user.id];
    case 'presence':
      return (frame.users ?? []).map((u) => u.id);
    case 'moderated':
      return [frame.actor.id];
    default:
      return [];
  }
}

const errorCodes = new Set<string>(Object.values(ErrorCode));
/** Codes that mean the node failed, not the peer: never an answer to anything a peer sends. */
const failureCodes = new Set<string>([ErrorCode.internal, ErrorCode.unavailable]);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const MiB = 1024 * 1024;

function describe(value: unknown): string {
  if (value instanceof Error) return value.stack ?? value.message;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

const clip = (text: string, max = 300) =>
  text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;

/** A `ping` of exactly `bytes` bytes. */
function paddedPing(bytes: number): string {
  const frame = '{"type":"ping","pad":""}';
  return `{"type":"ping","pad":"${'x'.repeat(Math.max(0, bytes - frame.length))}"}`;
}

/** A `send` whose `field` holds `depth` levels of nesting. */
function deepFrame(action: Extract<Action, { kind: 'deep' }>): string {
  const nest =
    action.shape === 'array'
      ? `${'['.repeat(action.depth)}${']'.repeat(action.depth)}`
      : `${'{"a":'.repeat(action.depth)}{}${'}'.repeat(action.depth)}`;
  const text = `{"type":"send","room":"global","cid":"deep","content":"deep","${action.field}":${nest}}`;
  if (action.shape === 'array' && text.length !== DEEP_OVERHEAD + action.field.length + nest.length)
    throw new Error('deep frame arithmetic');
  return text;
}

/** A full collection, where this process can have one (`--expose-gc`, or V8's flag set now). */
function collector(): (() => void) | undefined {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed !== undefined) return exposed;
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}

export class FuzzWorld {
  readonly stats: FuzzStats;
  /** Messages ids the node handed out, the newest last (for edits, reactions, deletes). */
  private readonly messageIds: string[] = [];
  private cidCounter = 0;
  private readonly problems: string[] = [];
  private readonly serverErrors: string[] = [];
  private heapBaseline: number | undefined;
  private readonly gc = collector();
  private readonly prototypeKeys = FuzzWorld.prototypeKeys();
  private readonly onRejection = (reason: unknown) => {
    if (this.problems.length < 20) this.problems.push(`unhandled rejection: ${describe(reason)}`);
  };
  private readonly onException = (error: unknown) => {
    if (this.problems.length < 20) this.problems.push(`uncaught exception: ${describe(error)}`);
  };

  private constructor(
    private readonly server: TestServer,
    private readonly roles: Role[],
    private readonly probe: Role,
    private readonly checked: CheckedRoom[],
    readonly targets: FuzzTargets,
    private readonly options: FuzzWorldOptions,
    private readonly baselineConnections: number,
    serverErrors: string[],
  ) {
    this.serverErrors = serverErrors;
    this.stats = noFuzzStats(this.gc === undefined ? 'rss' : 'heap after gc');
    process.on('unhandledRejection', this.onRejection);
    process.on('uncaughtException', this.onException);
  }

  /** Starts a node and sets up its people and rooms. */
  static async open(options: FuzzWorldOptions = {}): Promise<FuzzWorld> {
    // The node logs errors only: each one is a finding (a bug on our side, by its own word).
    const serverErrors: string[] = [];
    const logger = pino(
      { level: 'error' },
      {
        write: (line: string) => {
          if (serverErrors.length < 20) serverErrors.push(clip(line, 2000));
        },
      },
    );
    const server = await startServer({
      logger,
      env: {
        // Above the defaults so that fuzzed frames reach the handlers behind the limiter
        // (which is fuzzed too: a run's burst still trips it), and tokens outlive long runs.
        RATE_LIMIT_PER_SECOND: '20',
        RATE_LIMIT_BURST: '40',
        ACCESS_TOKEN_TTL_SECONDS: String(24 * 3600),
        ...options.env,
      },
    });
    try {
      const [owner, stranger] = await Promise.all([
        register(server, 'fuzzowner'),
        register(server, 'fuzzstranger'),
      ]);
      const [guestA, guestB, probe] = await Promise.all([
        server.guest('FuzzA'),
        server.guest('FuzzB'),
        server.guest('FuzzProbe'),
      ]);
      const created = await post<ChannelView>(
        server,
        '/api/channels',
        { name: 'fuzz-private', visibility: 'private', topic: 'members only' },
        owner.token,
      );
      if (created.status !== 201)
        throw new Error(`private channel: HTTP ${created.status} ${describe(created.body)}`);
      const privateRoom = created.body.room;
      const { body: list } = await get<ChannelList>(server, '/api/channels', owner.token);
      const channels = new Set(list.channels.map((c) => c.room));
      const eventRoom = await eventRoomOf(server, 'status=live', 3000).catch(() => undefined);
      const guest = (name: string, t: TokenResponse): Role => ({
        name,
        token: t.token,
        userId: t.user.id,
        home: ['global'],
        restricted: channels,
      });
      const account = (name: string, s: SessionResponse, home: string[], restricted: string[]) => ({
        name,
        token: s.token,
        userId: s.user.id,
        home,
        restricted: new Set(restricted),
      });
      const roles = [
        guest('guest A', guestA!),
        guest('guest B', guestB!),
        account('owner', owner!, ['global', privateRoom], []),
        account('stranger', stranger!, ['global'], [privateRoom]),
      ];
      const guestIds = new Set([guestA!.user.id, guestB!.user.id, probe!.user.id]);
      const checked: CheckedRoom[] = [
        { room: 'global', token: probe!.token, head: 0 },
        { room: privateRoom, token: owner!.token, head: 0, members: new Set([owner!.user.id]) },
        { room: 'general', token: owner!.token, head: 0, barred: guestIds },
      ];
      const rooms = ['global', privateRoom, 'general', ...(eventRoom ? [eventRoom] : [])];
      rooms.push('support', 'fuzz-opened');
      return new FuzzWorld(
        server,
        roles,
        guest('probe', probe!),
        checked,
        { rooms },
        options,
        server.node.connections,
        serverErrors,
      );
    } catch (error) {
      await server.close();
      throw error;
    }
  }

  private static prototypeKeys(): string {
    return [Object.prototype, Array.prototype, Function.prototype]
      .map((p) => Object.getOwnPropertyNames(p).sort().join(','))
      .join('|');
  }

  /** What a reference in a frame of `who` stands for, now. */
  private lookup(ref: Ref, who: number): Tree {
    const others = [...this.roles.filter((_, i) => i !== who), this.probe];
    switch (ref.name) {
      case 'token':
        return this.roles[who]?.token ?? '';
      case 'otherToken':
        return others[ref.index % others.length]!.token;
      case 'userId': {
        const people = [...this.roles, this.probe];
        return people[ref.index % people.length]!.userId;
      }
      case 'messageId':
        return this.messageIds.length === 0
          ? '0190f0f0-0000-7000-8000-000000000000'
          : this.messageIds[ref.index % this.messageIds.length]!;
      case 'seq': {
        const head = this.checked[0]!.head;
        const seqs = [0, 1, head, head + 1, Math.max(1, head - 5), head + 1000];
        return seqs[ref.index % seqs.length]!;
      }
      case 'cid':
        this.cidCounter += 1;
        return `f${this.cidCounter}`;
    }
  }

  private rememberMessage(id: string): void {
    this.messageIds.push(id);
    if (this.messageIds.length > 256) this.messageIds.splice(0, this.messageIds.length - 256);
  }

  /**
   * Plays one scenario and checks every invariant after it; throws with everything that
   * broke.
   */
  async run(scenario: Scenario): Promise<void> {
    this.stats.runs += 1;
    const violations: string[] = [];
    const opened = await Promise.allSettled(
      this.roles.map(() => FuzzSocket.open(this.server.wsUrl)),
    );
    const clients = opened.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    if (clients.length < opened.length) {
      for (const client of clients) client.terminate();
      const refused = opened.find((o) => o.status === 'rejected');
      throw new Error(
        `run ${this.stats.runs}: the node refused a connection: ${describe(refused?.status === 'rejected' ? refused.reason : undefined)}`,
      );
    }
    /** cid → content of the sends whose cid is unique to this world (to compare with history). */
    const sentContent = new Map<string, string>();
    try {
      await Promise.all(clients.map((client, i) => this.prepare(client, i, scenario, violations)));
      for (const step of scenario.steps) {
        const client = clients[step.who];
        if (client === undefined) continue;
        await this.act(client, step.who, step.action, sentContent);
        // A turn of the event loop between actions: the node interleaves them as it would.
        await new Promise((resolve) => setImmediate(resolve));
      }
      await this.quiesce(clients);
    } finally {
      for (const client of clients) client.terminate();
    }
    // The closes the node chose (1007, 1009, 4003, 4008…), not the ones the clients made.
    const closes = await Promise.all(clients.map(async (c) => ({ ...(await c.closed), c })));
    for (const { code, c } of closes)
      if (!c.closedHere) this.stats.closes[code] = (this.stats.closes[code] ?? 0) + 1;

    const acks: SeenAck[] = [];
    clients.forEach((client, i) => {
      this.inspect(client, this.roles[i]!, acks, violations);
    });
    await this.checkNode(violations, acks, sentContent);
    if (violations.length > 0)
      throw new Error(
        `run ${this.stats.runs}: ${violations.length} invariant(s) broken:\n- ${violations.slice(0, 12).join('\n- ')}`,
      );
  }

  /** Authenticates and joins as the client's plan says; a valid token must be accepted. */
  private async prepare(
    client: FuzzSocket,
    who: number,
    scenario: Scenario,
    violations: string[],
  ): Promise<void> {
    const plan = scenario.clients[who];
    const role = this.roles[who]!;
    if (plan?.authenticate !== true) return;
    client.send(JSON.stringify({ type: 'authenticate', token: role.token }));
    const ready = await client.waitFor((f) => f.type === 'ready' || f.type === 'error', 5000);
    if (ready?.type !== 'ready') {
      violations.push(`${role.name}: its valid token was answered ${describe(ready)}`);
      return;
    }
    if (!plan.joinHome) return;
    for (const room of role.home) {
      const from = client.received.length;
      client.send(JSON.stringify({ type: 'join', room }));
      const answer = await client.waitFor(
        (f) => (f.type === 'joined' && f.room === room) || (f.type === 'error' && f.ref === room),
        5000,
        from,
      );
      if (answer?.type !== 'joined')
        violations.push(`${role.name}: joining ${room} was answered ${describe(answer)}`);
    }
  }

  private async act(
    client: FuzzSocket,
    who: number,
    action: Action,
    sentContent: Map<string, string>,
  ): Promise<void> {
    let data: string | Uint8Array;
    let binary = false;
    switch (action.kind) {
      case 'pause':
        await sleep(action.ms);
        return;
      case 'drop':
        if (action.graceful) client.close();
        else client.terminate();
        return;
      case 'frame':
        data = this.frameText(action.tree, who, sentContent);
        break;
      case 'repeat':
        for (let i = 0; i < action.times; i++) {
          const text = this.frameText(action.tree, who, sentContent);
          if (!client.send(text)) break;
          this.stats.framesSent += 1;
          this.stats.bytesSent += Buffer.byteLength(text);
        }
        return;
      case 'text':
        data = action.text;
        break;
      case 'bytes':
        data = action.bytes;
        binary = action.binary;
        break;
      case 'sized':
        data = paddedPing(action.bytes);
        break;
      case 'deep':
        data = deepFrame(action);
        break;
    }
    if (!client.send(data, binary)) {
      this.stats.skipped += 1;
      return;
    }
    this.stats.framesSent += 1;
    this.stats.bytesSent += typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
  }

  /** A frame's text, its references resolved now; notes what a send with a world-unique cid says. */
  private frameText(tree: Tree, who: number, sentContent: Map<string, string>): string {
    const resolved = resolve(tree, (ref) => this.lookup(ref, who));
    if (resolved instanceof Entries && resolved.get('type') === 'send') {
      const cid = resolved.get('cid');
      const content = resolved.get('content');
      if (typeof cid === 'string' && typeof content === 'string' && /^f\d+$/.test(cid))
        if (!sentContent.has(cid)) sentContent.set(cid, content);
    }
    return serialize(resolved);
  }

  /** Waits until no client has heard anything for a moment (at most 3 s). */
  private async quiesce(clients: FuzzSocket[]): Promise<void> {
    const started = performance.now();
    const quietMs = 120;
    while (performance.now() - started < 3000) {
      const last = Math.max(...clients.map((c) => c.lastActivity));
      const quiet = performance.now() - last;
      if (quiet >= quietMs) return;
      await sleep(quietMs - quiet);
    }
  }

  /** Checks every frame a client received. */
  private inspect(client: FuzzSocket, role: Role, acks: SeenAck[], violations: string[]): void {
    if (client.binaryReceived > 0)
      violations.push(`${role.name} received ${client.binaryReceived} binary frame(s)`);
    for (const text of client.received) {
      this.stats.framesReceived += 1;
      const decoded = decodeServerFrame(text);
      if (!decoded.ok) {
        const raw = parseCode(text);
        violations.push(
          raw !== undefined && !errorCodes.has(raw)
            ? `${role.name} received an error code outside the protocol (${raw}): ${clip(text)}`
            : `${role.name} received a frame outside the protocol (${decoded.message}): ${clip(text)}`,
        );
        continue;
      }
      const frame = decoded.frame;
      if (frame.type === 'error') {
        this.stats.errors[frame.code] = (this.stats.errors[frame.code] ?? 0) + 1;
        if (failureCodes.has(frame.code))
          violations.push(`${role.name} was answered ${frame.code}: ${clip(text)}`);
        continue;
      }
      const room = roomOf(frame);
      if (room !== undefined && role.restricted.has(room))
        violations.push(`${role.name} received a ${frame.type} of ${room}: ${clip(text)}`);
      const checked = this.checked.find((c) => c.room === room);
      if (checked !== undefined) {
        const outsiders = actorsOf(frame).filter(
          (id) => checked.members?.has(id) === false || checked.barred?.has(id) === true,
        );
        if (outsiders.length > 0)
          violations.push(`${outsiders.join(', ')} may not act in ${room}: ${clip(text)}`);
      }
      if (frame.type === 'ack') {
        this.stats.acks += 1;
        acks.push({ room: frame.room, seq: frame.seq, id: frame.id, cid: frame.cid, role });
        this.rememberMessage(frame.id);
      } else if (frame.type === 'message') {
        this.rememberMessage(frame.id);
      }
    }
  }

  /** What must hold of the node after each run. */
  private async checkNode(
    violations: string[],
    acks: SeenAck[],
    sentContent: Map<string, string>,
  ): Promise<void> {
    const health = await fetch(`${this.server.httpUrl}/health`).catch((error: unknown) => error);
    if (!(health instanceof Response) || health.status !== 200)
      violations.push(
        `/health answered ${health instanceof Response ? health.status : describe(health)}`,
      );
    const probeAck = await this.probeSend(violations);
    await this.connectionsSettle(violations);
    const fetched = new Map<string, Map<number, ChatMessage>>();
    for (const room of this.checked) fetched.set(room.room, await this.readNew(room, violations));
    if (probeAck !== undefined) acks.push(probeAck);
    for (const ack of acks) {
      const message =
        fetched.get(ack.room)?.get(ack.seq) ?? (await this.messageAt(ack, violations));
      if (message === undefined) {
        violations.push(`acked ${ack.room}#${ack.seq} (${ack.role.name}) is not in its history`);
        continue;
      }
      if (message.id !== ack.id)
        violations.push(`acked ${ack.room}#${ack.seq} is ${message.id} in history, not ${ack.id}`);
      const sent = sentContent.get(ack.cid);
      if (
        sent !== undefined &&
        message.deleted !== true &&
        message.editedAt === undefined &&
        message.content !== sent
      )
        violations.push(
          `acked ${ack.room}#${ack.seq} was sent as ${JSON.stringify(sent).slice(0, 120)} and is stored as ${JSON.stringify(message.content).slice(0, 120)}`,
        );
    }
    if (this.stats.runs % (this.options.fullHistoryEvery ?? 50) === 0)
      await this.checkHistories(violations);
    if (this.problems.length > 0) violations.push(...this.problems.splice(0));
    if (this.serverErrors.length > 0)
      violations.push(...this.serverErrors.splice(0).map((line) => `the node logged: ${line}`));
    if (FuzzWorld.prototypeKeys() !== this.prototypeKeys)
      violations.push('a built-in prototype gained or lost a property');
    if (this.stats.runs % (this.options.heapEvery ?? 10) === 0) this.checkHeap(violations);
  }

  /** A fresh client authenticates, joins `global` and gets its send acknowledged. */
  private async probeSend(violations: string[]): Promise<SeenAck | undefined> {
    let probe: FuzzSocket;
    try {
      probe = await FuzzSocket.open(this.server.wsUrl);
    } catch (error) {
      violations.push(`a fresh client could not connect: ${describe(error)}`);
      return undefined;
    }
    try {
      probe.send(JSON.stringify({ type: 'authenticate', token: this.probe.token }));
      const ready = await probe.waitFor((f) => f.type === 'ready' || f.type === 'error', 5000);
      if (ready?.type !== 'ready') {
        violations.push(`a fresh client's authenticate was answered ${describe(ready)}`);
        return undefined;
      }
      probe.send(JSON.stringify({ type: 'join', room: 'global' }));
      const joined = await probe.waitFor((f) => f.type === 'joined' || f.type === 'error', 5000);
      if (joined?.type !== 'joined') {
        violations.push(`a fresh client's join was answered ${describe(joined)}`);
        return undefined;
      }
      const cid = `probe-${this.stats.runs}`;
      probe.send(
        JSON.stringify({ type: 'send', room: 'global', cid, content: `probe ${this.stats.runs}` }),
      );
      const ack = await probe.waitFor(
        (f) => (f.type === 'ack' && f.cid === cid) || (f.type === 'error' && f.ref === cid),
        5000,
      );
      if (ack?.type !== 'ack' || typeof ack.seq !== 'number' || typeof ack.id !== 'string') {
        violations.push(`a fresh client's send was answered ${describe(ack)}`);
        return undefined;
      }
      return { room: 'global', seq: ack.seq, id: ack.id, cid, role: this.probe };
    } finally {
      probe.terminate();
      await probe.closed;
    }
  }

  /** Every socket of the run is gone from the node (the close grace is 2 s). */
  private async connectionsSettle(violations: string[]): Promise<void> {
    const until = performance.now() + 5000;
    while (this.server.node.connections !== this.baselineConnections) {
      if (performance.now() > until) {
        violations.push(
          `${this.server.node.connections} connections open 5 s after every client closed (baseline ${this.baselineConnections})`,
        );
        return;
      }
      await sleep(20);
    }
  }

  /** One page of a room's history after `after`, as `token` reads it. */
  private async page(
    room: string,
    token: string,
    after: number,
    limit: number,
  ): Promise<HistoryPage | string> {
    const response = await get<HistoryPage>(
      this.server,
      `/api/rooms/${encodeURIComponent(room)}/messages?after=${after}&limit=${limit}`,
      token,
    );
    return response.status === 200 ? response.body : `HTTP ${response.status}`;
  }

  /**
   * Reads a checked room's history past what was read before: seq i at position i, no
   * duplicate, no gap, only allowed authors. Returns what it read, by seq.
   */
  private async readNew(
    room: CheckedRoom,
    violations: string[],
  ): Promise<Map<number, ChatMessage>> {
    const read = new Map<number, ChatMessage>();
    await this.readHistory(room, room.head, violations, (m) => read.set(m.seq, m));
    return read;
  }

  private async readHistory(
    room: CheckedRoom,
    from: number,
    violations: string[],
    each: (message: ChatMessage) => void,
  ): Promise<void> {
    let expected = from + 1;
    for (let pages = 0; pages < 10_000; pages++) {
      const page = await this.page(room.room, room.token, expected - 1, limits.historyPageMax);
      if (typeof page === 'string') {
        violations.push(`history of ${room.room} after ${expected - 1}: ${page}`);
        return;
      }
      for (const message of page.messages) {
        if (message.seq !== expected) {
          violations.push(
            `history of ${room.room}: seq ${message.seq} where ${expected} was due (gap or duplicate)`,
          );
          return;
        }
        if (message.room !== room.room)
          violations.push(`history of ${room.room} holds a message of ${message.room}`);
        const authors = [
          message.user.id,
          ...(message.reactions ?? []).flatMap((r) => r.users.map((u) => u.id)),
        ];
        for (const author of authors) {
          if (room.members !== undefined && !room.members.has(author))
            violations.push(`${room.room}#${message.seq}: ${author} is not a member`);
          if (room.barred?.has(author))
            violations.push(`${room.room}#${message.seq}: ${author} may not be in it`);
        }
        each(message);
        expected += 1;
      }
      if (!page.hasMore) break;
    }
    room.head = Math.max(room.head, expected - 1);
  }

  /** The message at an acked seq, read on its own (rooms not followed, idempotent resends). */
  private async messageAt(ack: SeenAck, violations: string[]): Promise<ChatMessage | undefined> {
    const page = await this.page(ack.room, ack.role.token, ack.seq - 1, 1);
    if (typeof page === 'string') {
      violations.push(`history of ${ack.room} at ${ack.seq} (${ack.role.name}): ${page}`);
      return undefined;
    }
    const message = page.messages[0];
    return message?.seq === ack.seq ? message : undefined;
  }

  /** Reads every checked room's whole history again, from seq 1. */
  async checkHistories(violations: string[]): Promise<void> {
    for (const room of this.checked) {
      const head = room.head;
      let count = 0;
      await this.readHistory(room, 0, violations, () => {
        count += 1;
      });
      if (count < head)
        violations.push(`history of ${room.room} ends at ${count}, below ${head} read before`);
    }
  }

  private checkHeap(violations: string[]): void {
    let used: number;
    if (this.gc !== undefined) {
      this.gc();
      used = process.memoryUsage().heapUsed;
    } else {
      used = process.memoryUsage().rss;
    }
    this.stats.heap.lastMiB = Math.round(used / MiB);
    if (this.heapBaseline === undefined) {
      this.heapBaseline = used;
      this.stats.heap.baselineMiB = this.stats.heap.lastMiB;
      return;
    }
    // RSS keeps what the heap gave back and more: a wider bound when that is all there is.
    const bound = this.options.heapGrowthBytes ?? (this.gc === undefined ? 256 : 96) * MiB;
    if (used - this.heapBaseline > bound)
      violations.push(
        `${this.stats.heap.method} grew ${Math.round((used - this.heapBaseline) / MiB)} MiB over its baseline (${Math.round(this.heapBaseline / MiB)} MiB), more than ${Math.round(bound / MiB)} MiB`,
      );
  }

  /** The end of a run set: whole histories, heap, connections; throws if any broke. */
  async finalCheck(): Promise<void> {
    const violations: string[] = [];
    await this.checkHistories(violations);
    await this.connectionsSettle(violations);
    this.checkHeap(violations);
    if (this.problems.length > 0) violations.push(...this.problems.splice(0));
    if (this.serverErrors.length > 0)
      violations.push(...this.serverErrors.splice(0).map((line) => `the node logged: ${line}`));
    if (violations.length > 0)
      throw new Error(`after ${this.stats.runs} runs:\n- ${violations.join('\n- ')}`);
  }

  async close(): Promise<void> {
    process.off('unhandledRejection', this.onRejection);
    process.off('uncaughtException', this.onException);
    await this.server.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** The `code` of an error frame that did not decode, if it has one. */
function parseCode(text: string): string | undefined {
  try {
    const value = JSON.parse(text) as { type?: unknown; code?: unknown };
    return value.type === 'error' && typeof value.code === 'string' ? value.code : undefined;
  } catch {
    return undefined;
  }
}
