import { Search, X } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { Input } from '../components/ui/input.js';
import { useDebounced } from '../lib/debounce.js';

/**
 * The dashboard's search: it searches once typing pauses (or at Enter), and shows what the
 * URL says when the URL changes by itself (back, forward, a link).
 */
export function SearchBox({ q, onSearch }: { q: string; onSearch: (q: string) => void }) {
  const [text, setText] = useState(q);
  const settled = useDebounced(text.trim(), 300);
  // What was last searched, whoever asked: the URL's echo of our own search is no news, and
  // must not overwrite what was typed since.
  const searched = useRef(q);
  useEffect(() => {
    if (q === searched.current) return;
    searched.current = q;
    setText(q);
  }, [q]);
  useEffect(() => {
    if (settled === searched.current) return;
    searched.current = settled;
    onSearch(settled);
  }, [settled, onSearch]);
  const searchNow = (value: string) => {
    searched.current = value;
    onSearch(value);
  };

  return (
    <search className="relative">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          searchNow(text.trim());
        }}
      >
        <label>
          <span className="sr-only">Search events</span>
          <Search
            aria-hidden
            className="pointer-events-none absolute top-1/2 left-3 size-4 -translate-y-1/2 text-slate-400"
          />
          <Input
            type="search"
            name="q"
            value={text}
            onChange={(event) => setText(event.target.value)}
            placeholder="Search events, venues, cities"
            autoComplete="off"
            enterKeyHint="search"
            maxLength={200}
            className="pr-10 pl-9 [&::-webkit-search-cancel-button]:hidden"
          />
        </label>
        {text !== '' && (
          <button
            type="button"
            aria-label="Clear search"
            onClick={() => {
              setText('');
              searchNow('');
            }}
            className="absolute top-1/2 right-2 flex size-7 -translate-y-1/2 items-center justify-center rounded-md text-slate-400 hover:bg-slate-800 hover:text-slate-100 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-400"
          >
            <X aria-hidden className="size-4" />
          </button>
        )}
      </form>
    </search>
  );
}
