import type { ChannelListing, RoomId } from '@hubbub/protocol';
import { useQueryClient } from '@tanstack/react-query';
import { Hourglass, LogOut, Menu, Settings2 } from 'lucide-react';
import { type ReactNode, useSyncExternalStore } from 'react';
import { useChat } from '../chat-context.js';
import { Button } from '../components/ui/button.js';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuRadioGroup,
  DropdownMenuRadioItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from '../components/ui/dropdown-menu.js';
import { ConnectionBadge } from './ConnectionBadge.js';
import { Presence } from './Presence.js';
import { SearchDialog } from './SearchDialog.js';

const slowModeChoices = [0, 5, 30, 60, 300];

/** The open room's name and topic, its slow mode, the connection, and the room's menu. */
export function RoomHeader({
  room,
  title,
  listing,
  moderator,
  onOpenRooms,
  details,
}: {
  room: RoomId;
  title: string;
  listing: ChannelListing | undefined;
  moderator: boolean;
  onOpenRooms: () => void;
  /** What goes under the title instead of the topic and who is here (an event's line). */
  details?: ReactNode;
}) {
  const { store } = useChat();
  const announced = useSyncExternalStore(store.subscribe, () => store.slowMode(room));
  const slowMode = announced ?? listing?.slowModeSeconds ?? 0;
  const member = listing?.kind === 'channel' && listing.role !== null;
  return (
    <header className="flex min-h-14 items-center gap-2 border-b border-slate-800 px-3 py-2">
      <Button
        variant="ghost"
        size="icon"
        className="md:hidden"
        aria-label="Open rooms"
        onClick={onOpenRooms}
      >
        <Menu />
      </Button>
      <div className="min-w-0 flex-1">
        <h2 className="truncate font-semibold">{title}</h2>
        {details ??
          (listing?.topic !== undefined && listing.topic !== '' && (
            <p className="truncate text-xs text-slate-400">{listing.topic}</p>
          ))}
      </div>
      {details === undefined && <Presence room={room} listing={listing} />}
      {slowMode > 0 && (
        <span className="hidden items-center gap-1 rounded-full bg-slate-800 px-2 py-0.5 text-xs text-slate-300 sm:inline-flex">
          <Hourglass aria-hidden className="size-3" /> Slow mode {slowMode} s
        </span>
      )}
      <ConnectionBadge store={store} />
      <SearchDialog room={room} title={title} />
      {(moderator || member) && (
        <RoomMenu room={room} slowMode={slowMode} moderator={moderator} member={member} />
      )}
    </header>
  );
}

function RoomMenu({
  room,
  slowMode,
  moderator,
  member,
}: {
  room: RoomId;
  slowMode: number;
  moderator: boolean;
  member: boolean;
}) {
  const { store, api, me, openRoom } = useChat();
  const queries = useQueryClient();
  async function leave() {
    await store.leaveChannel(room, () => api.removeMember(room, me.id));
    await queries.invalidateQueries({ queryKey: ['channels'] });
    openRoom('global');
  }
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button variant="ghost" size="icon" aria-label="Room options">
          <Settings2 />
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end">
        {moderator && (
          <>
            <DropdownMenuLabel>Slow mode</DropdownMenuLabel>
            <DropdownMenuRadioGroup
              value={String(slowMode)}
              onValueChange={(value) =>
                store.client.moderate({ type: 'slow_mode', room, seconds: Number(value) })
              }
            >
              {slowModeChoices.map((seconds) => (
                <DropdownMenuRadioItem key={seconds} value={String(seconds)}>
                  {seconds === 0 ? 'Off' : `One message every ${seconds} s`}
                </DropdownMenuRadioItem>
              ))}
            </DropdownMenuRadioGroup>
          </>
        )}
        {moderator && member && <DropdownMenuSeparator />}
        {member && (
          <DropdownMenuItem tone="danger" onSelect={() => void leave().catch(() => {})}>
            <LogOut aria-hidden /> Leave channel
          </DropdownMenuItem>
        )}
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
