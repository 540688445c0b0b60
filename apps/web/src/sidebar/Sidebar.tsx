import { type ChannelListing, limits, type RoomId } from '@hubbub/protocol';
import { Link } from '@tanstack/react-router';
import { ChartLine, Lock, LogOut, Radio } from 'lucide-react';
import { type ReactNode, useId, useSyncExternalStore } from 'react';
import { useCanReadAnalytics } from '../analytics/access.js';
import { globalRoom, roomLabel, useChannels, useChat } from '../chat-context.js';
import { Avatar } from '../components/Avatar.js';
import { Button } from '../components/ui/button.js';
import { eventIdOf, useLiveEvent } from '../events/use-live-event.js';
import { cn } from '../lib/cn.js';
import { BrowseChannels } from './BrowseChannels.js';
import { CreateChannel } from './CreateChannel.js';
import { NewMessage } from './NewMessage.js';

/** The rooms one is in: channels (with browse and create), then DMs, then who is signed in. */
export function Sidebar({ current, onSignOut }: { current: RoomId; onSignOut: () => void }) {
  const { me, isAccount } = useChat();
  const channels = useChannels();
  const joined = [globalRoom, ...channels.filter((c) => c.kind === 'channel' && c.role !== null)];
  const dms = channels.filter((c) => c.kind === 'dm');
  const canReadAnalytics = useCanReadAnalytics();
  return (
    <div className="flex min-h-0 w-full flex-1 flex-col gap-4 p-3">
      <span className="text-lg font-bold tracking-tight">Hubbub</span>
      <nav aria-label="Rooms" className="flex min-h-0 flex-1 flex-col gap-5 overflow-y-auto">
        <Link
          to="/events"
          className="flex items-center gap-2 rounded-md px-2 py-1.5 text-sm font-medium text-slate-200 hover:bg-slate-800 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-400"
        >
          <Radio aria-hidden className="size-4 text-red-400" /> Live events
        </Link>
        {eventIdOf(current) !== undefined && <WatchingNow room={current} />}
        <Section
          title="Channels"
          actions={
            isAccount && (
              <>
                <BrowseChannels />
                <CreateChannel />
              </>
            )
          }
        >
          {joined.map((listing) => (
            <RoomLink key={listing.room} listing={listing} current={current} />
          ))}
        </Section>
        {isAccount && (
          <Section title="Direct messages" actions={<NewMessage />}>
            {dms.length === 0 && (
              <p className="px-2 text-xs text-slate-400">No conversations yet.</p>
            )}
            {dms.map((listing) => (
              <RoomLink key={listing.room} listing={listing} current={current} />
            ))}
          </Section>
        )}
      </nav>
      <footer className="flex items-center justify-between gap-2 border-t border-slate-800 pt-3 text-sm">
        <span className="truncate text-slate-300">
          {me.name}
          {isAccount ? '' : ' (guest)'}
        </span>
        <span className="flex items-center gap-1">
          {canReadAnalytics && (
            <Button variant="ghost" size="icon-sm" asChild>
              <Link to="/analytics" aria-label="Analytics" title="Analytics">
                <ChartLine aria-hidden />
              </Link>
            </Button>
          )}
          <Button variant="ghost" size="sm" onClick={onSignOut}>
            <LogOut aria-hidden /> Sign out
          </Button>
        </span>
      </footer>
    </div>
  );
}

/** The event room on screen: event rooms are in no list, but one should see where one is. */
function WatchingNow({ room }: { room: RoomId }) {
  const name = useLiveEvent(room).data?.name ?? 'Live event';
  return (
    <Section title="Watching">
      <span
        aria-current="page"
        className="flex items-center gap-2 truncate rounded-md bg-slate-700 px-2 py-1.5 text-sm text-white"
      >
        <span aria-hidden className="size-2 shrink-0 rounded-full bg-red-500" />
        <span className="truncate">{name}</span>
      </span>
    </Section>
  );
}

function Section({
  title,
  actions,
  children,
}: {
  title: string;
  actions?: ReactNode;
  children: ReactNode;
}) {
  return (
    <section aria-label={title} className="flex flex-col gap-0.5">
      <div className="flex items-center justify-between px-2 pb-1">
        <h2 className="text-xs font-semibold tracking-wide text-slate-400 uppercase">{title}</h2>
        <div className="flex gap-0.5">{actions}</div>
      </div>
      {children}
    </section>
  );
}

function RoomLink({ listing, current }: { listing: ChannelListing; current: RoomId }) {
  const { openRoom, store } = useChat();
  const active = listing.room === current;
  const unread = useSyncExternalStore(store.subscribe, () => store.unread(listing.room));
  const mentions = useSyncExternalStore(store.subscribe, () => store.mentions(listing.room));
  // DMs stay joined, so the DM's own presence says whether the other person is around
  // (a dot on their avatar; the room's header says it in words). Not connected: no dot.
  const peerOnline = useSyncExternalStore(store.subscribe, () =>
    listing.kind === 'dm' && listing.peer !== null && store.status.state === 'ready'
      ? (store.presence(listing.room)?.users?.some((u) => u.id === listing.peer?.id) ?? false)
      : undefined,
  );
  const label = roomLabel(listing.room, listing);
  const unreadId = useId();
  return (
    <>
      {/* A real link (open in a new tab works); a plain click stays in this page's store. */}
      <Link
        to="/"
        search={{ room: listing.room }}
        aria-current={active ? 'page' : undefined}
        aria-describedby={unread > 0 ? unreadId : undefined}
        onClick={(event) => {
          if (event.defaultPrevented || event.button !== 0) return;
          if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
          event.preventDefault();
          openRoom(listing.room);
        }}
        className={cn(
          'flex items-center gap-2 truncate rounded-md px-2 py-1.5 text-left text-sm focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-400',
          active ? 'bg-slate-700 text-white' : 'text-slate-300 hover:bg-slate-800',
          unread > 0 && !active && 'font-semibold text-white',
        )}
      >
        {listing.kind === 'dm' && <Avatar name={listing.peer?.name ?? '?'} online={peerOnline} />}
        <bdi className="truncate">{label}</bdi>
        {listing.kind === 'channel' && listing.visibility === 'private' && (
          <Lock className="size-3.5 shrink-0 text-slate-400" aria-label="private" />
        )}
        {mentions > 0 && (
          <span
            aria-hidden
            data-testid="mentions"
            className="ml-auto rounded-full bg-rose-600 px-1.5 text-xs font-semibold text-white tabular-nums"
          >
            @{mentions}
          </span>
        )}
        {unread > 0 && (
          <span
            aria-hidden
            data-testid="unread"
            className={cn(
              'rounded-full bg-sky-600 px-1.5 text-xs font-semibold text-white tabular-nums',
              mentions === 0 && 'ml-auto',
            )}
          >
            {unread > limits.unreadCountMax ? `${limits.unreadCountMax}+` : unread}
          </span>
        )}
      </Link>
      {unread > 0 && (
        <span id={unreadId} className="sr-only">
          {unread} unread{mentions > 0 ? `, ${mentions} mentioning you` : ''}
        </span>
      )}
    </>
  );
}
