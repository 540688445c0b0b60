/**
 * The Host names this server answers to, against DNS rebinding: a page on a domain its
 * attacker re-points at this server's address (127.0.0.1, a LAN address) is same-origin
 * with that domain, so its requests, and its WebSocket's Origin, match the Host it sends.
 * Only a check of the Host itself, against names the operator chose, tells them apart.
 */

/** A name (any port), or a name with the one port it is reached on. */
export interface HostRule {
  /** Lower case, without a trailing dot; IPv6 addresses in brackets. */
  name: string;
  port: number | undefined;
}

/** `*` (any host), or the rules of which one must match. */
export type AllowedHosts = '*' | readonly HostRule[];

/**
 * Names that only ever lead to the machine itself: no DNS answer can make a browser send
 * them for another site, so they are always answered (local tools, a container's health
 * check, `npm run dev`'s proxy).
 */
export const loopbackHosts: readonly HostRule[] = ['localhost', '127.0.0.1', '[::1]'].map(
  (name) => ({ name, port: undefined }),
);

const label = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const hostPattern = new RegExp(
  `^(\\[[0-9a-f:.]+\\]|${label}(?:\\.${label})*\\.?)(?::(\\d{1,5}))?$`,
  'i',
);

/**
 * `name`, `name:port`, `[v6]` or `[v6]:port` as a rule (also how a Host header is read), or
 * undefined when it is none of these.
 */
export function parseHost(value: string): HostRule | undefined {
  const match = hostPattern.exec(value.trim());
  if (match === null) return undefined;
  const port = match[2] === undefined ? undefined : Number(match[2]);
  if (port !== undefined && port > 65_535) return undefined;
  return { name: (match[1] ?? '').toLowerCase().replace(/\.$/, ''), port };
}

/** Whether an address to listen on is reachable only from the machine itself. */
export function isLoopback(address: string): boolean {
  const host = address.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** Whether a request's Host header names this server. */
export function hostAllowed(allowed: AllowedHosts, header: string | undefined): boolean {
  if (allowed === '*') return true;
  if (header === undefined) return false;
  const host = parseHost(header);
  if (host === undefined) return false;
  return allowed.some(
    (rule) => rule.name === host.name && (rule.port === undefined || rule.port === host.port),
  );
}
