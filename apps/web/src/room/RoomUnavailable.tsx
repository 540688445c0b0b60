import type { ChannelListing, RoomId } from '@hubbub/protocol';
import { Link } from '@tanstack/react-router';
import { Lock } from 'lucide-react';
import { useEffect, useRef } from 'react';
import { useChat } from '../chat-context.js';
import type { Refusal } from '../chat-store.js';
import { Button } from '../components/ui/button.js';
import { eventIdOf } from '../events/use-live-event.js';

/** What the page says instead of a room it may not show, and what one can do about it. */
function explain(
  refusal: Refusal,
  title: string,
  isAccount: boolean,
): { heading: string; detail: string; rejoin?: boolean } {
  switch (refusal.code) {
    case 'forbidden':
      return isAccount
        ? {
            heading: `You don’t have access to ${title}`,
            detail:
              'It is a private channel: only the people its members add can see it. Ask one of them to add you.',
          }
        : {
            heading: `Sign in to join ${title}`,
            detail: 'Guests can chat in open rooms and event rooms; channels are for accounts.',
          };
    case 'not_found':
      return { heading: `${title} does not exist`, detail: 'Check the link, or pick a room.' };
    case 'banned':
      return { heading: `You are banned from ${title}`, detail: refusal.message };
    case 'room_closed':
      return { heading: `${title} has closed`, detail: 'Its event is over and its chat is gone.' };
    case 'room_not_open':
      return {
        heading: `${title} is not open yet`,
        detail: `${refusal.message}. Stay on this page: you are let in as it opens.`,
      };
    case 'kicked':
    case 'removed':
      return { heading: refusal.message, detail: 'You can join again.', rejoin: true };
    default:
      return {
        heading: `${title} could not be opened`,
        detail: refusal.message,
        rejoin: true,
      };
  }
}

/**
 * In place of the timeline and the composer when the room refused us (a private channel's
 * link, a ban, a closed event) or put us out: a clear statement and a way back, never an
 * empty room with a composer that cannot work.
 */
export function RoomUnavailable({
  room,
  title,
  refusal,
  listing,
}: {
  room: RoomId;
  title: string;
  refusal: Refusal;
  listing: ChannelListing | undefined;
}) {
  const { store, isAccount, openRoom } = useChat();
  const { heading, detail, rejoin } = explain(refusal, title, isAccount);
  const headingRef = useRef<HTMLHeadingElement>(null);
  // Said as it appears: focus moves to the statement, as after a page change.
  useEffect(() => headingRef.current?.focus(), []);
  // Public channels and open rooms (global, an event's) take one back; a private channel's
  // door opens only from inside (its listing is gone by now, so no listing says private).
  const canRejoin =
    rejoin === true && (listing?.visibility === 'public' || eventIdOf(room) !== undefined);
  return (
    <div
      className="flex flex-1 flex-col items-center justify-center gap-4 p-6 text-center"
      data-testid="room-unavailable"
      data-code={refusal.code}
    >
      <Lock aria-hidden className="size-10 text-slate-500" />
      <h2 ref={headingRef} tabIndex={-1} className="text-xl font-semibold focus:outline-none">
        {heading}
      </h2>
      <p className="max-w-md text-slate-300">{detail}</p>
      <div className="flex flex-wrap justify-center gap-2">
        {canRejoin && (
          <Button variant="secondary" onClick={() => void store.join(room)}>
            Join again
          </Button>
        )}
        {room !== 'global' && <Button onClick={() => openRoom('global')}>Go to #global</Button>}
        <Button variant="ghost" asChild>
          <Link to="/events">Live events</Link>
        </Button>
      </div>
    </div>
  );
}
