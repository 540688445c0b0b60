import type { RoomId, UserRef } from '@hubbub/protocol';
import type { Redis } from 'ioredis';
import type { PresenceStore, RoomHeadcount } from './port.js';

/**
 * Shared by the scripts: drops connections whose lease ran out (their node died or lost
 * Redis), and with a person's last connection, the person.
 * KEYS: 1 conns (zset "uid\nconn" → lease end, ms), 2 people (zset uid → arrival),
 * 3 names (hash uid → display name), 4 counts (hash uid → live connections).
 */
const PURGE = `
local function leave(member)
  local uid = string.match(member, '^(.-)\\n')
  if redis.call('HINCRBY', KEYS[4], uid, -1) <= 0 then
    redis.call('HDEL', KEYS[4], uid)
    redis.call('ZREM', KEYS[2], uid)
    redis.call('HDEL', KEYS[3], uid)
    return 1
  end
  return 0
end
local function purge(now)
  local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
  for _, member in ipairs(dead) do
    redis.call('ZREM', KEYS[1], member)
    leave(member)
  end
end
`;

/**
 * KEYS 5: the room's arrival counter. ARGV: uid, conn, name, now, lease end. Returns 1 when
 * the person became present.
 */
const ENTER = `${PURGE}
purge(tonumber(ARGV[4]))
local member = ARGV[1] .. '\\n' .. ARGV[2]
local added = redis.call('ZADD', KEYS[1], ARGV[5], member)
redis.call('HSET', KEYS[3], ARGV[1], ARGV[3])
if added == 0 then return 0 end
if redis.call('HINCRBY', KEYS[4], ARGV[1], 1) > 1 then return 0 end
redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[5]), ARGV[1])
return 1
`;

/** ARGV: uid, conn. Returns 1 when the person is no longer present. */
const EXIT = `${PURGE}
local member = ARGV[1] .. '\\n' .. ARGV[2]
if redis.call('ZREM', KEYS[1], member) == 0 then return 0 end
return leave(member)
`;

/** ARGV: now, limit. Returns { count, uid1, name1, uid2, name2, … }. */
const HEADCOUNT = `${PURGE}
purge(tonumber(ARGV[1]))
local count = redis.call('ZCARD', KEYS[2])
local result = { count }
local limit = tonumber(ARGV[2])
if limit > 0 then
  for _, uid in ipairs(redis.call('ZRANGE', KEYS[2], 0, limit - 1)) do
    table.insert(result, uid)
    table.insert(result, redis.call('HGET', KEYS[3], uid) or uid)
  end
end
return result
`;

export interface RedisPresenceOptions {
  /** Key prefix, so several clusters (or test suites) can share one Redis. */
  prefix?: string;
  /** How long a connection counts as present without a renewal (ms). */
  leaseMs?: number;
}

/**
 * Room presence shared by every node through Redis. Each connection holds a lease that
 * this node renews while the connection lives; a node that dies stops renewing, and its
 * people leave within one lease, with no ghost left behind. Every change is one Lua script,
 * so two nodes entering and leaving the same person cannot disagree about the count.
 */
export class RedisPresence implements PresenceStore {
  private readonly prefix: string;
  private readonly leaseMs: number;
  /** This node's live connections, renewed together. */
  private readonly mine = new Map<string, { room: RoomId; uid: string; conn: string }>();
  private readonly renewer: NodeJS.Timeout;

  constructor(
    private readonly redis: Redis,
    options: RedisPresenceOptions = {},
  ) {
    this.prefix = options.prefix ?? 'hubbub';
    this.leaseMs = options.leaseMs ?? 45_000;
    this.renewer = setInterval(() => void this.renew(), this.leaseMs / 3);
    this.renewer.unref();
  }

  async enter(room: RoomId, user: UserRef, connection: string): Promise<boolean> {
    const now = Date.now();
    this.mine.set(`${room}\n${user.id}\n${connection}`, { room, uid: user.id, conn: connection });
    // One script: an exit sent right after cannot overtake the enter.
    const result = await this.redis.eval(
      ENTER,
      5,
      ...this.keys(room),
      `${this.prefix}:{${room}}:presence:arrivals`,
      user.id,
      connection,
      user.name,
      now,
      now + this.leaseMs,
    );
    return result === 1;
  }

  async exit(room: RoomId, userId: string, connection: string): Promise<boolean> {
    this.mine.delete(`${room}\n${userId}\n${connection}`);
    const result = await this.redis.eval(EXIT, 4, ...this.keys(room), userId, connection);
    return result === 1;
  }

  async headcount(room: RoomId, limit: number): Promise<RoomHeadcount> {
    const result = (await this.redis.eval(
      HEADCOUNT,
      4,
      ...this.keys(room),
      Date.now(),
      limit,
    )) as Array<number | string>;
    const users: UserRef[] = [];
    for (let i = 1; i + 1 < result.length; i += 2)
      users.push({ id: String(result[i]), name: String(result[i + 1]) });
    return { users, count: Number(result[0]) };
  }

  /** Stops renewing; this node's connections then lapse (or were exited on shutdown). */
  close(): void {
    clearInterval(this.renewer);
  }

  private async renew(): Promise<void> {
    if (this.mine.size === 0) return;
    const until = Date.now() + this.leaseMs;
    const batch = this.redis.pipeline();
    for (const { room, uid, conn } of this.mine.values()) {
      // XX: only renew what is still there; a lapsed lease was already counted as gone.
      batch.zadd(this.keys(room)[0], 'XX', until, `${uid}\n${conn}`);
    }
    await batch.exec().catch(() => {});
  }

  private keys(room: RoomId): [string, string, string, string] {
    // One hash tag per room: a room's keys share a Redis Cluster slot.
    const base = `${this.prefix}:{${room}}:presence`;
    return [`${base}:conns`, `${base}:people`, `${base}:names`, `${base}:counts`];
  }
}
