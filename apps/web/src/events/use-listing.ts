import {
  type DashboardSearch,
  dashboardPageSize,
  type EventsPage,
  firstListing,
} from '@hubbub/protocol';
import { fetchEvents, HubbubError } from '@hubbub/sdk';
import { type InfiniteData, keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import { useEffect, useMemo } from 'react';
import { filling, type ListingPage, mergePages, nextPage } from './listing.js';
import { takePreload } from './preload.js';

/**
 * The dashboard's list for a URL: the first request reaches down to the page the URL names
 * (in one request when it can; the server may have inlined it), later ones continue the same
 * snapshot. The query is keyed by what is searched, not by `offset`: scrolling moves the
 * URL's offset but does not start the list again.
 */
export function useEventListing(search: DashboardSearch) {
  const first = firstListing(search);
  const { q, classification } = first;
  const start: ListingPage = {
    offset: 0,
    limit: first.limit,
    until: (search.offset ?? 0) + dashboardPageSize,
  };
  const query = useInfiniteQuery<
    EventsPage,
    Error,
    InfiniteData<EventsPage, ListingPage>,
    string[],
    ListingPage
  >({
    queryKey: ['events', q, classification ?? ''],
    queryFn: ({ pageParam: { offset, limit, asOf }, signal }) =>
      fetchEvents(window.location.origin, { q, classification, offset, limit, asOf }, signal),
    initialPageParam: start,
    getNextPageParam: (_last, pages, _param, params) => nextPage(pages, (params[0] ?? start).until),
    initialData: () => {
      const page = takePreload(first);
      return page === undefined ? undefined : { pages: [page], pageParams: [start] };
    },
    initialDataUpdatedAt: Date.now,
    // Typing a search keeps the last list on screen (dimmed) until the new one comes.
    placeholderData: keepPreviousData,
    // A refetch starts a new snapshot from the top: right for a return to the page, not for
    // every focus of the window while someone scrolls.
    refetchOnWindowFocus: false,
    staleTime: 60_000,
  });

  const pages: EventsPage[] = query.data?.pages ?? [];
  const events = useMemo(() => mergePages(query.data?.pages ?? []), [query.data]);
  const until = (query.data?.pageParams[0] ?? start).until;
  const restoring = filling(pages, until);

  // A snapshot is kept for a while only; past that, the next page is refused and the list
  // starts again from a new one.
  const stale =
    query.error instanceof HubbubError && query.error.code === 'stale_snapshot' && pages.length > 0;
  const { refetch } = query;
  useEffect(() => {
    if (stale) void refetch();
  }, [stale, refetch]);

  // A restored link longer than one request fills in by itself.
  const { isFetching, isFetchNextPageError, fetchNextPage } = query;
  useEffect(() => {
    if (restoring && !isFetching && !isFetchNextPageError) void fetchNextPage();
  }, [restoring, isFetching, isFetchNextPageError, fetchNextPage]);

  return { query, pages, events, restoring };
}
