import type { RoomId } from '@hubbub/protocol';
import { type CSSProperties, useEffect, useRef, useState } from 'react';
import { useChat } from '../chat-context.js';
import { addCheers, type Particle, riseMs } from './cheer-burst.js';

/**
 * The room's live reactions rising over the chat: everyone's taps, a few times a second,
 * drawn as a capped number of emoji (see addCheers). Decorative, so hidden from screen
 * readers, and it never takes a click from the chat beneath.
 */
export function CheerBurst({ room }: { room: RoomId }) {
  const { store } = useChat();
  const [particles, setParticles] = useState<Particle[]>([]);
  const ids = useRef(0);
  useEffect(
    () =>
      store.client.on('cheers', (frame) => {
        if (frame.room !== room) return;
        setParticles((alive) => addCheers(alive, frame.counts, () => ++ids.current));
      }),
    [store, room],
  );
  const gone = (id: number) => setParticles((alive) => alive.filter((p) => p.id !== id));
  return (
    <div aria-hidden className="pointer-events-none absolute inset-0 overflow-hidden">
      {particles.map((p) => (
        <span
          key={p.id}
          data-testid="cheer"
          data-emoji={p.emoji}
          className="cheer-rise absolute bottom-2 flex items-center gap-0.5 leading-none"
          style={
            {
              left: `${p.x}%`,
              fontSize: `${p.size}rem`,
              animationDuration: `${riseMs}ms`,
              animationDelay: `${p.delay}ms`,
              '--drift': `${p.drift}px`,
            } as CSSProperties
          }
          onAnimationEnd={() => gone(p.id)}
        >
          {p.emoji}
          {p.label !== undefined && (
            <span className="rounded-full bg-slate-950/80 px-1.5 py-0.5 text-xs font-semibold text-white tabular-nums">
              ×{p.label.toLocaleString()}
            </span>
          )}
        </span>
      ))}
    </div>
  );
}
