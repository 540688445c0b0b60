import type { NodeFigures } from './figures.js';
import { type ClusterFigures, type FiguresBoard, FRESH_MS } from './port.js';

/** The board of one process: its nodes (usually one) share it. */
export class LocalFiguresBoard implements FiguresBoard {
  private readonly posts = new Map<string, { figures: NodeFigures; users: ReadonlySet<string> }>();
  private peak = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async post(figures: NodeFigures, users: ReadonlySet<string>): Promise<void> {
    this.posts.set(figures.node, { figures, users: new Set(users) });
    const open = this.fresh().reduce((sum, post) => sum + post.figures.connections, 0);
    this.peak = Math.max(this.peak, open);
  }

  async withdraw(node: string): Promise<void> {
    this.posts.delete(node);
  }

  async read(): Promise<ClusterFigures> {
    const fresh = this.fresh();
    const users = new Set(fresh.flatMap((post) => [...post.users]));
    return {
      nodes: fresh.map((post) => post.figures),
      uniqueUsers: users.size,
      peakConnections: this.peak,
    };
  }

  private fresh() {
    const since = this.now() - FRESH_MS;
    // Nobody posted within the window: the cluster stopped, and its peak with it.
    if ([...this.posts.values()].every((post) => post.figures.at < since)) this.peak = 0;
    for (const [node, post] of this.posts) if (post.figures.at < since) this.posts.delete(node);
    return [...this.posts.values()];
  }
}
