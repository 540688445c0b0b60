import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';

/**
 * Socket.IO 4 serving the same workload: rooms, and each message broadcast to its room
 * with `io.to(room).emit` (Socket.IO encodes it once per broadcast). With REDIS_URL, the
 * Redis adapter spreads broadcasts over several such processes (the scale-out scenario).
 * Its ping is slowed to once in 5 minutes so that the bench's clients need not answer it
 * during a run (they do answer it).
 */
const port = Number(process.env.PORT ?? 0);
const http = createServer();
const io = new Server(http, {
  transports: ['websocket'],
  perMessageDeflate: false,
  pingInterval: 300_000,
  pingTimeout: 60_000,
  serveClient: false,
});
if (process.env.REDIS_URL !== undefined) {
  const pub = new Redis(process.env.REDIS_URL);
  io.adapter(createAdapter(pub, pub.duplicate()));
}
const seqs = new Map<string, number>();
const user = { id: randomUUID(), name: 'peer' };

/** Live reactions as Hubbub counts them: added up per room, one broadcast per room per tick. */
const taps = new Map<string, Map<string, number>>();
setInterval(() => {
  for (const [room, counts] of taps)
    io.to(room).emit('cheers', { room, counts: Object.fromEntries(counts) });
  taps.clear();
}, 250);

io.on('connection', (socket) => {
  socket.on('join', (room: unknown) => {
    if (typeof room !== 'string') return;
    void socket.join(room);
    socket.emit('joined', { room, seq: seqs.get(room) ?? 0 });
  });
  socket.on('cheer', (frame: { room?: unknown; emoji?: unknown; count?: unknown }) => {
    if (typeof frame?.room !== 'string' || typeof frame.emoji !== 'string') return;
    const counts = taps.get(frame.room) ?? new Map<string, number>();
    const count = typeof frame.count === 'number' ? frame.count : 1;
    counts.set(frame.emoji, (counts.get(frame.emoji) ?? 0) + count);
    taps.set(frame.room, counts);
  });
  socket.on('send', (frame: { room?: unknown; content?: unknown }) => {
    if (typeof frame?.room !== 'string' || typeof frame.content !== 'string') return;
    const seq = (seqs.get(frame.room) ?? 0) + 1;
    seqs.set(frame.room, seq);
    io.to(frame.room).emit('message', {
      room: frame.room,
      seq,
      id: randomUUID(),
      user,
      content: frame.content,
      ts: new Date().toISOString(),
    });
  });
});
// The same accept queue as Hubbub's: the storm compares servers, not listen flags.
http.listen(port, '127.0.0.1', 65_535, () => {
  const address = http.address();
  if (typeof address === 'object' && address !== null) console.log(`listening ${address.port}`);
});
