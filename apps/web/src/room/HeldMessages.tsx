import type { RoomId } from '@hubbub/protocol';
import { Clock, Trash2 } from 'lucide-react';
import { useSyncExternalStore } from 'react';
import { useChat } from '../chat-context.js';
import { withVisibleControls } from '../components/UserText.js';
import { Button } from '../components/ui/button.js';
import { useNow } from '../lib/use-now.js';

/**
 * What the room's chat delay holds that this person may see: as a moderator, everyone's
 * messages, each with a Remove that drops it before the crowd sees it; otherwise their own,
 * with when it will show.
 */
export function HeldMessages({ room }: { room: RoomId }) {
  const { store, me } = useChat();
  const held = useSyncExternalStore(store.subscribe, () => store.crowd.heldIn(room));
  const moderator = useSyncExternalStore(store.subscribe, () => store.crowd.moderates(room));
  const now = useNow(1000);
  if (held.length === 0) return null;
  return (
    <section
      aria-label={moderator ? 'Messages held for review' : 'Your messages waiting to show'}
      className="mx-3 mb-1 max-h-40 overflow-y-auto rounded-lg border border-amber-700/60 bg-amber-950/40 text-sm"
    >
      <h3 className="px-3 pt-2 text-xs font-semibold uppercase tracking-wide text-amber-300">
        {moderator ? 'Held for review' : 'Chat delay'}
      </h3>
      <ul className="divide-y divide-amber-900/50">
        {held.map((message) => {
          const seconds = Math.max(0, Math.ceil((Date.parse(message.heldUntil) - now) / 1000));
          const mine = message.user.id === me.id;
          return (
            <li key={message.id} className="flex items-center gap-2 px-3 py-1.5">
              <Clock aria-hidden className="size-3.5 shrink-0 text-amber-400" />
              <p className="min-w-0 flex-1 truncate">
                {!mine && (
                  <span className="font-semibold">
                    <bdi>{message.user.name}</bdi>:{' '}
                  </span>
                )}
                <bdi>{withVisibleControls(message.content)}</bdi>
              </p>
              <span className="shrink-0 text-xs text-amber-300">
                <span className="sr-only">shows in </span>
                {seconds} s
              </span>
              {(moderator || mine) && (
                <Button
                  variant="ghost"
                  size="icon"
                  aria-label={`Remove ${mine ? 'your' : `${message.user.name}'s`} held message`}
                  onClick={() => store.client.moderate({ type: 'delete', room, id: message.id })}
                >
                  <Trash2 aria-hidden />
                </Button>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
