import type { RoomId } from '@hubbub/protocol';
import { HubbubError } from '@hubbub/sdk';
import { useNow } from '../lib/use-now.js';
import { placeOf } from './EventCard.js';
import { formatStart, formatTime } from './format.js';
import { statusAt } from './listing.js';
import { StatusBadge } from './StatusBadge.js';
import { useLiveEvent } from './use-live-event.js';

/**
 * For someone signed out who followed a link to an event's room: which event they are about
 * to join, when and where, and whether it is on, before they pick a way in.
 */
export function EventInvite({ room }: { room: RoomId }) {
  const query = useLiveEvent(room);
  const now = useNow(15_000);
  const event = query.data;
  const gone = query.error instanceof HubbubError && query.error.code === 'not_found';
  return (
    <section
      aria-label="The event you are joining"
      aria-busy={query.isPending}
      className="flex flex-col gap-1.5 rounded-xl border border-slate-800 bg-slate-900/60 p-4"
    >
      <p className="text-xs font-semibold tracking-wide text-slate-400 uppercase">
        You are about to join the chat of
      </p>
      {event !== undefined ? (
        <>
          <h2 className="text-lg leading-snug font-semibold text-slate-100">{event.name}</h2>
          <p className="flex flex-wrap items-center gap-x-2 gap-y-1 text-sm text-slate-300">
            <StatusBadge status={statusAt(event, now)} />
            <time dateTime={event.startsAt}>{formatStart(event.startsAt, now)}</time>
          </p>
          <p className="text-sm text-slate-400">{placeOf(event)}</p>
          {Date.parse(event.roomOpensAt) > now && (
            <p className="text-sm text-amber-200">Chat opens at {formatTime(event.roomOpensAt)}</p>
          )}
        </>
      ) : query.isError ? (
        <p className="text-sm text-slate-300">
          {gone
            ? 'This event is no longer listed; its chat may have closed.'
            : 'The event could not be loaded. You can still sign in and try its chat.'}
        </p>
      ) : (
        <div aria-hidden className="h-6 w-2/3 animate-pulse rounded bg-slate-800" />
      )}
    </section>
  );
}
