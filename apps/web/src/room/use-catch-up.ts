import type { RoomId } from '@hubbub/protocol';
import { useEffect, useRef, useSyncExternalStore } from 'react';
import { useChat } from '../chat-context.js';

/** Newest messages re-read after a reconnect: what a person is likely to be looking at. */
const catchUpPage = 100;
/** Spread over this long, so a crowd reconnecting at once does not read history at once. */
const spreadMs = 2_000;

/**
 * After every reconnect but the first, re-reads the open room's newest page so that edits,
 * reactions and deletions made while this page was away show (see ChatStore.catchUp).
 */
export function useCatchUpAfterReconnect(room: RoomId): void {
  const { store, api } = useChat();
  const session = useSyncExternalStore(store.subscribe, () => store.status.session);
  const seen = useRef(session);
  useEffect(() => {
    if (session === undefined) return;
    if (seen.current === undefined || seen.current === session) {
      seen.current = session;
      return;
    }
    seen.current = session;
    const timer = setTimeout(
      () =>
        void store
          .catchUp(room, async () => (await api.history(room, { limit: catchUpPage })).messages)
          .catch(() => {}),
      Math.random() * spreadMs,
    );
    return () => clearTimeout(timer);
  }, [store, api, room, session]);
}
