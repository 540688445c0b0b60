import { LoaderCircle, Wifi, WifiOff } from 'lucide-react';
import { useEffect, useState, useSyncExternalStore } from 'react';
import type { ChatStore } from '../chat-store.js';
import { Button } from '../components/ui/button.js';
import { cn } from '../lib/cn.js';

/** Always-visible connection state, with the countdown to the next reconnect attempt. */
export function ConnectionBadge({ store }: { store: ChatStore }) {
  const status = useSyncExternalStore(store.subscribe, () => store.status);
  const [now, setNow] = useState(Date.now());
  const [online, setOnline] = useState(navigator.onLine);
  useEffect(() => {
    const tick = setInterval(() => setNow(Date.now()), 500);
    // Back online: no reason to wait out the backoff.
    const update = () => {
      setOnline(navigator.onLine);
      if (navigator.onLine) store.client.reconnectNow();
    };
    window.addEventListener('online', update);
    window.addEventListener('offline', update);
    return () => {
      clearInterval(tick);
      window.removeEventListener('online', update);
      window.removeEventListener('offline', update);
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
  // One element throughout, so whatever watches it (a screen reader) keeps watching.
  return (
    <span className="inline-flex items-center gap-1">
      <output
        aria-live="polite"
        data-state={status.state}
        data-session={status.session}
        className={cn(
          'inline-flex shrink-0 items-center gap-1 rounded-full px-2 py-0.5 text-xs',
          tone === 'good' && 'bg-emerald-900 text-emerald-100',
          tone === 'waiting' && 'bg-amber-900 text-amber-100',
          tone === 'bad' && 'bg-rose-900 text-rose-100',
        )}
      >
        <Icon aria-hidden className={cn('size-3', tone === 'waiting' && 'animate-spin')} />
        {text}
      </output>
      {status.state === 'reconnecting' && online && (
        <Button
          variant="link"
          size="sm"
          className="h-auto px-1"
          onClick={() => store.client.reconnectNow()}
        >
          Retry now
        </Button>
      )}
    </span>
  );
}
