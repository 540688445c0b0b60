import { useQueryClient } from '@tanstack/react-query';
import { Compass, Lock, Users } from 'lucide-react';
import { useState } from 'react';
import { useChannels, useChat } from '../chat-context.js';
import { withVisibleControls } from '../components/UserText.js';
import { Button } from '../components/ui/button.js';
import { Input } from '../components/ui/input.js';
import { SidebarDialog } from './SidebarDialog.js';

/** Every public channel (and one's private ones), with who is in it; opening one joins it. */
export function BrowseChannels() {
  const { openRoom } = useChat();
  const queries = useQueryClient();
  const channels = useChannels().filter((c) => c.kind === 'channel');
  const [open, setOpen] = useState(false);
  const [filter, setFilter] = useState('');
  const needle = filter.trim().toLowerCase();
  const shown = channels.filter(
    (c) => c.room.includes(needle) || c.topic.toLowerCase().includes(needle),
  );
  return (
    <SidebarDialog
      label="Browse channels"
      icon={<Compass />}
      description="Open a public channel to join it."
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        // Channels come and go while one chats: the browser shows the list as it is now.
        if (next) void queries.invalidateQueries({ queryKey: ['channels'] });
      }}
    >
      <Input
        aria-label="Filter channels"
        placeholder="Filter by name or topic"
        value={filter}
        onChange={(e) => setFilter(e.target.value)}
      />
      <ul className="-mx-2 flex max-h-[50vh] flex-col overflow-y-auto" aria-label="Channels">
        {shown.length === 0 && <li className="px-2 text-sm text-slate-400">No such channel.</li>}
        {shown.map((c) => (
          <li
            key={c.room}
            className="flex items-center justify-between gap-3 rounded-md px-2 py-2 hover:bg-slate-800/60"
          >
            <div className="min-w-0">
              <div className="flex items-center gap-1 font-medium">
                #{c.room}
                {c.visibility === 'private' && (
                  <Lock className="size-3.5 text-slate-400" aria-label="private" />
                )}
              </div>
              <div className="flex items-center gap-1 truncate text-xs text-slate-400">
                <Users className="size-3" aria-hidden />
                {c.members} {c.members === 1 ? 'member' : 'members'}
                {c.topic !== '' && (
                  <>
                    {' · '}
                    <bdi>{withVisibleControls(c.topic)}</bdi>
                  </>
                )}
              </div>
            </div>
            <Button
              size="sm"
              variant={c.role === null ? 'primary' : 'secondary'}
              aria-label={`${c.role === null ? 'Join' : 'Open'} #${c.room}`}
              onClick={() => {
                setOpen(false);
                openRoom(c.room);
              }}
            >
              {c.role === null ? 'Join' : 'Open'}
            </Button>
          </li>
        ))}
      </ul>
    </SidebarDialog>
  );
}
