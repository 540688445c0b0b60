import type { RoomId } from '@hubbub/protocol';
import { Ticket, Users } from 'lucide-react';
import { useSyncExternalStore } from 'react';
import { useChat } from '../chat-context.js';
import { useNow } from '../lib/use-now.js';
import { placeOf } from './EventCard.js';
import { formatCount, formatStart, formatTime } from './format.js';
import { statusAt } from './listing.js';
import { StatusBadge } from './StatusBadge.js';
import { useLiveEvent } from './use-live-event.js';

/**
 * An event room's header line: where and when, whether it is on (moving with the clock, so
 * the badge turns LIVE at the start), and how many are in the room now (its presence).
 */
export function EventDetails({ room }: { room: RoomId }) {
  const { store } = useChat();
  const event = useLiveEvent(room).data;
  const presence = useSyncExternalStore(store.subscribe, () => store.presence(room));
  const now = useNow(15_000);
  if (event === undefined) return null;
  const viewers = presence?.count ?? event.viewers;
  return (
    <p className="flex flex-wrap items-center gap-x-2 gap-y-0.5 text-xs text-slate-400">
      <StatusBadge status={statusAt(event, now)} />
      <span className="truncate">{placeOf(event)}</span>
      <span aria-hidden>·</span>
      <time dateTime={event.startsAt}>{formatStart(event.startsAt, now)}</time>
      <span aria-hidden>·</span>
      <span data-testid="viewer-count" className="inline-flex items-center gap-1 tabular-nums">
        <Users aria-hidden className="size-3.5" /> {formatCount(viewers)} watching
      </span>
      {Date.parse(event.roomOpensAt) > now && (
        <span className="text-amber-200">Chat opens at {formatTime(event.roomOpensAt)}</span>
      )}
      {event.ticketUrl !== null && (
        <a
          href={event.ticketUrl}
          target="_blank"
          rel="noopener noreferrer"
          className="inline-flex items-center gap-1 text-sky-300 hover:underline"
        >
          <Ticket aria-hidden className="size-3.5" /> Tickets
        </a>
      )}
    </p>
  );
}
