import type { Redis } from 'ioredis';
import { NodeFigures } from './figures.js';
import { type ClusterFigures, type FiguresBoard, FRESH_MS } from './port.js';

/**
 * Raises the stored peak to ARGV[1] if that is higher, and keeps it for ARGV[2] ms more:
 * it lives while nodes post, and starts over once the whole cluster has stopped.
 */
const RAISE_PEAK = `
local peak = tonumber(redis.call('GET', KEYS[1]) or '0')
local candidate = tonumber(ARGV[1])
if candidate > peak then
  redis.call('SET', KEYS[1], ARGV[1])
  peak = candidate
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return peak`;

/**
 * Removes the posts named in ARGV[2..] that are still older than ARGV[1] (or unreadable):
 * a node that re-posted since they were read keeps its fresh post.
 */
const REMOVE_STALE = `
local removed = 0
for i = 2, #ARGV do
  local post = redis.call('HGET', KEYS[1], ARGV[i])
  if post then
    local ok, figures = pcall(cjson.decode, post)
    if not ok or type(figures) ~= 'table' or type(figures.at) ~= 'number'
      or figures.at < tonumber(ARGV[1]) then
      redis.call('HDEL', KEYS[1], ARGV[i])
      removed = removed + 1
    end
  end
end
return removed`;

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
    await this.redis.eval(RAISE_PEAK, 1, this.peakKey, String(open), String(FRESH_MS));
  }

  async withdraw(node: string): Promise<void> {
    await this.redis.multi().hdel(this.figuresKey, node).del(this.usersKey(node)).exec();
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
    if (stale.length > 0)
      await this.redis.eval(REMOVE_STALE, 1, this.figuresKey, String(since), ...stale);
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
