import type { ChannelListing, ChatMessage, RoomId } from '@hubbub/protocol';
import { useEffect, useMemo, useSyncExternalStore } from 'react';
import { useChat } from '../chat-context.js';
import type { Entry } from '../timeline.js';
import type { Delivery } from './MessageParts.js';

/** Whether the page is in front of the person (not a background tab, not minimized). */
function usePageVisible(): boolean {
  return useSyncExternalStore(
    (changed) => {
      document.addEventListener('visibilitychange', changed);
      return () => document.removeEventListener('visibilitychange', changed);
    },
    () => document.visibilityState === 'visible',
  );
}

/**
 * Receipts in the open room: marks what the person sees as read (at the bottom of a
 * visible page), loads the members' pointers, and says for each line of the timeline its
 * ticks (one's own messages in a DM) or "seen by" (one's latest message in a channel).
 */
export function useReceipts(
  room: RoomId,
  listing: ChannelListing | undefined,
  messages: readonly ChatMessage[],
  atBottom: boolean,
): { delivery(entry: Entry): Delivery | undefined; seenBy(entry: Entry): number | undefined } {
  const { store, api, me } = useChat();
  const keeps = listing !== undefined && (listing.kind === 'dm' || listing.role !== null);
  useEffect(() => {
    if (!keeps) return;
    api.receipts(room).then(
      (receipts) => store.loadReceipts(room, receipts),
      () => {},
    );
  }, [api, store, room, keeps]);

  const lastSeq = messages.at(-1)?.seq ?? 0;
  const visible = usePageVisible();
  useEffect(() => {
    if (atBottom && visible && lastSeq > 0) store.markRead(room, lastSeq);
  }, [store, room, lastSeq, atBottom, visible]);

  const receipts = useSyncExternalStore(store.subscribe, () => store.receipts(room));
  const peer =
    listing?.kind === 'dm' && listing.peer !== null ? receipts.get(listing.peer.id) : undefined;
  const myLatest = useMemo(() => {
    for (let i = messages.length - 1; i >= 0; i--)
      if (messages[i]!.user.id === me.id) return messages[i]!.seq;
    return undefined;
  }, [messages, me.id]);

  return {
    delivery(entry) {
      if (!keeps || listing?.kind !== 'dm' || entry.kind !== 'message') return undefined;
      if (entry.message.user.id !== me.id) return undefined;
      const seq = entry.message.seq;
      if ((peer?.read ?? 0) >= seq) return 'read';
      return (peer?.delivered ?? 0) >= seq ? 'delivered' : 'sent';
    },
    seenBy(entry) {
      if (!keeps || listing?.kind !== 'channel' || entry.kind !== 'message') return undefined;
      if (entry.message.seq !== myLatest) return undefined;
      let n = 0;
      for (const pointers of receipts.values())
        if (pointers.user.id !== me.id && pointers.read >= entry.message.seq) n++;
      return n;
    },
  };
}
