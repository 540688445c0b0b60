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
 * worker (each closes its sockets with the shutdown code) and exits once all have; a second
 * signal kills them.
 */
export async function runWorkers(count: number, logger: Logger): Promise<void> {
  let stopping = false;
  let crashes = 0;
  const start = (): Promise<Worker> =>
    new Promise((resolve, reject) => {
      const worker = cluster.fork();
      worker.once('listening', () => resolve(worker));
      worker.once('exit', (code, signal) => {
        reject(new Error(`worker exited during start (${signal ?? code})`));
        if (stopping) return;
        crashes += 1;
        const pause = Math.min(30_000, 250 * 2 ** Math.min(crashes, 7));
        logger.error({ pid: worker.process.pid, code, signal, pause }, 'worker died: replacing it');
        setTimeout(() => {
          if (!stopping) start().catch(() => {});
        }, pause).unref();
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
    const workers = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined);
    if (signals > 1) {
      logger.warn({ signal }, 'second signal: killing workers without draining');
      for (const worker of workers) worker.process.kill('SIGKILL');
      process.exit(1);
    }
    logger.info({ signal, workers: workers.length }, 'draining workers');
    // A message, not a signal: a terminal's Ctrl-C already signals the whole group, and a
    // worker counts a second signal as "exit now".
    for (const worker of workers) if (worker.isConnected()) worker.send(DRAIN);
    const left = () => Object.values(cluster.workers ?? {}).filter((w) => w !== undefined).length;
    cluster.on('exit', () => {
      if (left() === 0) process.exit(0);
    });
    if (left() === 0) process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  await start();
  await Promise.all(Array.from({ length: count - 1 }, () => start()));
  logger.info({ workers: count }, 'hubbub workers running');
}
