import type { Analytics } from '@hubbub/protocol';
import type { Logger } from 'pino';
import { combine } from './figures.js';
import { type FiguresBoard, POST_INTERVAL_MS } from './port.js';
import type { Telemetry } from './telemetry.js';

/** How long a combined answer is reused: a dashboard polled by many costs one read a second. */
const ANSWER_TTL_MS = 1000;

/**
 * This node's part in the cluster's analytics: it posts its figures to the board every few
 * seconds, and answers for the whole cluster from the board, with its own figures fresh.
 */
export class NodeAnalytics {
  private readonly timer: NodeJS.Timeout;
  private answer: { at: number; analytics: Promise<Analytics> } | undefined;

  constructor(
    private readonly telemetry: Telemetry,
    private readonly board: FiguresBoard,
    private readonly node: string,
    /** The people on this node's connections right now. */
    private readonly people: () => Set<string>,
    private readonly logger: Logger,
  ) {
    this.timer = setInterval(() => {
      this.post().catch((error: unknown) =>
        logger.warn({ err: error }, 'analytics not posted; the cluster sees older figures'),
      );
    }, POST_INTERVAL_MS);
    this.timer.unref();
  }

  /** The cluster's analytics (this node's alone in the embedded mode). */
  read(): Promise<Analytics> {
    const now = Date.now();
    if (this.answer === undefined || now - this.answer.at >= ANSWER_TTL_MS) {
      const analytics = this.post().then(async () => {
        const cluster = await this.board.read();
        return combine(cluster.nodes, cluster, Date.now());
      });
      this.answer = { at: now, analytics };
      // A failed read is not reused.
      analytics.catch(() => {
        if (this.answer?.analytics === analytics) this.answer = undefined;
      });
    }
    return this.answer.analytics;
  }

  /** Stops posting and takes this node off the board (its clients are about to move). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.board
      .withdraw(this.node)
      .catch((error: unknown) =>
        this.logger.warn({ err: error }, 'analytics not withdrawn; they lapse in 15 s'),
      );
  }

  private post(): Promise<void> {
    return this.board.post(this.telemetry.figures(this.node), this.people());
  }
}
