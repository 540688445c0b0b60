import { randomUUID } from 'node:crypto';
import { type WebSocket, WebSocketServer } from 'ws';

/**
 * The practical Node limit: a raw `ws` server with rooms and nothing else (no auth, no
 * validation beyond JSON, no storage). Each message is serialized once for all members.
 * PEER_MODE=each writes it to every member at once (what most servers do); PEER_MODE=turn
 * queues and writes once per event-loop turn (setImmediate), one frame per member carrying
 * everything queued: the batching Hubbub's rooms do.
 */
const port = Number(process.env.PORT ?? 0);
const perTurn = process.env.PEER_MODE === 'turn';
const rooms = new Map<string, { members: Set<WebSocket>; seq: number; queue: string[] }>();
const user = { id: randomUUID(), name: 'peer' };

function room(name: string) {
  let found = rooms.get(name);
  if (found === undefined) {
    found = { members: new Set(), seq: 0, queue: [] };
    rooms.set(name, found);
  }
  return found;
}

/**
 * Live reactions as Hubbub counts them: taps added up per room, one frame per room per
 * 250 ms tick with taps, serialized once for all members.
 */
const taps = new Map<string, Map<string, number>>();
setInterval(() => {
  for (const [name, counts] of taps) {
    const frame = JSON.stringify({
      type: 'cheers',
      room: name,
      counts: Object.fromEntries(counts),
    });
    for (const member of room(name).members) member.send(frame);
  }
  taps.clear();
}, 250);

function flush(name: string): void {
  const target = room(name);
  const messages = target.queue;
  target.queue = [];
  const frame =
    messages.length === 1
      ? messages[0]!
      : `{"type":"batch","room":${JSON.stringify(name)},"messages":[${messages.join(',')}]}`;
  for (const member of target.members) member.send(frame);
}

const server = new WebSocketServer({
  host: '127.0.0.1',
  port,
  // The same accept queue as Hubbub's: the storm compares servers, not listen flags.
  backlog: 65_535,
  perMessageDeflate: false,
  clientTracking: false,
});
server.on('connection', (socket) => {
  const joined = new Set<string>();
  socket.on('message', (data) => {
    let frame: { type?: string; room?: string; content?: string; emoji?: string; count?: number };
    try {
      frame = JSON.parse(String(data));
    } catch {
      return;
    }
    if (typeof frame.room !== 'string') return;
    const target = room(frame.room);
    if (frame.type === 'join') {
      target.members.add(socket);
      joined.add(frame.room);
      socket.send(
        JSON.stringify({ type: 'joined', room: frame.room, seq: target.seq, messages: [] }),
      );
    } else if (frame.type === 'cheer' && typeof frame.emoji === 'string') {
      const counts = taps.get(frame.room) ?? new Map<string, number>();
      counts.set(frame.emoji, (counts.get(frame.emoji) ?? 0) + (frame.count ?? 1));
      taps.set(frame.room, counts);
    } else if (frame.type === 'send') {
      const message = JSON.stringify({
        type: 'message',
        room: frame.room,
        seq: ++target.seq,
        id: randomUUID(),
        user,
        content: frame.content,
        ts: new Date().toISOString(),
      });
      if (!perTurn) {
        for (const member of target.members) member.send(message);
      } else {
        target.queue.push(message);
        if (target.queue.length === 1) {
          const name = frame.room;
          setImmediate(() => flush(name));
        }
      }
    }
  });
  socket.on('close', () => {
    for (const name of joined) room(name).members.delete(socket);
  });
});
server.on('listening', () => {
  const address = server.address();
  if (typeof address === 'object' && address !== null) console.log(`listening ${address.port}`);
});
