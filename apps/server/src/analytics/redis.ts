import type { Redis } from 'ioredis';
import { NodeFigures } from './figures.js';
import { type ClusterFigures, type FiguresBoard, FRESH_MS } from './port.js';

/** Raises the stored peak to ARGV[1] if that is higher; returns the peak. */
const RAISE_PEAK = `
local peak = tonumber(redis.call('GET', KEYS[1]) or '0')
local candidate = tonumber(ARGV[1])
if candidate > peak then
  redis.call('SET', KEYS[1], ARGV[1])
  return candidate
end
return peak`;

/**
 * The board in Redis: a hash of node → figures (JSON), one HyperLogLog of user ids per node
 * (expiring with the freshness window, so a dead node's people drop out by themselves), and
 * the peak of the summed connections, raised by every post.
 */
export class RedisFiguresBoard implements FiguresBoard {
  private readonly figuresKey: string;
  private readonly peakKey: string;

  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'hubbub',
    private readonly now: () => number = Date.now,
  ) {
    this.figuresKey = `${prefix}:analytics:figures`;
    this.peakKey = `${prefix}:analytics:peak`;
  }

  private usersKey(node: string): string {
    return `${this.prefix}:analytics:users:${node}`;
  }

  async post(figures: NodeFigures, users: ReadonlySet<string>): Promise<void> {
    const key = this.usersKey(figures.node);
    const replace = this.redis
      .multi()
      .hset(this.figuresKey, figures.node, JSON.stringify(figures))
      .del(key);
    if (users.size > 0) replace.pfadd(key, ...users).pexpire(key, FRESH_MS);
    await replace.exec();
    const open = (await this.fresh()).reduce((sum, f) => sum + f.connections, 0);
    await this.redis.eval(RAISE_PEAK, 1, this.peakKey, String(open));
  }

  async read(): Promise<ClusterFigures> {
    const nodes = await this.fresh();
    const keys = nodes.map((f) => this.usersKey(f.node));
    const [uniqueUsers, peak] = await Promise.all([
      keys.length === 0 ? 0 : this.redis.pfcount(...keys),
      this.redis.get(this.peakKey),
    ]);
    return { nodes, uniqueUsers, peakConnections: Number(peak ?? 0) };
  }

  /** The fresh posts; stale or unreadable ones are removed as they are found. */
  private async fresh(): Promise<NodeFigures[]> {
    const since = this.now() - FRESH_MS;
    const posts = await this.redis.hgetall(this.figuresKey);
    const fresh: NodeFigures[] = [];
    const stale: string[] = [];
    for (const [node, json] of Object.entries(posts)) {
      const parsed = parseFigures(json);
      if (parsed !== undefined && parsed.at >= since) fresh.push(parsed);
      else stale.push(node);
    }
    if (stale.length > 0) await this.redis.hdel(this.figuresKey, ...stale);
    return fresh;
  }
}

function parseFigures(json: string): NodeFigures | undefined {
  try {
    const parsed = NodeFigures.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
