import { EventClassification, type LiveEvent } from '@hubbub/protocol';
import { RefreshCw, SearchX } from 'lucide-react';
import { useCallback, useEffect, useId, useMemo, useRef } from 'react';
import { BackToChat } from '../components/BackToChat.js';
import { Button } from '../components/ui/button.js';
import { cn } from '../lib/cn.js';
import { useNow } from '../lib/use-now.js';
import { useOnVisible } from '../lib/use-on-visible.js';
import { eventsRoute } from '../router.js';
import { CardSkeleton, EventCard } from './EventCard.js';
import { kinds } from './kinds.js';
import { bySection, type Section, urlOffset } from './listing.js';
import { SearchBox } from './SearchBox.js';
import { useEventListing } from './use-listing.js';

const titles: Record<Section, string> = { live: 'Live now', upcoming: 'Upcoming', ended: 'Ended' };

/**
 * The live events dashboard: what is on now and next, searchable and filterable, loading
 * more as one scrolls. Everything that decides the list is in the URL, so a copied link
 * shows the same list down to where its sender had scrolled.
 */
export function Dashboard() {
  const search = eventsRoute.useSearch();
  const navigate = eventsRoute.useNavigate();
  const { query, pages, events, restoring } = useEventListing(search);
  const now = useNow(30_000);
  const groups = useMemo(() => bySection(events), [events]);

  // The URL follows the scroll (replacing, not adding, history entries), once the list on
  // screen is the one the URL asks for.
  const offset = urlOffset(pages);
  const settled = query.data !== undefined && !query.isPlaceholderData && !restoring;
  useEffect(() => {
    if (settled && offset !== search.offset)
      void navigate({ search: (prev) => ({ ...prev, offset }), replace: true });
  }, [settled, offset, search.offset, navigate]);

  const { hasNextPage, isFetchingNextPage, isFetchNextPageError, fetchNextPage } = query;
  const loadMore = useCallback(() => {
    if (hasNextPage && !isFetchingNextPage && !isFetchNextPageError) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, isFetchNextPageError, fetchNextPage]);
  const sentinel = useRef<HTMLDivElement>(null);
  useOnVisible(sentinel, loadMore, {
    enabled: settled && hasNextPage,
    generation: pages.length,
  });

  const filtered = search.q !== undefined || search.classification !== undefined;
  const clear = () => void navigate({ search: {} });

  return (
    <main className="mx-auto flex min-h-full w-full max-w-7xl flex-col gap-4 p-4 text-slate-100">
      <header className="flex flex-wrap items-center gap-x-3 gap-y-2">
        <BackToChat />
        <h1 className="text-xl font-bold tracking-tight">Live events</h1>
      </header>
      <div className="flex flex-col gap-3">
        <SearchBox
          q={search.q ?? ''}
          onSearch={(q) =>
            void navigate({
              search: (prev) => ({ classification: prev.classification, q: q || undefined }),
              replace: true,
            })
          }
        />
        <KindFilter
          value={search.classification}
          onChange={(classification) =>
            void navigate({ search: (prev) => ({ q: prev.q, classification }) })
          }
        />
      </div>
      <p role="status" className="sr-only">
        {query.isPending ? 'Loading events…' : settled ? `${events.length} events shown` : ''}
      </p>
      {query.isPending && <Skeletons count={8} />}
      {query.isError && query.data === undefined && (
        <Problem text="The events could not be loaded." onRetry={() => void query.refetch()} />
      )}
      {query.isSuccess && events.length === 0 && (
        <div className="flex flex-col items-center gap-3 py-16 text-center text-slate-300">
          <SearchX aria-hidden className="size-10 text-slate-500" />
          <p>
            {search.q !== undefined
              ? `No events match “${search.q}”.`
              : 'No events right now. Check back soon.'}
          </p>
          {filtered && (
            <Button variant="secondary" onClick={clear}>
              Clear search and filters
            </Button>
          )}
        </div>
      )}
      <div
        aria-busy={query.isFetching}
        className={cn(
          'flex flex-col gap-6 transition-opacity',
          query.isPlaceholderData && 'opacity-60',
        )}
      >
        {groups.map((group) => (
          <EventSection
            key={group.section}
            section={group.section}
            events={group.events}
            now={now}
          />
        ))}
      </div>
      {isFetchingNextPage && <Skeletons count={4} />}
      {isFetchNextPageError && (
        <Problem text="More events could not be loaded." onRetry={() => void fetchNextPage()} />
      )}
      <div ref={sentinel} className="flex justify-center pb-8">
        {hasNextPage && !isFetchingNextPage && !isFetchNextPageError && (
          // For keyboards and for screens where scrolling does not reach the end by itself.
          <Button variant="secondary" onClick={loadMore}>
            Load more events
          </Button>
        )}
        {query.isSuccess && !hasNextPage && events.length > 0 && (
          <p className="text-sm text-slate-400">That is every event{filtered ? ' found' : ''}.</p>
        )}
      </div>
    </main>
  );
}

function EventSection({
  section,
  events,
  now,
}: {
  section: Section;
  events: LiveEvent[];
  now: number;
}) {
  const heading = useId();
  return (
    <section aria-labelledby={heading} className="flex flex-col gap-3">
      <h2 id={heading} className="flex items-center gap-2 text-lg font-semibold">
        {section === 'live' && <span aria-hidden className="size-2 rounded-full bg-red-500" />}
        {titles[section]}
        <span className="text-sm font-normal text-slate-400">{events.length}</span>
      </h2>
      <ul className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-3 xl:grid-cols-4">
        {events.map((event) => (
          <EventCard key={event.id} event={event} now={now} />
        ))}
      </ul>
    </section>
  );
}

/** One chip per kind of event, and "All": one pressed at a time. */
function KindFilter({
  value,
  onChange,
}: {
  value: EventClassification | undefined;
  onChange: (value: EventClassification | undefined) => void;
}) {
  const chip = (pressed: boolean) =>
    cn(
      'shrink-0 rounded-full border px-3 py-1 text-sm transition-colors focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-400',
      pressed
        ? 'border-sky-500 bg-sky-700 text-white'
        : 'border-slate-700 text-slate-300 hover:bg-slate-800',
    );
  return (
    <fieldset className="-mx-4 flex min-w-0 gap-2 overflow-x-auto px-4 pb-1">
      <legend className="sr-only">Kind of event</legend>
      <button
        type="button"
        aria-pressed={value === undefined}
        className={chip(value === undefined)}
        onClick={() => onChange(undefined)}
      >
        All
      </button>
      {EventClassification.options.map((kind) => (
        <button
          key={kind}
          type="button"
          aria-pressed={value === kind}
          className={chip(value === kind)}
          onClick={() => onChange(value === kind ? undefined : kind)}
        >
          {kinds[kind].label}
        </button>
      ))}
    </fieldset>
  );
}

function Skeletons({ count }: { count: number }) {
  return (
    <ul aria-hidden className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-3 xl:grid-cols-4">
      {Array.from({ length: count }, (_, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: placeholders have nothing else to key by
        <CardSkeleton key={i} />
      ))}
    </ul>
  );
}

function Problem({ text, onRetry }: { text: string; onRetry: () => void }) {
  return (
    <div
      role="alert"
      className="flex flex-wrap items-center justify-between gap-3 rounded-xl border border-rose-800 bg-rose-950/50 p-4"
    >
      <p>{text} Check your connection and try again.</p>
      <Button variant="secondary" onClick={onRetry}>
        <RefreshCw aria-hidden /> Try again
      </Button>
    </div>
  );
}
