import {
  type ChannelListing,
  type ModesFrame,
  noModes,
  type RoomId,
  type RoomModes,
} from '@hubbub/protocol';
import { useQueryClient } from '@tanstack/react-query';
import { Hourglass, LogOut, Menu, Settings2, Users } from 'lucide-react';
import { type ReactNode, useState, useSyncExternalStore } from 'react';
import { useChat } from '../chat-context.js';
import { withVisibleControls } from '../components/UserText.js';
import { Button } from '../components/ui/button.js';
import {
  DropdownMenu,
  DropdownMenuCheckboxItem,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuRadioGroup,
  DropdownMenuRadioItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from '../components/ui/dropdown-menu.js';
import { MembersDialog } from '../members/MembersDialog.js';
import { ConnectionBadge } from './ConnectionBadge.js';
import { Presence } from './Presence.js';
import { SearchDialog } from './SearchDialog.js';

const slowModeChoices = [0, 5, 30, 60, 300];
const delayChoices = [0, 3, 5, 10];
/** Unique chat, when switched on from the menu: no repeat of the last half minute. */
const uniqueChatSeconds = 30;

/** The crowd modes on, as short labels for the header. */
function modeBadges(modes: RoomModes): string[] {
  return [
    modes.membersOnly && 'Members only',
    modes.emoteOnly && 'Emote only',
    modes.uniqueChatSeconds > 0 && 'Unique chat',
    modes.delaySeconds > 0 && `${modes.delaySeconds} s delay`,
  ].filter((badge): badge is string => badge !== false);
}

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
  const told = useSyncExternalStore(store.subscribe, () => store.crowd.modesOf(room));
  const modes = told ?? noModes;
  // Told in `joined` too: an event's moderators and the admins, whom no listing names.
  const moderates =
    useSyncExternalStore(store.subscribe, () => store.crowd.moderates(room)) || moderator;
  // Before the room's `joined` says, the channel listing's slow mode stands in.
  const slowMode = told?.slowModeSeconds ?? listing?.slowModeSeconds ?? 0;
  const member = listing?.kind === 'channel' && listing.role !== null;
  const topic = listing?.topic ?? '';
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
        <h1 className="truncate font-semibold">
          <bdi>{title}</bdi>
        </h1>
        {/* Under the name, so that on a phone the name has the row: what the room is about
            (it gives way first), then who is here and the connection, on the right. */}
        <div className="flex flex-wrap items-center justify-end gap-x-2 gap-y-0.5">
          <div className="min-w-0 flex-1 basis-0">
            {details ??
              (topic !== '' && (
                <p className="truncate text-xs text-slate-400">
                  <bdi>{withVisibleControls(topic)}</bdi>
                </p>
              ))}
          </div>
          {details === undefined && <Presence room={room} listing={listing} />}
          <ConnectionBadge store={store} />
        </div>
      </div>
      {slowMode > 0 && (
        <span className="hidden items-center gap-1 rounded-full bg-slate-800 px-2 py-0.5 text-xs text-slate-300 sm:inline-flex">
          <Hourglass aria-hidden className="size-3" /> Slow mode {slowMode} s
        </span>
      )}
      {modeBadges(modes).map((badge) => (
        <span
          key={badge}
          className="hidden rounded-full bg-slate-800 px-2 py-0.5 text-xs text-slate-300 sm:inline-flex"
        >
          {badge}
        </span>
      ))}
      <SearchDialog room={room} title={title} />
      {(moderates || member) && (
        <RoomMenu
          room={room}
          listing={listing}
          slowMode={slowMode}
          modes={modes}
          moderator={moderates}
          member={member}
        />
      )}
    </header>
  );
}

function RoomMenu({
  room,
  listing,
  slowMode,
  modes,
  moderator,
  member,
}: {
  room: RoomId;
  listing: ChannelListing | undefined;
  slowMode: number;
  modes: RoomModes;
  moderator: boolean;
  member: boolean;
}) {
  const { store, api, me, openRoom } = useChat();
  const switchModes = (change: Omit<ModesFrame, 'type' | 'room'>) =>
    store.client.moderate({ type: 'modes', room, ...change });
  const toggles: Array<{ label: string; on: boolean; change: Omit<ModesFrame, 'type' | 'room'> }> =
    [
      {
        label: 'Members only (no guests)',
        on: modes.membersOnly,
        change: { membersOnly: !modes.membersOnly },
      },
      { label: 'Emote only', on: modes.emoteOnly, change: { emoteOnly: !modes.emoteOnly } },
      {
        label: `Unique chat (${uniqueChatSeconds} s)`,
        on: modes.uniqueChatSeconds > 0,
        change: { uniqueChatSeconds: modes.uniqueChatSeconds > 0 ? 0 : uniqueChatSeconds },
      },
    ];
  const queries = useQueryClient();
  const [membersOpen, setMembersOpen] = useState(false);
  async function leave() {
    await store.leaveChannel(room, () => api.removeMember(room, me.id));
    await queries.invalidateQueries({ queryKey: ['channels'] });
    openRoom('global');
  }
  return (
    <>
      {member && listing !== undefined && (
        <MembersDialog
          room={room}
          listing={listing}
          open={membersOpen}
          onOpenChange={setMembersOpen}
        />
      )}
      <DropdownMenu>
        <DropdownMenuTrigger asChild>
          <Button variant="ghost" size="icon" aria-label="Room options">
            <Settings2 />
          </Button>
        </DropdownMenuTrigger>
        <DropdownMenuContent align="end">
          {member && (
            <>
              <DropdownMenuItem onSelect={() => setMembersOpen(true)}>
                <Users aria-hidden /> Members
                {listing?.visibility === 'private' ? ' and access' : ''}
              </DropdownMenuItem>
              <DropdownMenuSeparator />
            </>
          )}
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
              <DropdownMenuSeparator />
              <DropdownMenuLabel>Crowd modes</DropdownMenuLabel>
              {toggles.map((toggle) => (
                <DropdownMenuCheckboxItem
                  key={toggle.label}
                  checked={toggle.on}
                  onCheckedChange={() => switchModes(toggle.change)}
                >
                  {toggle.label}
                </DropdownMenuCheckboxItem>
              ))}
              <DropdownMenuSeparator />
              <DropdownMenuLabel>Chat delay (review first)</DropdownMenuLabel>
              <DropdownMenuRadioGroup
                value={String(modes.delaySeconds)}
                onValueChange={(value) => switchModes({ delaySeconds: Number(value) })}
              >
                {delayChoices.map((seconds) => (
                  <DropdownMenuRadioItem key={seconds} value={String(seconds)}>
                    {seconds === 0 ? 'Off' : `${seconds} s`}
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
    </>
  );
}
