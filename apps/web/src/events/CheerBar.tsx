import { type CheerEmoji, cheerEmojis, type RoomId } from '@hubbub/protocol';
import { useSyncExternalStore } from 'react';
import { useChat } from '../chat-context.js';

const names: Record<CheerEmoji, string> = {
  '🔥': 'fire',
  '👏': 'applause',
  '😂': 'laughter',
  '😮': 'wow',
  '❤️': 'love',
  '🎉': 'party',
  '⚽': 'goal',
  '🎸': 'rock on',
};

/**
 * The live reactions one can tap, as often as one likes: the client counts the taps and
 * sends them a few times a second, and they come back, with everyone else's, as the burst.
 */
export function CheerBar({ room }: { room: RoomId }) {
  const { store } = useChat();
  const ready = useSyncExternalStore(store.subscribe, () => store.status.state === 'ready');
  return (
    <fieldset className="flex min-w-0 gap-1 overflow-x-auto border-t border-slate-800 px-3 py-1.5">
      <legend className="sr-only">Live reactions</legend>
      {cheerEmojis.map((emoji) => (
        <button
          key={emoji}
          type="button"
          aria-label={`Cheer with ${names[emoji]}`}
          title={`Cheer with ${names[emoji]}`}
          disabled={!ready}
          onClick={() => store.client.cheer(room, emoji)}
          className="flex size-10 shrink-0 items-center justify-center rounded-full text-xl transition-transform select-none hover:bg-slate-800 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-400 active:scale-125 disabled:opacity-40"
        >
          <span aria-hidden>{emoji}</span>
        </button>
      ))}
    </fieldset>
  );
}
