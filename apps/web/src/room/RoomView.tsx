import { type ChannelListing, type ChatMessage, noModes, type RoomId } from '@hubbub/protocol';
import { useQueryClient } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { ArrowDown } from 'lucide-react';
import { AnimatePresence } from 'motion/react';
import * as m from 'motion/react-m';
import {
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
} from 'react';
import { toast } from 'sonner';
import { useChat } from '../chat-context.js';
import { CheerBar } from '../events/CheerBar.js';
import { CheerBurst } from '../events/CheerBurst.js';
import { EventDetails } from '../events/EventDetails.js';
import { eventIdOf, useJoinWhenOpen } from '../events/use-live-event.js';
import { anchoredScrollTop, isAtBottom, wantsOlder } from '../scroll.js';
import { type Entry, entries, findBySeq, layoutRow } from '../timeline.js';
import { Composer } from './Composer.js';
import { HeldMessages } from './HeldMessages.js';
import { MessageLine } from './MessageLine.js';
import { TypingLine } from './Presence.js';
import { RoomHeader } from './RoomHeader.js';
import { RoomUnavailable } from './RoomUnavailable.js';
import { useReceipts } from './receipts.js';
import { guestsCannotAttach, useUploads } from './uploads.js';
import { useCatchUpAfterReconnect } from './use-catch-up.js';
import { useRovingRows } from './use-roving-rows.js';

/** Pages of 200 loaded back, at most, to show a message in context. */
const maxSeekPages = 25;

interface RoomViewProps {
  room: RoomId;
  /** A message to show in context (from search): history is loaded back to it. */
  at: number | undefined;
  title: string;
  /** What the channel list says of the room; undefined for a room not in it. */
  listing: ChannelListing | undefined;
  onOpenRooms: () => void;
}

/**
 * One room: a virtualized timeline (only the rows in view are in the page, so ten thousand
 * messages scroll like ten) that loads older history upwards, and the composer.
 */
export function RoomView({ room, at, title, listing, onOpenRooms }: RoomViewProps) {
  const { store, api, token, isAccount } = useChat();
  const uploads = useUploads(token);
  const [dragging, setDragging] = useState(false);
  const queries = useQueryClient();
  const timeline = useSyncExternalStore(store.subscribe, () => store.timeline(room));
  const items = useMemo(() => entries(timeline), [timeline]);
  const scroller = useRef<HTMLDivElement>(null);
  const [atBottom, setAtBottom] = useState(true);
  const [unseen, setUnseen] = useState(0);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [exhausted, setExhausted] = useState(false);
  // Told in `joined` (and changed live by a role change); the channel list stands in until then.
  const moderator =
    useSyncExternalStore(store.subscribe, () => store.crowd.moderates(room)) ||
    listing?.role === 'owner' ||
    listing?.role === 'moderator';
  const refusal = useSyncExternalStore(store.subscribe, () => store.refusal(room));
  // An event's room is the same chat with the event's line and its live reactions.
  const isEvent = eventIdOf(room) !== undefined;

  // Joining a public channel makes one a member: the room list learns it once joined.
  const newcomer = useRef(listing?.role == null && room !== 'global');
  useEffect(() => {
    void store.join(room).then((joined) => {
      if (joined && newcomer.current) void queries.invalidateQueries({ queryKey: ['channels'] });
    });
  }, [store, room, queries]);
  useJoinWhenOpen(store, room);
  useCatchUpAfterReconnect(room);

  const marks = useReceipts(room, listing, timeline.messages, atBottom);
  const [replyingTo, setReplyingTo] = useState<ChatMessage>();
  // A reply quotes what it answers from the loaded timeline (null: further back than that).
  const parentOf = (entry: Entry): ChatMessage | null | undefined => {
    const seq = entry.kind === 'message' ? entry.message.replyTo : entry.replyTo;
    return seq === undefined ? undefined : (findBySeq(timeline.messages, seq) ?? null);
  };

  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scroller.current,
    // The smallest row (a message continuing its author's group): rows only ever measure
    // taller than estimated, so measuring never pulls the list up under the reader.
    estimateSize: () => 26,
    overscan: 12,
    getItemKey: (index) => items[index]?.key ?? index,
  });
  const rows = useRovingRows(items, virtualizer, scroller);
  const modes = useSyncExternalStore(store.subscribe, () => store.crowd.modesOf(room));

  // Stick to the bottom while the reader is there; otherwise count what arrived below.
  const lastKey = items.at(-1)?.key;
  const previousLast = useRef(lastKey);
  useLayoutEffect(() => {
    if (lastKey === previousLast.current) return;
    previousLast.current = lastKey;
    if (atBottom && items.length > 0) virtualizer.scrollToIndex(items.length - 1, { align: 'end' });
    else setUnseen((n) => n + 1);
  }, [lastKey, atBottom, items.length, virtualizer]);

  const loadOlder = useCallback(async () => {
    const first = timeline.messages[0];
    if (loadingOlder || exhausted || first === undefined || first.seq <= 1) return;
    setLoadingOlder(true);
    try {
      const page = await api.history(room, { before: first.seq, limit: 100 });
      const element = scroller.current;
      const heightBefore = element?.scrollHeight ?? 0;
      store.merge(room, page.messages);
      setExhausted(!page.hasMore);
      // Keep the reader's place: what they were reading must not jump.
      requestAnimationFrame(() => {
        if (element !== null) {
          element.scrollTop = anchoredScrollTop(
            element.scrollTop,
            heightBefore,
            element.scrollHeight,
          );
        }
      });
    } finally {
      setLoadingOlder(false);
    }
  }, [timeline.messages, loadingOlder, exhausted, api, room, store]);

  // Showing a message in context: load older pages until it is in the timeline (a bounded
  // number of them), then centre it and mark it until the next one is asked for.
  const [focused, setFocused] = useState<number>();
  const seeking = useRef<{ seq: number; pages: number } | undefined>(undefined);
  useEffect(() => {
    if (at === undefined || focused === at) return;
    if (seeking.current?.seq !== at) seeking.current = { seq: at, pages: 0 };
    const index = items.findIndex((e) => e.kind === 'message' && e.message.seq === at);
    if (index !== -1) {
      setFocused(at);
      setAtBottom(false);
      requestAnimationFrame(() => virtualizer.scrollToIndex(index, { align: 'center' }));
      return;
    }
    const first = timeline.messages[0];
    if (first === undefined || first.seq <= at || loadingOlder) return;
    if (seeking.current.pages >= maxSeekPages) {
      setFocused(at);
      toast.warning('That message is too far back to show here.');
      return;
    }
    seeking.current.pages += 1;
    setLoadingOlder(true);
    api
      .history(room, { before: first.seq, limit: 200 })
      .then((page) => store.merge(room, page.messages))
      .catch(() => toast.error('Could not load that part of the history.'))
      .finally(() => setLoadingOlder(false));
  }, [at, focused, items, timeline.messages, loadingOlder, api, room, store, virtualizer]);

  // Only the reader scrolling up leaves the bottom: rows measured taller than estimated, or
  // a burst landing while the list follows it, move the content, not the reader.
  const lastScrollTop = useRef(0);
  function onScroll() {
    const element = scroller.current;
    if (element === null) return;
    const bottom = isAtBottom(element);
    const up = element.scrollTop < lastScrollTop.current;
    lastScrollTop.current = element.scrollTop;
    if (bottom) {
      setAtBottom(true);
      setUnseen(0);
    } else if (up) setAtBottom(false);
    if (wantsOlder(element.scrollTop)) void loadOlder();
  }

  function jumpToLatest() {
    virtualizer.scrollToIndex(items.length - 1, { align: 'end' });
    setUnseen(0);
    setAtBottom(true);
  }

  return (
    <main
      id="room"
      className="relative flex min-w-0 flex-1 flex-col"
      aria-label={title}
      // Files dropped anywhere on the room are attached to the message being written.
      onDragOver={(event) => {
        if (!event.dataTransfer.types.includes('Files')) return;
        // Taken from a guest too: the browser would otherwise open the file instead.
        event.preventDefault();
        if (isAccount) setDragging(true);
      }}
      onDragLeave={(event) => {
        // Leaving for a child of the room is not leaving; out of it (or Escape: no target) is.
        const to = event.relatedTarget;
        if (!(to instanceof Node && event.currentTarget.contains(to))) setDragging(false);
      }}
      onDrop={(event) => {
        if (event.dataTransfer.files.length === 0) return;
        event.preventDefault();
        setDragging(false);
        if (!isAccount) toast.warning(guestsCannotAttach, { id: 'guest-attach' });
        else if (modes?.emoteOnly === true && !moderator)
          toast.warning('Emote-only mode: messages here are emoji, without files.', {
            id: 'emote-only-attach',
          });
        else uploads.add(Array.from(event.dataTransfer.files));
      }}
    >
      {dragging && (
        <div className="pointer-events-none absolute inset-2 z-30 flex items-center justify-center rounded-xl border-2 border-dashed border-sky-400 bg-slate-950/80 text-lg font-semibold text-sky-200">
          Drop files to attach them
        </div>
      )}
      <RoomHeader
        room={room}
        title={title}
        listing={listing}
        moderator={moderator}
        onOpenRooms={onOpenRooms}
        details={isEvent ? <EventDetails room={room} /> : undefined}
      />
      {refusal !== undefined ? (
        <RoomUnavailable room={room} title={title} refusal={refusal} listing={listing} />
      ) : (
        <>
          <div className="relative flex min-h-0 flex-1 flex-col">
            <div
              ref={scroller}
              onScroll={onScroll}
              onKeyDown={rows.onKeyDown}
              onFocus={rows.onListFocus}
              onBlur={rows.onListBlur}
              tabIndex={rows.listTabIndex}
              className="min-h-0 flex-1 overflow-y-auto focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-400 focus-visible:ring-inset"
              role="log"
              // Rows mount as they scroll into view, and a live log would read old ones out
              // as new: arrivals are announced by Arrivals below instead.
              aria-live="off"
              aria-label={`Messages in ${title}`}
              aria-busy={loadingOlder}
              data-testid="timeline"
            >
              {(exhausted || (timeline.messages[0]?.seq ?? 1) <= 1) && (
                <p className="px-4 pt-4 text-center text-xs text-slate-400">
                  This is the beginning of{' '}
                  {listing?.kind === 'dm' ? `your conversation with ${title}` : title}.
                </p>
              )}
              <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
                {virtualizer.getVirtualItems().map((row) => {
                  const entry = items[row.index];
                  if (entry === undefined) return null;
                  return (
                    <article
                      key={row.key}
                      data-index={row.index}
                      ref={virtualizer.measureElement}
                      {...rows.rowProps(entry.key, row.index)}
                      className="absolute left-0 w-full px-3 py-px focus-visible:bg-slate-900 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-400 focus-visible:ring-inset"
                      style={{ transform: `translateY(${row.start}px)` }}
                    >
                      <MessageLine
                        entry={entry}
                        room={room}
                        moderator={moderator}
                        active={rows.controlsTabbable(row.index)}
                        layout={layoutRow(items, row.index)}
                        delivery={marks.delivery(entry)}
                        seenBy={marks.seenBy(entry)}
                        parent={parentOf(entry)}
                        focused={entry.kind === 'message' && entry.message.seq === focused}
                        onReply={setReplyingTo}
                      />
                    </article>
                  );
                })}
              </div>
            </div>
            {isEvent && <CheerBurst room={room} />}
          </div>
          <AnimatePresence>
            {!atBottom && unseen > 0 && (
              <m.button
                type="button"
                onClick={jumpToLatest}
                initial={{ opacity: 0, y: 12 }}
                animate={{ opacity: 1, y: 0 }}
                exit={{ opacity: 0, y: 12 }}
                className="absolute bottom-20 left-1/2 flex -translate-x-1/2 items-center gap-1 rounded-full bg-sky-700 px-3 py-1 text-sm font-semibold text-white shadow-lg focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-300"
              >
                <ArrowDown aria-hidden className="size-4" /> New messages
              </m.button>
            )}
          </AnimatePresence>
          <Arrivals messages={timeline.messages} />
          <TypingLine room={room} />
          <HeldMessages room={room} />
          {isEvent && <CheerBar room={room} />}
          <Composer
            title={title}
            replyingTo={replyingTo}
            onCancelReply={() => setReplyingTo(undefined)}
            uploads={uploads}
            canAttach={isAccount}
            rules={{ modes: moderator ? noModes : (modes ?? noModes), guest: !isAccount }}
            onSend={(content) => {
              void store.send(room, content, {
                replyTo: replyingTo?.seq,
                attachments: uploads.attachments,
              });
              setReplyingTo(undefined);
              uploads.clear();
            }}
            onTyping={() => store.client.typing(room)}
          />
        </>
      )}
    </main>
  );
}

/**
 * Says the newest message from someone else to screen readers as it arrives (the list
 * itself is silent, see above): one polite line, replaced by the next.
 */
function Arrivals({ messages }: { messages: readonly ChatMessage[] }) {
  const { me } = useChat();
  const newest = messages.at(-1);
  const [said, setSaid] = useState('');
  const seen = useRef(newest?.seq);
  useEffect(() => {
    if (newest === undefined || newest.seq === seen.current) return;
    // What a room opens with is history, not news.
    const fresh = seen.current !== undefined && newest.seq > seen.current;
    seen.current = newest.seq;
    if (fresh && newest.user.id !== me.id && newest.deleted !== true)
      setSaid(`${newest.user.name}: ${newest.content}`);
  }, [newest, me.id]);
  return (
    <p aria-live="polite" className="sr-only">
      {said}
    </p>
  );
}
