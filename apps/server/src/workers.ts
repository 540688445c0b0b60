import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';

/** What the primary tells a worker: finish in-flight sends, close sockets, exit. */
export const DRAIN = 'hubbub:drain';

/**
 * The primary of `WORKERS=N`: N node processes on one port (Node's cluster module hands
 * each new connection to the next worker), which meet in Redis like any other nodes. One
 * machine then uses every core, and holds more sockets than one process may open.
 *
 * The first worker starts alone (it runs the migrations and creates the default rooms),
 * then the rest. A worker that dies is replaced, after a pause that grows while workers keep
 * dying; its clients reconnect to the others and resume. SIGTERM or SIGINT drains every
 * worker (each closes its sockets with the shutdown code) and exits once all have, or kills
 * what is left after `drainTimeoutMs`; a second signal kills them at once.
 */
export async function runWorkers(
  count: number,
  logger: Logger,
  drainTimeoutMs: number,
): Promise<void> {
  let stopping = false;
  let crashes = 0;
  const alive = () => Object.values(cluster.workers ?? {}).filter((w) => w !== undefined);

  const start = (): Promise<Worker | undefined> =>
    new Promise((resolve) => {
      const worker = cluster.fork();
      worker.once('listening', () => {
        // Asked to stop while it was starting: it missed the first DRAIN.
        if (stopping) worker.send(DRAIN);
        resolve(worker);
      });
      worker.once('exit', (code, signal) => {
        resolve(undefined);
        if (stopping) return;
        crashes += 1;
        const pause = Math.min(30_000, 250 * 2 ** Math.min(crashes, 7));
        logger.error({ pid: worker.process.pid, code, signal, pause }, 'worker died: replacing it');
        // Not unref'd: with every worker dead, this timer is what keeps the primary alive.
        setTimeout(() => {
          if (!stopping) void start();
        }, pause);
      });
    });
  // Crashes long ago do not slow down the next replacement.
  setInterval(() => {
    crashes = Math.max(0, crashes - 1);
  }, 60_000).unref();

  let signals = 0;
  const stop = (signal: NodeJS.Signals) => {
    signals += 1;
    stopping = true;
    if (signals > 1) {
      logger.warn({ signal }, 'second signal: killing workers without draining');
      for (const worker of alive()) worker.process.kill('SIGKILL');
      process.exit(1);
    }
    logger.info({ signal, workers: alive().length }, 'draining workers');
    // A message, not a signal: a terminal's Ctrl-C already signals the whole group, and a
    // worker counts a second signal as "exit now".
    for (const worker of alive()) if (worker.isConnected()) worker.send(DRAIN);
    cluster.on('exit', () => {
      if (alive().length === 0) process.exit(0);
    });
    if (alive().length === 0) process.exit(0);
    setTimeout(() => {
      logger.warn({ workers: alive().length }, 'drain timed out: killing the rest');
      for (const worker of alive()) worker.process.kill('SIGKILL');
      process.exit(1);
    }, drainTimeoutMs + 5000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  await start();
  await Promise.all(Array.from({ length: count - 1 }, () => start()));
  if (!stopping) logger.info({ workers: alive().length }, 'hubbub workers running');
}
