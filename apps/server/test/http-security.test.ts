import { RawClient, rawGet, startServer } from '@hubbub/testing';
import { describe, expect, test } from 'vitest';

/** The CSP's directives by name. */
function directives(header: string | string[] | undefined): Map<string, string[]> {
  expect(typeof header).toBe('string');
  return new Map(
    String(header)
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0] !== '')
      .map(([name, ...values]) => [name ?? '', values]),
  );
}

describe('security headers and the Host allowlist', () => {
  test('the app, the events page, the API, errors and /health all carry the security headers; HSTS only over TLS', async () => {
    await using server = await startServer();
    for (const path of [
      '/',
      '/events',
      '/analytics',
      '/api/events?limit=1',
      '/api/me',
      '/api/nope',
      '/health',
    ]) {
      const { status, headers } = await rawGet(`${server.httpUrl}${path}`, {});
      expect([200, 401, 404]).toContain(status);
      const csp = directives(headers['content-security-policy']);
      expect(csp.get('default-src'), path).toEqual(["'self'"]);
      expect(csp.get('script-src'), path).toEqual(["'self'"]);
      expect(csp.get('script-src-attr'), path).toEqual(["'none'"]);
      expect(csp.get('object-src'), path).toEqual(["'none'"]);
      expect(csp.get('frame-ancestors'), path).toEqual(["'none'"]);
      expect(csp.get('style-src'), path).toEqual(["'self'"]);
      expect(headers['x-frame-options'], path).toBe('DENY');
      expect(headers['x-content-type-options'], path).toBe('nosniff');
      expect(headers['referrer-policy'], path).toBe('no-referrer');
      // Plain HTTP: HSTS there would be ignored, and a proxy's word is not taken untrusted.
      expect(headers['strict-transport-security'], path).toBeUndefined();
    }
    const claimed = await rawGet(`${server.httpUrl}/`, { 'x-forwarded-proto': 'https' });
    expect(claimed.headers['strict-transport-security']).toBeUndefined();

    await using proxied = await startServer({ env: { TRUST_PROXY: '127.0.0.1' } });
    const viaTls = await rawGet(`${proxied.httpUrl}/api/events?limit=1`, {
      'x-forwarded-proto': 'https',
    });
    expect(viaTls.headers['strict-transport-security']).toBe('max-age=31536000');
    const viaHttp = await rawGet(`${proxied.httpUrl}/`, { 'x-forwarded-proto': 'http' });
    expect(viaHttp.headers['strict-transport-security']).toBeUndefined();
  });

  test('a rebound name is refused with 421, on HTTP and on the WebSocket upgrade, before anything else', async () => {
    await using server = await startServer();
    const rebound = `rebind.example:${server.port}`;
    // What a page on a domain re-pointed at 127.0.0.1 sends: its own name, as Host and Origin.
    for (const path of ['/', '/events', '/api/events?limit=1', '/api/auth/guest']) {
      const refused = await rawGet(`${server.httpUrl}${path}`, { host: rebound });
      expect(refused.status, path).toBe(421);
      expect(JSON.parse(refused.body), path).toEqual({
        error: { code: 'host_not_allowed', message: expect.stringContaining('Host') },
      });
      expect(refused.headers['content-security-policy'], path).toBeDefined();
    }
    await expect(
      RawClient.connect(server.wsUrl, { Host: rebound, Origin: `http://${rebound}` }),
    ).rejects.toThrow(/HTTP 421/);

    // The loopback names pass on any port, and health probes (which call by address) always.
    for (const host of [
      `127.0.0.1:${server.port}`,
      `localhost:${server.port}`,
      'localhost',
      '[::1]:1',
    ]) {
      expect((await rawGet(`${server.httpUrl}/api/events?limit=1`, { host })).status, host).toBe(
        200,
      );
    }
    const socket = await RawClient.connect(server.wsUrl, {
      Host: `localhost:${server.port}`,
      Origin: `http://localhost:${server.port}`,
    });
    await socket.close();
    expect((await rawGet(`${server.httpUrl}/health`, { host: rebound })).status).toBe(200);
    expect((await rawGet(`${server.httpUrl}/ready`, { host: rebound })).status).toBe(200);
  });

  test('ALLOWED_HOSTS names the public names: any port for a name, one port for name:port', async () => {
    await using server = await startServer({
      env: { ALLOWED_HOSTS: 'Chat.Example, admin.example:8443' },
    });
    const status = async (host: string) =>
      (await rawGet(`${server.httpUrl}/api/events?limit=1`, { host })).status;
    expect(await status('chat.example')).toBe(200);
    expect(await status('chat.example.:443')).toBe(200);
    expect(await status('admin.example:8443')).toBe(200);
    expect(await status('admin.example')).toBe(421);
    expect(await status('evil.chat.example')).toBe(421);
    expect(await status(`localhost:${server.port}`)).toBe(200);
    const socket = await RawClient.connect(server.wsUrl, {
      Host: 'chat.example',
      Origin: 'https://chat.example',
    });
    await socket.close();
  });
});
