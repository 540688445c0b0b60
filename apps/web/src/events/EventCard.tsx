import type { LiveEvent } from '@hubbub/protocol';
import { Link } from '@tanstack/react-router';
import { MapPin, Users } from 'lucide-react';
import { useState } from 'react';
import { cn } from '../lib/cn.js';
import { formatCount, formatStart, formatTime } from './format.js';
import { kinds } from './kinds.js';
import { StatusBadge } from './StatusBadge.js';

/** Venue and city, as far as the source knows them. */
export function placeOf(event: LiveEvent): string {
  return (
    [event.venue, event.city].filter((part) => part !== null).join(', ') || 'Venue to be announced'
  );
}

/** One event on the dashboard: a link to its room (a real link: open in a tab, copy it). */
export function EventCard({ event, now }: { event: LiveEvent; now: number }) {
  const opensLater = Date.parse(event.roomOpensAt) > now && event.status === 'scheduled';
  const crowd = event.status === 'live' || event.viewers > 0;
  return (
    <li>
      <Link
        to="/"
        search={{ room: event.room }}
        data-testid="event-card"
        data-event={event.id}
        className="group flex h-full flex-col overflow-hidden rounded-xl border border-slate-800 bg-slate-900 transition-colors hover:border-slate-600 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-400"
      >
        <div className="relative aspect-video overflow-hidden bg-slate-800">
          <EventImage event={event} />
          <StatusBadge status={event.status} className="absolute top-2 left-2 shadow" />
          {crowd && (
            <span
              data-testid="viewers"
              className="absolute right-2 bottom-2 inline-flex items-center gap-1 rounded bg-slate-950/80 px-1.5 py-0.5 text-xs text-slate-100 tabular-nums"
            >
              <Users aria-hidden className="size-3" /> {formatCount(event.viewers)} watching
            </span>
          )}
        </div>
        <div className="flex flex-1 flex-col gap-1 p-3">
          <h3
            data-testid="event-name"
            className={cn(
              'line-clamp-2 font-semibold text-slate-100 group-hover:text-white',
              event.status === 'cancelled' && 'text-slate-400 line-through',
            )}
          >
            {event.name}
          </h3>
          <p className="flex items-center gap-1 truncate text-sm text-slate-400">
            <MapPin aria-hidden className="size-3.5 shrink-0" />
            <span className="truncate">{placeOf(event)}</span>
          </p>
          <p className="text-sm text-slate-300">
            <time dateTime={event.startsAt}>{formatStart(event.startsAt, now)}</time>
          </p>
          {opensLater && (
            <p className="text-xs text-slate-400">Chat opens at {formatTime(event.roomOpensAt)}</p>
          )}
        </div>
      </Link>
    </li>
  );
}

/** The event's picture, loaded as it scrolls into view; its kind's emblem when it has none. */
function EventImage({ event }: { event: LiveEvent }) {
  const [failed, setFailed] = useState(false);
  const kind = kinds[event.classification];
  if (event.image === null || failed) {
    const Icon = kind.icon;
    return (
      <div
        className={cn('flex size-full items-center justify-center bg-gradient-to-br', kind.tint)}
      >
        <Icon aria-hidden className="size-10 text-white/40" />
      </div>
    );
  }
  return (
    <img
      src={event.image}
      alt=""
      loading="lazy"
      decoding="async"
      referrerPolicy="no-referrer"
      onError={() => setFailed(true)}
      className="size-full object-cover transition-transform group-hover:scale-105"
    />
  );
}

/** A card's shape while the list loads. */
export function CardSkeleton() {
  return (
    <li aria-hidden className="overflow-hidden rounded-xl border border-slate-800 bg-slate-900">
      <div className="aspect-video animate-pulse bg-slate-800" />
      <div className="flex flex-col gap-2 p-3">
        <div className="h-4 w-3/4 animate-pulse rounded bg-slate-800" />
        <div className="h-3 w-1/2 animate-pulse rounded bg-slate-800" />
        <div className="h-3 w-1/3 animate-pulse rounded bg-slate-800" />
      </div>
    </li>
  );
}
