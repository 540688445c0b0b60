import { LoaderCircle, Wifi, WifiOff } from 'lucide-react';
import { useEffect, useState, useSyncExternalStore } from 'react';
import type { ChatStore } from '../chat-store.js';
import { Button } from '../components/ui/button.js';
import { cn } from '../lib/cn.js';

function onOnlineChange(listener: () => void): () => void {
  window.addEventListener('online', listener);
  window.addEventListener('offline', listener);
  return () => {
    window.removeEventListener('online', listener);
    window.removeEventListener('offline', listener);
  };
}

/** Whether the browser says it has a network. */
export function useOnline(): boolean {
  return useSyncExternalStore(onOnlineChange, () => navigator.onLine);
}

/**
 * Whether what the server last said is current: connected, with a network. Otherwise what
 * it said (who is online) is only what was true when the connection dropped.
 */
export function useLive(store: ChatStore): boolean {
  const ready = useSyncExternalStore(store.subscribe, () => store.status.state === 'ready');
  return useOnline() && ready;
}

/**
 * Always-visible connection state, with the countdown to the next reconnect attempt and,
 * whenever it is not connected, "Reconnect now". Coming back online or back to the tab
 * reconnects at once instead of waiting out the backoff.
 */
export function ConnectionBadge({ store }: { store: ChatStore }) {
  const status = useSyncExternalStore(store.subscribe, () => store.status);
  const online = useOnline();
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const tick = setInterval(() => setNow(Date.now()), 500);
    // Back online, or back to the tab: no reason to wait out the backoff.
    const retry = () => store.client.reconnectNow();
    const shown = () => {
      if (document.visibilityState === 'visible' && navigator.onLine) retry();
    };
    window.addEventListener('online', retry);
    document.addEventListener('visibilitychange', shown);
    return () => {
      clearInterval(tick);
      window.removeEventListener('online', retry);
      document.removeEventListener('visibilitychange', shown);
    };
  }, [store]);
  let text: string;
  let tone: 'good' | 'waiting' | 'bad';
  if (!online) {
    text = 'Offline';
    tone = 'bad';
  } else if (status.state === 'ready') {
    text = 'Connected';
    tone = 'good';
  } else if (status.state === 'reconnecting' && status.retryAt !== undefined) {
    text = `Reconnecting in ${Math.max(0, Math.ceil((status.retryAt - now) / 1000))} s`;
    tone = 'waiting';
  } else if (status.state === 'closed') {
    text = 'Disconnected';
    tone = 'bad';
  } else {
    text = 'Connecting…';
    tone = 'waiting';
  }
  const Icon = tone === 'good' ? Wifi : tone === 'bad' ? WifiOff : LoaderCircle;
  // A closed client does not come back (its session ended): a fresh page starts a new one.
  const reconnect =
    status.state === 'closed'
      ? () => window.location.reload()
      : status.state === 'reconnecting'
        ? () => store.client.reconnectNow()
        : undefined;
  // One element throughout, so whatever watches it (a screen reader) keeps watching.
  return (
    <span className="inline-flex shrink-0 items-center gap-1">
      <output
        aria-live="polite"
        data-state={status.state}
        data-session={status.session}
        data-retry-at={status.retryAt}
        className={cn(
          'inline-flex shrink-0 items-center gap-1 rounded-full px-2 py-0.5 text-xs whitespace-nowrap',
          tone === 'good' && 'bg-emerald-900 text-emerald-100',
          tone === 'waiting' && 'bg-amber-900 text-amber-100',
          tone === 'bad' && 'bg-rose-900 text-rose-100',
        )}
      >
        <Icon aria-hidden className={cn('size-3', tone === 'waiting' && 'animate-spin')} />
        {/* On a phone, being connected is the icon alone: the room's name needs the width. */}
        <span className={cn(tone === 'good' && 'max-sm:sr-only')}>{text}</span>
      </output>
      {reconnect !== undefined && (
        <Button variant="link" size="sm" className="h-auto px-1" onClick={reconnect}>
          Reconnect now
        </Button>
      )}
    </span>
  );
}
