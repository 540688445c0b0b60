import type { UserSearchResponse } from '@hubbub/protocol';
import { useQuery } from '@tanstack/react-query';
import { useChat } from '../chat-context.js';
import { Avatar } from '../components/Avatar.js';
import { cn } from '../lib/cn.js';
import { useDebounced } from '../lib/debounce.js';

export type Candidate = UserSearchResponse['users'][number] & { username: string };

/** Accounts whose login or name starts like `query`, for completing an `@mention`. */
export function useMentionCandidates(query: string | undefined): Candidate[] {
  const { api, isAccount } = useChat();
  const typed = useDebounced(query, 150);
  const found = useQuery({
    queryKey: ['mention', typed],
    enabled: isAccount && typed !== undefined && typed.length > 0,
    staleTime: 30_000,
    // The last answer stays up while the next is fetched, so the list does not flicker.
    placeholderData: (previous) => previous,
    queryFn: () => api.searchUsers(typed ?? ''),
  });
  if (query === undefined || query.length === 0) return [];
  return (found.data ?? []).filter((user): user is Candidate => user.username !== null).slice(0, 6);
}

/** The list of people shown above the composer while an `@name` is typed. */
export function MentionPicker({
  id,
  candidates,
  active,
  onPick,
}: {
  id: string;
  candidates: readonly Candidate[];
  active: number;
  onPick: (candidate: Candidate) => void;
}) {
  return (
    <div
      id={id}
      role="listbox"
      aria-label="People to mention"
      className="mx-3 mb-1 overflow-hidden rounded-md border border-slate-700 bg-slate-900 shadow-lg"
    >
      {candidates.map((user, i) => (
        <div
          key={user.id}
          id={`${id}-${i}`}
          role="option"
          aria-selected={i === active}
          tabIndex={-1}
          // Keeps the caret in the box: a click picks without blurring it.
          onMouseDown={(event) => event.preventDefault()}
          onClick={() => onPick(user)}
          onKeyDown={() => {}}
          className={cn(
            'flex cursor-pointer items-center gap-2 px-3 py-1.5 text-sm',
            i === active ? 'bg-slate-700 text-white' : 'text-slate-200 hover:bg-slate-800',
          )}
        >
          <Avatar name={user.name} />
          <bdi className="truncate">{user.name}</bdi>
          <span className="text-xs text-slate-300">@{user.username}</span>
        </div>
      ))}
    </div>
  );
}
