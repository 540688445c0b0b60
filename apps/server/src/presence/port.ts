import type { RoomId, UserRef } from '@hubbub/protocol';

/** Who is in a room: the people present, counted once each, and how many there are. */
export interface RoomHeadcount {
  /** At most the `limit` asked for, in the order they arrived; empty when the limit is 0. */
  users: UserRef[];
  count: number;
}

/**
 * Room presence: which people have at least one connection in a room. Ephemeral by design
 * (never persisted). The in-process store serves one node; the Redis store (scale-out)
 * serves many, with entries that expire unless refreshed, so a crashed node's people leave
 * by themselves.
 */
export interface PresenceStore {
  /**
   * Records connection `connection` of `user` in `room`. Idempotent per connection. Resolves
   * true when this made the person present (their first connection there), false when they
   * already were, so a second tab changes nothing anyone sees.
   */
  enter(room: RoomId, user: UserRef, connection: string): Promise<boolean>;
  /**
   * Removes the connection. Resolves true when the person is no longer present (it was
   * their last connection there), false otherwise, including for an unknown connection.
   */
  exit(room: RoomId, userId: string, connection: string): Promise<boolean>;
  /** The people present in `room`: up to `limit` of them, and the exact count. */
  headcount(room: RoomId, limit: number): Promise<RoomHeadcount>;
}
