import { rawGet, startServer } from '@hubbub/testing';
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

describe('security headers', () => {
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
});
