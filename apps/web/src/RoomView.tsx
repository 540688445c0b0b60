import { limits, type RoomId } from '@hubbub/protocol';
import { fetchHistory } from '@hubbub/sdk';
import { useVirtualizer } from '@tanstack/react-virtual';
import {
  type KeyboardEvent,
  useCallback,
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
  useSyncExternalStore,
} from 'react';
import type { ChatStore } from './chat-store.js';
import { anchoredScrollTop, isAtBottom, wantsOlder } from './scroll.js';
import { type Entry, entries } from './timeline.js';

interface RoomViewProps {
  store: ChatStore;
  room: RoomId;
  title: string;
  role: 'owner' | 'moderator' | 'member' | null;
  token: () => Promise<string>;
  onOpenDm: ((userId: string) => void) | undefined;
}

/** One room: a virtualized timeline that loads older history upwards, and the composer. */
export function RoomView({ store, room, title, role, token, onOpenDm }: RoomViewProps) {
  const timeline = useSyncExternalStore(store.subscribe, () => store.timeline(room));
  const items = entries(timeline);
  const scroller = useRef<HTMLDivElement>(null);
  const [atBottom, setAtBottom] = useState(true);
  const [unseen, setUnseen] = useState(0);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [exhausted, setExhausted] = useState(false);
  const moderator = role === 'owner' || role === 'moderator';

  useEffect(() => {
    void store.join(room);
  }, [store, room]);

  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => 56,
    overscan: 12,
    getItemKey: (index) => items[index]?.key ?? index,
  });

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
      const page = await fetchHistory(window.location.origin, await token(), room, {
        before: first.seq,
        limit: 100,
      });
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
  }, [timeline.messages, loadingOlder, exhausted, token, room, store]);

  function onScroll() {
    const element = scroller.current;
    if (element === null) return;
    const bottom = isAtBottom(element);
    setAtBottom(bottom);
    if (bottom) setUnseen(0);
    if (wantsOlder(element.scrollTop)) void loadOlder();
  }

  function jumpToLatest() {
    virtualizer.scrollToIndex(items.length - 1, { align: 'end' });
    setUnseen(0);
    setAtBottom(true);
  }

  return (
    <section className="relative flex min-h-0 flex-1 flex-col" aria-label={title}>
      <header className="flex items-center justify-between gap-2 border-b border-slate-800 px-4 py-2">
        <h2 className="truncate font-semibold">{title}</h2>
        {moderator && <SlowModeControl store={store} room={room} />}
      </header>
      <div
        ref={scroller}
        onScroll={onScroll}
        className="min-h-0 flex-1 overflow-y-auto"
        role="log"
        aria-live="polite"
        aria-label={`Messages in ${title}`}
        data-testid="timeline"
      >
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((row) => {
            const entry = items[row.index];
            if (entry === undefined) return null;
            return (
              <div
                key={row.key}
                data-index={row.index}
                ref={virtualizer.measureElement}
                className="absolute left-0 w-full px-4 py-1"
                style={{ transform: `translateY(${row.start}px)` }}
              >
                <Line
                  entry={entry}
                  store={store}
                  room={room}
                  moderator={moderator}
                  onOpenDm={onOpenDm}
                />
              </div>
            );
          })}
        </div>
      </div>
      {!atBottom && unseen > 0 && (
        <button
          type="button"
          onClick={jumpToLatest}
          className="absolute bottom-24 left-1/2 -translate-x-1/2 rounded-full bg-sky-700 px-3 py-1 text-sm font-semibold text-white shadow-lg"
        >
          New messages ↓
        </button>
      )}
      <Composer onSend={(content) => void store.send(room, content)} />
    </section>
  );
}

function Line({
  entry,
  store,
  room,
  moderator,
  onOpenDm,
}: {
  entry: Entry;
  store: ChatStore;
  room: RoomId;
  moderator: boolean;
  onOpenDm: ((userId: string) => void) | undefined;
}) {
  if (entry.kind === 'pending') {
    return (
      <div
        className={entry.ackedId === undefined ? 'opacity-60' : ''}
        data-testid="pending-message"
      >
        <span className="font-semibold text-sky-300">{entry.user.name}</span>{' '}
        <span className="whitespace-pre-wrap break-words">{entry.content}</span>
        {entry.failed !== undefined && (
          <span className="ml-2 text-xs text-rose-300">
            {entry.failed}{' '}
            <button
              type="button"
              className="underline"
              onClick={() => store.retry(room, entry.cid, entry.content)}
            >
              Retry
            </button>{' '}
            <button
              type="button"
              className="underline"
              onClick={() => store.discard(room, entry.cid)}
            >
              Discard
            </button>
          </span>
        )}
      </div>
    );
  }
  const { message } = entry;
  const mine = message.user.id === store.me.id;
  const act = (frame: Parameters<typeof store.client.moderate>[0]) =>
    void store.client.moderate(frame);
  return (
    <div className="group flex items-start gap-2" data-testid="message" data-seq={message.seq}>
      <div className="min-w-0 flex-1">
        {onOpenDm !== undefined && !mine ? (
          <button
            type="button"
            className="font-semibold text-sky-300 hover:underline"
            onClick={() => onOpenDm(message.user.id)}
          >
            {message.user.name}
          </button>
        ) : (
          <span className="font-semibold text-sky-300">{message.user.name}</span>
        )}{' '}
        {message.deleted ? (
          <em className="text-slate-400" data-content>
            message deleted
          </em>
        ) : (
          <span className="whitespace-pre-wrap break-words" data-content>
            {message.content}
          </span>
        )}
      </div>
      {!message.deleted && (mine || moderator) && (
        <div className="hidden shrink-0 gap-1 text-xs group-hover:flex group-focus-within:flex">
          <button
            type="button"
            className="rounded px-1 hover:bg-slate-800"
            onClick={() => act({ type: 'delete', room, id: message.id })}
          >
            Delete
          </button>
          {moderator &&
            !mine &&
            (
              [
                ['Mute 10m', { type: 'mute', room, user: message.user.id, seconds: 600 }],
                ['Kick', { type: 'kick', room, user: message.user.id }],
                ['Ban', { type: 'ban', room, user: message.user.id }],
              ] as const
            ).map(([label, frame]) => (
              <button
                key={label}
                type="button"
                className="rounded px-1 hover:bg-slate-800"
                onClick={() => act(frame)}
              >
                {label}
              </button>
            ))}
        </div>
      )}
    </div>
  );
}

function SlowModeControl({ store, room }: { store: ChatStore; room: RoomId }) {
  return (
    <label className="flex items-center gap-1 text-xs text-slate-400">
      Slow mode
      <select
        className="rounded border border-slate-700 bg-slate-900 p-1"
        defaultValue="0"
        onChange={(e) =>
          void store.client.moderate({ type: 'slow_mode', room, seconds: Number(e.target.value) })
        }
      >
        {[0, 5, 30, 60, 300].map((s) => (
          <option key={s} value={s}>
            {s === 0 ? 'off' : `${s} s`}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Enter sends, Shift+Enter starts a new line; the counter turns red past the limit. */
function Composer({ onSend }: { onSend: (content: string) => void }) {
  const [text, setText] = useState('');
  const over = text.length > limits.contentMaxChars;
  const blank = text.trim().length === 0;
  function send() {
    if (over || blank) return;
    onSend(text);
    setText('');
  }
  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    }
  }
  return (
    <form
      className="flex items-end gap-2 border-t border-slate-800 p-3"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      <textarea
        aria-label="Message"
        rows={1}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
        placeholder="Say something…"
        className="max-h-40 min-w-0 flex-1 resize-none rounded-lg border border-slate-700 bg-slate-900 px-3 py-2 focus:outline-none focus:ring-2 focus:ring-sky-500"
      />
      <span
        className={`pb-2 text-xs tabular-nums ${over ? 'text-rose-400' : 'text-slate-400'}`}
        aria-live="polite"
      >
        {text.length}/{limits.contentMaxChars}
      </span>
      <button
        type="submit"
        disabled={over || blank}
        className="rounded-lg bg-sky-700 px-3 py-2 font-semibold text-white hover:bg-sky-600 disabled:opacity-40"
      >
        Send
      </button>
    </form>
  );
}
