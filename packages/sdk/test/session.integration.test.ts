import { HubbubClient, login, registerAccount, sessionTokenProvider } from '@hubbub/sdk';
import { startServer } from '@hubbub/testing';
import { describe, expect, test } from 'vitest';

describe('account sessions in the SDK', () => {
  test('a long session renews its token on the open socket, without reconnecting', async () => {
    await using server = await startServer({ env: { ACCESS_TOKEN_TTL_SECONDS: '5' } });
    const session = await registerAccount(server.httpUrl, {
      username: 'alice',
      password: 'correct horse battery',
    });
    const rotations: string[] = [];
    const client = new HubbubClient({
      url: server.wsUrl,
      token: sessionTokenProvider(server.httpUrl, session, (next) =>
        rotations.push(next.refreshToken),
      ),
    });
    try {
      const states: string[] = [];
      client.on('state', (state) => states.push(state));
      let readies = 0;
      client.on('ready', () => {
        readies += 1;
      });
      await client.ready();
      await client.join('global');
      await expect
        .poll(() => readies, { timeout: 15_000, interval: 200 })
        .toBeGreaterThanOrEqual(2);
      expect(states).not.toContain('reconnecting');
      expect(rotations.length).toBeGreaterThanOrEqual(1);
      // Past the first token's expiry, the same socket still sends.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect((await client.send('global', 'still here')).seq).toBe(1);
      expect(states).not.toContain('reconnecting');
    } finally {
      client.close();
    }
  }, 30_000);

  test('login helpers speak the REST API with typed errors', async () => {
    await using server = await startServer();
    await registerAccount(server.httpUrl, { username: 'bob', password: 'correct horse battery' });
    expect((await login(server.httpUrl, 'bob', 'correct horse battery')).user.name).toBe('bob');
    await expect(login(server.httpUrl, 'bob', 'wrong password')).rejects.toMatchObject({
      code: 'auth_failed',
    });
  });
});
