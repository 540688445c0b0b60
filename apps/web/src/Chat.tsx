import type { ChatMessage, RoomId } from '@hubbub/protocol';
import { HubbubApi, HubbubError } from '@hubbub/sdk';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { toast } from 'sonner';
import { ChatContext, globalRoom, roomLabel, useChannels, useChat } from './chat-context.js';
import { ChatStore } from './chat-store.js';
import { Dialog, DialogContent } from './components/ui/dialog.js';
import { eventIdOf, useLiveEvent } from './events/use-live-event.js';
import { focusComposer } from './room/Composer.js';
import { RoomView } from './room/RoomView.js';
import { chatRoute } from './router.js';
import { type Session, tokenProvider, userOf } from './session.js';
import { Sidebar } from './sidebar/Sidebar.js';

/**
 * The signed-in screen: the room list beside the open room on a desktop, in a drawer on a
 * phone. The open room lives in the URL (`?room=`), so a reload or a link lands in it.
 */
export function Chat({
  session,
  onSignOut,
}: {
  session: Session;
  onSignOut: (reason?: string) => void;
}) {
  const origin = window.location.origin;
  const me = userOf(session);
  const token = useMemo(() => tokenProvider(session, origin), [session, origin]);
  const api = useMemo(() => new HubbubApi(origin, token), [origin, token]);
  const queries = useQueryClient();
  const mentioned = useRef<(message: ChatMessage) => void>(() => {});
  const store = useMemo(
    () =>
      new ChatStore(`${origin.replace(/^http/, 'ws')}/ws`, token, me, {
        onSessionEnded: () => onSignOut('Your session has ended. Please sign in again.'),
        onRoomAdded: () => void queries.invalidateQueries({ queryKey: ['channels'] }),
        onMentioned: (message) => mentioned.current(message),
        onMembersChanged: (room) => {
          void queries.invalidateQueries({ queryKey: ['channels'] });
          void queries.invalidateQueries({ queryKey: ['members', room] });
        },
      }),
    [origin, token, me, onSignOut, queries],
  );
  useEffect(() => () => store.close(), [store]);
  const { room = 'global', at } = chatRoute.useSearch();
  const navigate = chatRoute.useNavigate();
  const [drawerOpen, setDrawerOpen] = useState(false);

  const context = useMemo<ChatContext>(() => {
    const openRoom = (next: RoomId, at?: number) => {
      setDrawerOpen(false);
      void navigate({ search: at === undefined ? { room: next } : { room: next, at } });
    };
    return {
      store,
      api,
      token,
      me,
      isAccount: session.kind === 'account',
      openRoom,
      async openDm(userId) {
        try {
          const dm = await api.openDm(userId);
          await queries.invalidateQueries({ queryKey: ['channels'] });
          openRoom(dm);
        } catch (error) {
          toast.error(error instanceof HubbubError ? error.message : 'Could not open a DM.');
        }
      },
    };
  }, [store, api, token, me, session.kind, navigate, queries]);

  // A mention in a room that is not in front of the person gets a toast that opens it.
  useEffect(() => {
    mentioned.current = (message) => {
      if (message.room === room && document.visibilityState === 'visible') return;
      const where = message.room.startsWith('dm:') ? 'in a message' : `in #${message.room}`;
      toast(`${message.user.name} mentioned you ${where}`, {
        id: `mention:${message.room}:${message.seq}`,
        description:
          message.content.length > 140 ? `${message.content.slice(0, 140)}…` : message.content,
        action: { label: 'Open', onClick: () => context.openRoom(message.room) },
      });
    };
  }, [room, context]);

  async function signOut() {
    if (session.kind === 'account') {
      await fetch('/api/auth/logout', {
        method: 'POST',
        headers: { authorization: `Bearer ${await token().catch(() => '')}` },
      }).catch(() => {});
    }
    store.close();
    onSignOut();
  }

  return (
    <ChatContext.Provider value={context}>
      <div className="flex h-full">
        {/* The first stop of Tab: past the room list, straight to writing. */}
        <button
          type="button"
          onClick={focusComposer}
          className="sr-only z-50 rounded-md bg-sky-700 px-3 py-2 font-semibold text-white focus:not-sr-only focus:fixed focus:top-2 focus:left-2"
        >
          Skip to the message box
        </button>
        <aside className="hidden w-64 shrink-0 border-r border-slate-800 bg-slate-900 md:flex">
          <Sidebar current={room} onSignOut={signOut} />
        </aside>
        <Dialog open={drawerOpen} onOpenChange={setDrawerOpen}>
          <DialogContent side="left" title="Rooms" className="p-3">
            <Sidebar current={room} onSignOut={signOut} />
          </DialogContent>
        </Dialog>
        <OpenRoom room={room} at={at} onOpenRooms={() => setDrawerOpen(true)} />
      </div>
    </ChatContext.Provider>
  );
}

function OpenRoom({
  room,
  at,
  onOpenRooms,
}: {
  room: RoomId;
  at: number | undefined;
  onOpenRooms: () => void;
}) {
  const { store, api, me, isAccount } = useChat();
  const channels = useChannels();
  // One's channels and DMs stay joined, so their messages and presence stay current.
  const mine = channels
    .filter((c) => c.kind === 'dm' || c.role !== null)
    .map((c) => c.room)
    .join(' ');
  useEffect(() => {
    if (mine !== '') store.joinAll(mine.split(' '));
  }, [store, mine]);
  // Unread counts from the server, again after every reconnect (a new session id).
  const session = useSyncExternalStore(store.subscribe, () => store.status.session);
  const counts = useQuery({
    queryKey: ['myRooms', me.id, session],
    enabled: isAccount && session !== undefined,
    queryFn: () => api.myRooms(),
  });
  useEffect(() => {
    if (counts.data !== undefined) store.setUnreadBase(counts.data);
  }, [store, counts.data]);
  const listing = room === 'global' ? globalRoom : channels.find((c) => c.room === room);
  // An event's room is named for the event (until it loads, for what it is).
  const event = useLiveEvent(room).data;
  const title =
    eventIdOf(room) === undefined ? roomLabel(room, listing) : (event?.name ?? 'Live event');
  return (
    <RoomView
      key={room}
      room={room}
      at={at}
      title={title}
      listing={listing}
      onOpenRooms={onOpenRooms}
    />
  );
}
