import type { RoomId } from '@hubbub/protocol';
import { fetchEvent } from '@hubbub/sdk';
import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { ChatStore } from '../chat-store.js';

const prefix = 'event:';

/** The event an event room (`event:<id>`) is for; undefined for any other room. */
export function eventIdOf(room: RoomId): string | undefined {
  return room.startsWith(prefix) ? room.slice(prefix.length) : undefined;
}

/**
 * The event of an event room, from the catalog, refreshed now and then (a postponement, a
 * cancellation). Live counts come from the room's presence, not from here.
 */
export function useLiveEvent(room: RoomId) {
  const id = eventIdOf(room);
  return useQuery({
    queryKey: ['event', id],
    enabled: id !== undefined,
    queryFn: () => fetchEvent(window.location.origin, id ?? ''),
    staleTime: 60_000,
    refetchInterval: 5 * 60_000,
  });
}

/**
 * Joins an event's room as it opens, for someone who came early: their first join was
 * refused (`room_not_open`, explained then), and waiting on the page should be enough.
 */
export function useJoinWhenOpen(store: ChatStore, room: RoomId): void {
  const opensAt = useLiveEvent(room).data?.roomOpensAt;
  useEffect(() => {
    if (opensAt === undefined) return;
    const wait = Date.parse(opensAt) - Date.now();
    // Already open: the usual join did it. Beyond a timer's range (24 days): a reload will.
    if (wait <= 0 || wait >= 2 ** 31) return;
    // A second late, as this clock and the server's may differ a little.
    const timer = setTimeout(() => void store.join(room), wait + 1000);
    return () => clearTimeout(timer);
  }, [store, room, opensAt]);
}
