import type { Redis } from 'ioredis';
import type { JobClaims } from './port.js';

/** Claims within one process (the embedded mode). */
export class LocalJobClaims implements JobClaims {
  private readonly held = new Map<string, number>();

  async claim(job: string, occurrence: string, holdMs: number): Promise<boolean> {
    const now = Date.now();
    for (const [key, until] of this.held) if (until <= now) this.held.delete(key);
    const key = `${job}\n${occurrence}`;
    if (this.held.has(key)) return false;
    this.held.set(key, now + holdMs);
    return true;
  }
}

/** Claims in Redis: `SET NX` on a key per occurrence, kept for `holdMs`, never released early. */
export class RedisJobClaims implements JobClaims {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'hubbub',
  ) {}

  async claim(job: string, occurrence: string, holdMs: number): Promise<boolean> {
    const key = `${this.prefix}:job:${job}:${occurrence}`;
    return (await this.redis.set(key, '1', 'PX', Math.max(1, Math.ceil(holdMs)), 'NX')) === 'OK';
  }
}
