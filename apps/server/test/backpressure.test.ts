import type { Socket } from 'node:net';
import { guestIn, startServer } from '@hubbub/testing';
import { describe, expect, test } from 'vitest';

describe('one slow connection never slows the others', () => {
  test('a reader that stops reading is shed while the room keeps flowing to everyone else', async () => {
    await using server = await startServer({
      env: {
        MAX_BUFFERED_BYTES: String(64 * 1024),
        RATE_LIMIT_PER_SECOND: '100000',
        RATE_LIMIT_BURST: '100000',
        // Guests join only rooms that exist: this one is open from the start.
        OPEN_ROOMS: 'stage',
      },
    });
    await using sender = await guestIn(server, 'Sender', 'stage');
    await using healthy = await guestIn(server, 'Healthy', 'stage');
    const stalled = await guestIn(server, 'Stalled', 'stage');
    // Stop reading at TCP level: the kernel buffers fill, then the server's send buffer does.
    const tcp = (stalled.socket as unknown as { _socket: Socket })._socket;
    tcp.pause();
    expect(server.node.connections).toBe(3);

    // Enough bytes to overflow the loopback socket buffers as well as our own bound.
    const total = 6000;
    const content = 'x'.repeat(1000);
    for (let i = 0; i < total; i++) {
      sender.send({ type: 'send', room: 'stage', cid: `${i}`, content });
      if (i % 100 === 99) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await expect.poll(() => healthy.messagesIn('stage').length, { timeout: 20_000 }).toBe(total);
    expect(healthy.messagesIn('stage').map((m) => m.seq)).toEqual(
      Array.from({ length: total }, (_, i) => i + 1),
    );
    // The stalled one was cut loose rather than buffered without bound.
    await expect.poll(() => server.node.connections, { timeout: 10_000 }).toBe(2);
    tcp.resume();
    const { code } = await stalled.closed;
    // It sees our close code if the close frame got through, else an abnormal closure.
    expect([4009, 1006]).toContain(code);
  });
});
