import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';

const deployDir = fileURLToPath(new URL('../../../deploy/nginx/', import.meta.url));
const candidates = ['nginx', '/usr/sbin/nginx'];

function nginxBinary(): string | undefined {
  for (const binary of candidates) {
    try {
      execFileSync(binary, ['-v'], { stdio: 'ignore' });
      return binary;
    } catch {}
  }
  return undefined;
}

export function nginxAvailable(): { ok: true } | { ok: false; reason: string } {
  return nginxBinary() === undefined
    ? { ok: false, reason: 'nginx not found (apt-get install nginx-light)' }
    : { ok: true };
}

export interface TestNginx {
  url: string;
  wsUrl: string;
  port: number;
  /** With `tls`: the same server over HTTPS, on a certificate of its own (self-signed). */
  tlsUrl: string | undefined;
  /** One line per finished request: `<request line> <status> <upstream address>`. */
  accessLog(): string[];
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Debian's nginx in front of `upstreams` (ports on 127.0.0.1), configured by the two files
 * the repository ships in deploy/nginx: only what must differ here (paths, ports, the
 * upstream list, an access log naming the upstream) is written by this function.
 */
export async function startNginx(
  upstreams: readonly number[],
  options: { tls?: boolean } = {},
): Promise<TestNginx> {
  const binary = nginxBinary();
  if (binary === undefined) throw new Error('nginx not found');
  const dir = mkdtempSync(join(tmpdir(), 'hubbub-nginx-'));
  const port = await freePort();
  const tlsPort = options.tls === true ? await freePort() : undefined;
  if (tlsPort !== undefined) {
    // As a TLS-terminating proxy runs it: the certificate is nginx's, the nodes speak HTTP.
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
        .concat(['-subj', '/CN=localhost', '-days', '1'])
        .concat(['-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')]),
      { stdio: 'ignore' },
    );
  }
  const root = process.getuid?.() === 0;
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `${root ? 'user root;\n' : ''}worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log notice;
events { worker_connections 4096; }
http {
  log_format upstream '$request $status $upstream_addr';
  access_log ${dir}/access.log upstream;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  include ${deployDir}hubbub-http.conf;
  upstream hubbub {
    least_conn;
${upstreams.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=5s;`).join('\n')}
    keepalive 32;
  }
  server {
    listen 127.0.0.1:${port};
    include ${deployDir}hubbub-server.conf;
  }
${
  tlsPort === undefined
    ? ''
    : `  server {
    listen 127.0.0.1:${tlsPort} ssl;
    ssl_certificate ${dir}/cert.pem;
    ssl_certificate_key ${dir}/key.pem;
    include ${deployDir}hubbub-server.conf;
  }
`
}}
`,
  );
  let output = '';
  const child: ChildProcess = spawn(binary, ['-p', dir, '-c', conf, '-e', join(dir, 'error.log')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      const errors = existsSync(join(dir, 'error.log'))
        ? readFileSync(join(dir, 'error.log'), 'utf8')
        : '';
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`nginx did not start:\n${output}${errors}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGQUIT'); // graceful: the access log is complete
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  return {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    port,
    tlsUrl: tlsPort === undefined ? undefined : `https://127.0.0.1:${tlsPort}`,
    accessLog() {
      const file = join(dir, 'access.log');
      return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
