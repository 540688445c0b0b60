import { useEffect, useState, useSyncExternalStore } from 'react';
import type { ChatStore } from './chat-store.js';

/** Always-visible connection state, with the countdown to the next reconnect attempt. */
export function ConnectionBadge({ store }: { store: ChatStore }) {
  const status = useSyncExternalStore(store.subscribe, () => store.status);
  const [now, setNow] = useState(Date.now());
  const [online, setOnline] = useState(navigator.onLine);
  useEffect(() => {
    const tick = setInterval(() => setNow(Date.now()), 500);
    const update = () => setOnline(navigator.onLine);
    window.addEventListener('online', update);
    window.addEventListener('offline', update);
    return () => {
      clearInterval(tick);
      window.removeEventListener('online', update);
      window.removeEventListener('offline', update);
    };
  }, []);
  let text: string;
  let tone: string;
  if (!online) {
    text = 'Offline';
    tone = 'bg-rose-900 text-rose-100';
  } else if (status.state === 'ready') {
    text = 'Connected';
    tone = 'bg-emerald-900 text-emerald-100';
  } else if (status.state === 'reconnecting' && status.retryAt !== undefined) {
    text = `Reconnecting in ${Math.max(0, Math.ceil((status.retryAt - now) / 1000))} s`;
    tone = 'bg-amber-900 text-amber-100';
  } else if (status.state === 'closed') {
    text = 'Disconnected';
    tone = 'bg-rose-900 text-rose-100';
  } else {
    text = 'Connecting…';
    tone = 'bg-amber-900 text-amber-100';
  }
  return (
    <output
      aria-live="polite"
      data-state={status.state}
      data-session={status.session}
      className={`rounded-full px-2 py-0.5 text-xs ${tone}`}
    >
      {text}
    </output>
  );
}
