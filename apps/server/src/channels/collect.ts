import type { RoomId } from '@hubbub/protocol';
import type { ChannelStore } from './store.js';

/** How long an open room may stay without a message before it is collected (if empty). */
export const emptyRoomGraceMs = 3600_000;

const page = 500;

/**
 * Deletes the open rooms that were opened over `graceMs` ago, never had a message and have
 * nobody in them now: their rows go, and their names are free again (for a channel, or for
 * someone to open afresh). Standing rooms (`global`, OPEN_ROOMS) stay. Each one collected
 * is passed to `collected` (which drops the bus's and the nodes' copies). Resolves with
 * how many went.
 */
export async function collectEmptyRooms(
  store: Pick<ChannelStore, 'emptyOpenRooms' | 'dropEmptyRoom'>,
  deps: {
    standing(room: RoomId): boolean;
    occupied(room: RoomId): Promise<boolean>;
    collected(room: RoomId): Promise<void>;
    graceMs?: number;
    now?: number;
    signal?: AbortSignal;
  },
): Promise<number> {
  const before = (deps.now ?? Date.now()) - (deps.graceMs ?? emptyRoomGraceMs);
  const stopped = () => deps.signal?.aborted === true;
  let count = 0;
  for (let after = ''; !stopped(); ) {
    const rooms = await store.emptyOpenRooms(before, after, page);
    for (const room of rooms) {
      if (stopped()) break;
      if (deps.standing(room) || (await deps.occupied(room))) continue;
      if (!(await store.dropEmptyRoom(room))) continue;
      await deps.collected(room);
      count++;
    }
    if (rooms.length < page) break;
    after = rooms[rooms.length - 1]!;
  }
  return count;
}
