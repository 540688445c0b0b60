import type { RoomId, SearchHit } from '@hubbub/protocol';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Search } from 'lucide-react';
import { useState } from 'react';
import { roomLabel, useChannels, useChat } from '../chat-context.js';
import { withVisibleControls } from '../components/UserText.js';
import { Button } from '../components/ui/button.js';
import { CheckboxField } from '../components/ui/checkbox.js';
import { Dialog, DialogContent } from '../components/ui/dialog.js';
import { Input } from '../components/ui/input.js';
import { useDebounced } from '../lib/debounce.js';

const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/**
 * Searches messages in the open room or in all of one's rooms; a hit opens its room at that
 * message. Every word must match; results come newest first, a page at a time.
 */
export function SearchDialog({ room, title }: { room: RoomId; title: string }) {
  const { api, openRoom } = useChat();
  const channels = useChannels();
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const [everywhere, setEverywhere] = useState(false);
  const q = useDebounced(text.trim(), 250);
  const results = useInfiniteQuery({
    queryKey: ['search', q, everywhere ? null : room],
    enabled: open && q !== '',
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      api.search({ q, ...(everywhere ? {} : { room }), before: pageParam, limit: 20 }),
    getNextPageParam: (page) => (page.hasMore ? page.hits.at(-1)?.message.id : undefined),
  });
  const hits = results.data?.pages.flatMap((page) => page.hits) ?? [];
  const labelOf = (hit: SearchHit) =>
    roomLabel(
      hit.message.room,
      channels.find((c) => c.room === hit.message.room),
    );
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <Button
        variant="ghost"
        size="icon"
        aria-label="Search messages"
        onClick={() => setOpen(true)}
      >
        <Search />
      </Button>
      <DialogContent title="Search messages" description="Every word must match.">
        <Input
          aria-label="Search for"
          placeholder={everywhere ? 'Search all your rooms' : `Search ${title}`}
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
        <CheckboxField checked={everywhere} onChange={setEverywhere} className="text-slate-300">
          All my rooms
        </CheckboxField>
        <ul aria-label="Results" className="-mx-2 flex max-h-[55vh] flex-col overflow-y-auto">
          {q !== '' && results.isSuccess && hits.length === 0 && (
            <li className="px-2 text-sm text-slate-400">No messages match.</li>
          )}
          {results.isError && (
            <li className="px-2 text-sm text-rose-300">Search failed: {results.error.message}</li>
          )}
          {hits.map((hit) => (
            <li key={hit.message.id}>
              <button
                type="button"
                data-testid="search-hit"
                className="flex w-full flex-col rounded-md px-2 py-2 text-left hover:bg-slate-800 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-400"
                onClick={() => {
                  setOpen(false);
                  openRoom(hit.message.room, hit.message.seq);
                }}
              >
                <span className="text-xs text-slate-400">
                  <bdi className="font-semibold text-slate-300">{hit.message.user.name}</bdi>
                  {' in '}
                  {labelOf(hit)} · {when.format(new Date(hit.message.ts))}
                </span>
                <bdi className="line-clamp-3 whitespace-pre-wrap break-words text-sm">
                  {hit.parts.map((part, i) =>
                    part.match ? (
                      // biome-ignore lint/suspicious/noArrayIndexKey: parts never move
                      <mark key={i} className="rounded bg-amber-300/30 px-0.5 text-amber-100">
                        {withVisibleControls(part.text)}
                      </mark>
                    ) : (
                      withVisibleControls(part.text)
                    ),
                  )}
                </bdi>
              </button>
            </li>
          ))}
        </ul>
        {results.hasNextPage && (
          <Button
            variant="ghost"
            disabled={results.isFetchingNextPage}
            onClick={() => void results.fetchNextPage()}
          >
            More results
          </Button>
        )}
      </DialogContent>
    </Dialog>
  );
}
