import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventsPage, SessionResponse, TokenResponse } from '@hubbub/protocol';
import { type HubbubNode, loadConfig, type OpenNodeOptions, openNode } from '@hubbub/server';

export interface TestServer {
  httpUrl: string;
  wsUrl: string;
  port: number;
  dataDir: string;
  /** The running node (replaced by `restart`). */
  readonly node: HubbubNode;
  /** A guest token from the real endpoint. */
  guest(name: string): Promise<TokenResponse>;
  /** Graceful stop and start again on the same port and data directory. */
  restart(): Promise<void>;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface StartServerOptions {
  /** Extra environment variables, as the real process would read them. */
  env?: Record<string, string>;
  /** Reuse a data directory (it is then not deleted on close). */
  dataDir?: string;
  /** Where the node logs (default: LOG_LEVEL from HUBBUB_TEST_LOG_LEVEL, else silent). */
  logger?: OpenNodeOptions['logger'];
}

/**
 * A real Hubbub node in this process on 127.0.0.1 and a free port, with its own temporary
 * data directory. `await using server = await startServer()` tears it all down.
 */
export async function startServer(options: StartServerOptions = {}): Promise<TestServer> {
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'hubbub-test-')));
  const env = (port: number) => ({
    LOG_LEVEL: process.env.HUBBUB_TEST_LOG_LEVEL ?? 'silent',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: dataDir,
    // Tests exercise durability semantics, not the disk: NORMAL keeps them fast.
    SQLITE_SYNCHRONOUS: 'NORMAL',
    ...options.env,
  });
  let node = await openNode(loadConfig(env(0)), { logger: options.logger });
  const port = await node.listen();
  const httpUrl = `http://127.0.0.1:${port}`;
  let closed = false;
  const server: TestServer = {
    httpUrl,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    port,
    dataDir,
    get node() {
      return node;
    },
    async guest(name) {
      const response = await fetch(`${httpUrl}/api/auth/guest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: name }),
      });
      if (!response.ok)
        throw new Error(`guest token: HTTP ${response.status} ${await response.text()}`);
      return (await response.json()) as TokenResponse;
    },
    async restart() {
      await node.close();
      node = await openNode(loadConfig(env(port)), { logger: options.logger });
      await node.listen();
    },
    async close() {
      if (closed) return;
      closed = true;
      await node.close();
      if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
    },
    [Symbol.asyncDispose]() {
      return server.close();
    },
  };
  return server;
}

/** A JSON POST to the server; resolves with the status and the parsed body. */
export async function post<T = unknown>(
  server: { httpUrl: string },
  path: string,
  body: unknown,
  token?: string,
): Promise<{ status: number; body: T; headers: Headers }> {
  const response = await fetch(`${server.httpUrl}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: (text === '' ? undefined : JSON.parse(text)) as T,
    headers: response.headers,
  };
}

/** A JSON GET with a bearer token. */
export async function get<T = unknown>(
  server: { httpUrl: string },
  path: string,
  token?: string,
): Promise<{ status: number; body: T; headers: Headers }> {
  const response = await fetch(`${server.httpUrl}${path}`, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
  return { status: response.status, body: (await response.json()) as T, headers: response.headers };
}

/** Registers an account (password `correct horse battery`) and returns its first session. */
export async function register(
  server: { httpUrl: string },
  username: string,
): Promise<SessionResponse> {
  const { status, body } = await post<SessionResponse>(server, '/api/auth/register', {
    username,
    password: 'correct horse battery',
  });
  if (status !== 201)
    throw new Error(`register ${username}: HTTP ${status} ${JSON.stringify(body)}`);
  return body;
}

/**
 * The room of the first event a listing finds (`query`: live ones by default), once the
 * node has ingested its catalog (it does so just after it starts).
 */
export async function eventRoomOf(
  server: { httpUrl: string },
  query = 'status=live',
  timeoutMs = 15_000,
): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await get<EventsPage>(server, `/api/events?limit=1&${query}`);
    const room = body.events[0]?.room;
    if (room !== undefined) return room;
    if (Date.now() > until) throw new Error(`no event for ${query} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
