import { CloseCode, type ErrorFrame } from '@hubbub/protocol';
import { startServer } from '@hubbub/testing';
import { expect, test } from 'vitest';
import WebSocket from 'ws';

/** What one connection attempt got: its first frame (if any) and how it closed. */
function attempt(url: string): Promise<{ socket: WebSocket; first?: ErrorFrame; code?: number }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url);
    const outcome: { socket: WebSocket; first?: ErrorFrame; code?: number } = { socket };
    socket.on('message', (data) => {
      outcome.first ??= JSON.parse(String(data)) as ErrorFrame;
    });
    socket.on('close', (code) => {
      outcome.code = code;
      resolve(outcome);
    });
    // Admitted: it stays open (waiting to authenticate); give refusals time to arrive.
    socket.on('open', () => setTimeout(() => resolve(outcome), 500));
  });
}

test('a crowd connecting at once is admitted at the configured rate; the rest are told when to come back', async () => {
  await using server = await startServer({ env: { ADMISSION_PER_SECOND: '5' } });
  const outcomes = await Promise.all(Array.from({ length: 20 }, () => attempt(server.wsUrl)));
  const admitted = outcomes.filter((o) => o.code === undefined);
  const refused = outcomes.filter((o) => o.code !== undefined);
  // The burst (5), and perhaps one refilled while the crowd arrived.
  expect(admitted.length).toBeGreaterThanOrEqual(5);
  expect(admitted.length).toBeLessThanOrEqual(7);
  for (const { first, code } of refused) {
    expect(code).toBe(CloseCode.tryAgainLater);
    expect(first).toMatchObject({ type: 'error', code: 'retry_later' });
    expect(first?.retryAfterMs).toBeGreaterThan(0);
  }
  // Spread out: the later ones of the crowd are sent further into the future.
  const waits = refused.map((o) => o.first?.retryAfterMs ?? 0);
  expect(Math.max(...waits) - Math.min(...waits)).toBeGreaterThan(1000);
  // The admitted ones are ordinary connections: they authenticate and serve.
  const guest = await server.guest('Early');
  const [first] = admitted;
  first?.socket.send(JSON.stringify({ type: 'authenticate', token: guest.token }));
  const ready = await new Promise((resolve) =>
    first?.socket.once('message', (d) => resolve(JSON.parse(String(d)))),
  );
  expect(ready).toMatchObject({ type: 'ready' });
  for (const { socket } of outcomes) socket.terminate();
});
