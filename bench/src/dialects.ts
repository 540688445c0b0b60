/**
 * How each server under test is spoken to: the same workload (join rooms, send text, get
 * every message of your rooms) in each one's own protocol. Frames are built as strings and
 * recognised by their first bytes: the generator never parses JSON on the hot path.
 */
export type TargetName = 'hubbub' | 'socketio' | 'ws' | 'ws-turn';

export interface Dialect {
  /** The upgrade path. */
  path: string;
  /** Frames to send once upgraded (authentication, namespace connect). */
  hello(token: string | undefined): string[];
  /** Whether a setup-time frame says the connection is ready for joins. */
  isReady(text: string): boolean;
  join(room: string): string;
  /** A join that carries on from `since` (Hubbub's resume), where the target has one. */
  resume?(room: string, since: number, epoch: string | undefined): string;
  isJoined(text: string): boolean;
  send(room: string, content: string, cid: number): string;
  /** `count` taps of a live reaction (the peers add them up per room per tick as Hubbub does). */
  cheer(room: string, emoji: string, count: number): string;
  /** Whether a text frame is a room's added-up reactions of one tick. */
  isCheers(data: Buffer, start: number): boolean;
  /** The taps a reactions frame carries, all emoji together (parsed: read by one client only). */
  cheersTotal(text: string): number;
  /** A frame that must be answered at once (Engine.IO's ping), and the answer. */
  answer?(text: string): string | undefined;
  /** Whether a text frame is the server refusing something (counted as an error). */
  isError(data: Buffer, start: number): boolean;
  /**
   * The client id a text frame acknowledges (Hubbub acks a send once it is durable), or
   * -1: the peers do not acknowledge.
   */
  ackedCid(data: Buffer, start: number, end: number): number;
}

const startsWith = (data: Buffer, start: number, prefix: Buffer) =>
  data.length >= start + prefix.length &&
  data.compare(prefix, 0, prefix.length, start, start + prefix.length) === 0;

const JSON_ERROR = Buffer.from('{"type":"error"');
const JSON_ACK = Buffer.from('{"type":"ack","cid":"c');
const JSON_CHEERS = Buffer.from('{"type":"cheers"');

const total = (counts: Record<string, number>) =>
  Object.values(counts).reduce((sum, n) => sum + n, 0);

/** The number after Hubbub's `{"type":"ack","cid":"c`, or -1. */
function hubbubAck(data: Buffer, start: number, end: number): number {
  if (!startsWith(data, start, JSON_ACK)) return -1;
  let value = 0;
  for (let i = start + JSON_ACK.length; i < end; i++) {
    const digit = data[i]! - 48;
    if (digit < 0 || digit > 9) return value;
    value = value * 10 + digit;
  }
  return -1;
}

const hubbub: Dialect = {
  path: '/ws',
  hello: (token) => [JSON.stringify({ type: 'authenticate', token })],
  isReady: (text) => text.startsWith('{"type":"ready"'),
  join: (room) => JSON.stringify({ type: 'join', room }),
  resume: (room, since, epoch) => JSON.stringify({ type: 'resume', room, since, epoch }),
  isJoined: (text) => text.startsWith('{"type":"joined"'),
  send: (room, content, cid) => JSON.stringify({ type: 'send', room, cid: `c${cid}`, content }),
  cheer: (room, emoji, count) => JSON.stringify({ type: 'cheer', room, emoji, count }),
  isCheers: (data, start) => startsWith(data, start, JSON_CHEERS),
  cheersTotal: (text) => total((JSON.parse(text) as { counts: Record<string, number> }).counts),
  isError: (data, start) => startsWith(data, start, JSON_ERROR),
  ackedCid: hubbubAck,
};

/** The raw `ws` peers speak a subset of Hubbub's frames, without authentication. */
const raw: Dialect = {
  path: '/',
  hello: () => [],
  isReady: () => true,
  join: hubbub.join,
  isJoined: hubbub.isJoined,
  send: hubbub.send,
  cheer: hubbub.cheer,
  isCheers: hubbub.isCheers,
  cheersTotal: hubbub.cheersTotal,
  isError: hubbub.isError,
  ackedCid: () => -1,
};

const SIO_ERROR = Buffer.from('42["error"');
const SIO_CHEERS = Buffer.from('42["cheers"');

/** Socket.IO 4 over its WebSocket transport (Engine.IO v4 packets). */
const socketio: Dialect = {
  path: '/socket.io/?EIO=4&transport=websocket',
  // "40": connect to the default namespace.
  hello: () => ['40'],
  isReady: (text) => text.startsWith('40'),
  join: (room) => `42${JSON.stringify(['join', room])}`,
  isJoined: (text) => text.startsWith('42["joined"'),
  send: (room, content) => `42${JSON.stringify(['send', { room, content }])}`,
  cheer: (room, emoji, count) => `42${JSON.stringify(['cheer', { room, emoji, count }])}`,
  isCheers: (data, start) => startsWith(data, start, SIO_CHEERS),
  cheersTotal: (text) =>
    total((JSON.parse(text.slice(2)) as [string, { counts: Record<string, number> }])[1].counts),
  answer: (text) => (text === '2' ? '3' : undefined),
  isError: (data, start) => startsWith(data, start, SIO_ERROR),
  ackedCid: () => -1,
};

export const dialects: Record<TargetName, Dialect> = {
  hubbub,
  socketio,
  ws: raw,
  'ws-turn': raw,
};
