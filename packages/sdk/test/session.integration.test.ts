import {
  HubbubApi,
  HubbubClient,
  HubbubError,
  login,
  registerAccount,
  sessionTokenProvider,
} from '@hubbub/sdk';
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

  test('the REST API client: channels, DMs, the directory and leaving, with typed refusals', async () => {
    await using server = await startServer();
    const [alice, bob] = await Promise.all(
      ['alice', 'bob'].map((username) =>
        registerAccount(server.httpUrl, { username, password: 'correct horse battery' }),
      ),
    );
    const api = new HubbubApi(server.httpUrl, async () => alice!.token);
    expect((await api.createChannel({ name: 'stage', visibility: 'private' })).room).toBe('stage');
    const [found] = await api.searchUsers('bo');
    expect(found).toEqual({ id: bob!.user.id, name: 'bob', username: 'bob' });
    const dm = await api.openDm(found!.id);
    const listed = await api.channels();
    expect(listed.channels.find((c) => c.room === dm)?.peer?.name).toBe('bob');
    expect(listed.channels.find((c) => c.room === 'stage')?.role).toBe('owner');
    await api.removeMember('stage', alice!.user.id);
    expect((await api.channels()).channels.some((c) => c.room === 'stage')).toBe(false);
    const refusal = await api.createChannel({ name: 'general' }).catch((error) => error);
    expect(refusal).toBeInstanceOf(HubbubError);
    expect(refusal).toMatchObject({ code: 'name_taken' });
  });
});
