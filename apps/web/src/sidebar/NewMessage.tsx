import { useQuery } from '@tanstack/react-query';
import { MessageSquarePlus } from 'lucide-react';
import { useState } from 'react';
import { useChat } from '../chat-context.js';
import { Avatar } from '../components/Avatar.js';
import { Input } from '../components/ui/input.js';
import { useDebounced } from '../lib/debounce.js';
import { SidebarDialog } from './SidebarDialog.js';

/** Finds a person by name and opens the DM with them. */
export function NewMessage() {
  const { api, openDm } = useChat();
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const query = useDebounced(text.trim(), 200);
  const results = useQuery({
    queryKey: ['users', query],
    enabled: open && query !== '',
    queryFn: () => api.searchUsers(query),
  });
  return (
    <SidebarDialog
      label="New message"
      icon={<MessageSquarePlus />}
      description="Find someone by name or username."
      open={open}
      onOpenChange={setOpen}
    >
      <Input
        aria-label="Find a person"
        placeholder="Name or username"
        value={text}
        onChange={(e) => setText(e.target.value)}
      />
      <ul aria-label="People" className="-mx-2 flex max-h-[50vh] flex-col overflow-y-auto">
        {query !== '' && results.data?.length === 0 && (
          <li className="px-2 text-sm text-slate-400">Nobody by that name.</li>
        )}
        {results.data?.map((user) => (
          <li key={user.id}>
            <button
              type="button"
              className="flex w-full items-center gap-2 rounded-md px-2 py-2 text-left hover:bg-slate-800 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-400"
              onClick={() => {
                setOpen(false);
                setText('');
                void openDm(user.id);
              }}
            >
              <Avatar name={user.name} />
              <bdi className="font-medium">{user.name}</bdi>
              {user.username !== null && (
                <span className="text-sm text-slate-400">@{user.username}</span>
              )}
            </button>
          </li>
        ))}
      </ul>
    </SidebarDialog>
  );
}
