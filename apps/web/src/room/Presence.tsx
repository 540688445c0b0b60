import type { ChannelListing, RoomId } from '@hubbub/protocol';
import { describeTyping } from '@hubbub/sdk';
import { Users } from 'lucide-react';
import { useSyncExternalStore } from 'react';
import { useChat } from '../chat-context.js';
import { Avatar } from '../components/Avatar.js';
import { Popover, PopoverContent, PopoverTrigger } from '../components/ui/popover.js';
import { useLive } from './ConnectionBadge.js';

/**
 * Who is here: in a DM, whether the other person is; in a channel, how many are online,
 * with the list a click away; in a crowd too big to list, just the count.
 */
export function Presence({ room, listing }: { room: RoomId; listing: ChannelListing | undefined }) {
  const { store, me } = useChat();
  const presence = useSyncExternalStore(store.subscribe, () => store.presence(room));
  const live = useLive(store);
  if (presence === undefined) return null;
  // Not connected: whether the other person is here is unknown; a count is what was last
  // heard, greyed and not a live list.
  if (!live) {
    if (listing?.kind === 'dm') return null;
    return (
      <span
        data-stale
        title="Not connected: the count when the connection dropped"
        className="inline-flex items-center gap-1 text-xs whitespace-nowrap text-slate-400 italic"
      >
        <Dot online={false} /> {presence.count} online
        <span className="sr-only"> (last known)</span>
      </span>
    );
  }
  if (listing?.kind === 'dm' && listing.peer !== null) {
    const here = presence.users?.some((u) => u.id === listing.peer?.id) ?? false;
    return (
      <span className="inline-flex items-center gap-1.5 text-xs text-slate-400">
        <Dot online={here} />
        {here ? 'here now' : 'away'}
      </span>
    );
  }
  const label = `${presence.count} online`;
  if (presence.users === undefined)
    return (
      <span className="inline-flex items-center gap-1 text-xs text-slate-400">
        <Users aria-hidden className="size-3.5" /> {label}
      </span>
    );
  return (
    <Popover>
      <PopoverTrigger
        className="inline-flex items-center gap-1 rounded-md px-1.5 py-0.5 text-xs text-slate-300 hover:bg-slate-800 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-400"
        aria-label={`${label}: show who`}
      >
        <Dot online /> {label}
      </PopoverTrigger>
      <PopoverContent align="end" aria-label="Online now">
        <p className="pb-2 text-xs font-semibold tracking-wide text-slate-400 uppercase">
          Online now
        </p>
        <ul className="flex max-h-72 flex-col gap-1.5 overflow-y-auto">
          {presence.users.map((user) => (
            <li key={user.id} className="flex items-center gap-2">
              <Avatar name={user.name} />
              <span className="truncate">
                <bdi>{user.name}</bdi>
                {user.id === me.id && <span className="text-slate-400"> (you)</span>}
              </span>
            </li>
          ))}
        </ul>
      </PopoverContent>
    </Popover>
  );
}

function Dot({ online }: { online: boolean }) {
  return (
    <span
      aria-hidden
      className={`size-2 rounded-full ${online ? 'bg-emerald-400' : 'border border-slate-500'}`}
    />
  );
}

/** "Alice is typing…" under the timeline, announced politely to screen readers. */
export function TypingLine({ room }: { room: RoomId }) {
  const { store } = useChat();
  const typing = useSyncExternalStore(store.subscribe, () => store.typing(room));
  return (
    <p aria-live="polite" className="h-5 truncate px-4 text-xs text-slate-400 italic">
      {describeTyping(typing) ?? ''}
    </p>
  );
}
