import type { RoomId } from '@hubbub/protocol';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useMemo, useSyncExternalStore } from 'react';
import { toast } from 'sonner';
import { ConnectionBadge } from './ConnectionBadge.js';
import { ChatStore } from './chat-store.js';
import { RoomView } from './RoomView.js';
import { chatRoute } from './router.js';
import { bearer, type Session, tokenProvider, userOf } from './session.js';

export interface ChannelInfo {
  room: RoomId;
  kind: 'channel' | 'dm';
  visibility: 'public' | 'private';
  role: 'owner' | 'moderator' | 'member' | null;
}

/** The signed-in screen: rooms on the side (or on top, on a phone), the open room, the connection. */
export function Chat({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const origin = window.location.origin;
  const me = userOf(session);
  const token = useMemo(() => tokenProvider(session, origin), [session, origin]);
  const store = useMemo(
    () => new ChatStore(`${origin.replace(/^http/, 'ws')}/ws`, token, me),
    [origin, token, me],
  );
  useEffect(() => () => store.close(), [store]);
  useSyncExternalStore(store.subscribe, () => store.status);
  const { room = 'global' } = chatRoute.useSearch();
  const navigate = chatRoute.useNavigate();
  const setRoom = (next: RoomId) => void navigate({ search: { room: next } });
  const queries = useQueryClient();

  const channels = useQuery({
    queryKey: ['channels', me.id],
    enabled: session.kind === 'account',
    queryFn: async (): Promise<ChannelInfo[]> => {
      const response = await fetch('/api/channels', { headers: await bearer(token) });
      if (!response.ok) throw new Error(`channels: HTTP ${response.status}`);
      return ((await response.json()) as { channels: ChannelInfo[] }).channels;
    },
  });
  const rooms: ChannelInfo[] = [
    { room: 'global', kind: 'channel', visibility: 'public', role: null },
    ...(channels.data ?? []),
  ];
  const current = rooms.find((r) => r.room === room);

  async function createChannel(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const name = String(form.get('name') ?? '')
      .trim()
      .toLowerCase();
    const response = await fetch('/api/channels', {
      method: 'POST',
      headers: { ...(await bearer(token)), 'content-type': 'application/json' },
      body: JSON.stringify({
        name,
        visibility: form.get('private') === 'on' ? 'private' : 'public',
      }),
    });
    if (!response.ok) {
      toast.error(((await response.json()) as { error: { message: string } }).error.message);
      return;
    }
    await queries.invalidateQueries({ queryKey: ['channels'] });
    setRoom(name);
  }

  async function openDm(userId: string) {
    const response = await fetch('/api/dms', {
      method: 'POST',
      headers: { ...(await bearer(token)), 'content-type': 'application/json' },
      body: JSON.stringify({ userId }),
    });
    const body = (await response.json()) as { room?: string; error?: { message: string } };
    if (!response.ok || body.room === undefined) {
      toast.error(body.error?.message ?? 'Could not open a DM.');
      return;
    }
    await queries.invalidateQueries({ queryKey: ['channels'] });
    setRoom(body.room);
  }

  async function signOut() {
    if (session.kind === 'account') {
      await fetch('/api/auth/logout', { method: 'POST', headers: await bearer(token) }).catch(
        () => {},
      );
    }
    store.close();
    onSignOut();
  }

  const label = (r: ChannelInfo) => (r.kind === 'dm' ? 'Direct message' : `#${r.room}`);

  return (
    <div className="flex h-full flex-col md:flex-row">
      <aside className="flex flex-col gap-3 border-slate-800 bg-slate-900 p-3 md:w-64 md:border-r">
        <div className="flex items-center justify-between gap-2">
          <span className="text-lg font-bold">Hubbub</span>
          <div className="flex items-center gap-2">
            <ConnectionBadge store={store} />
            {/* On a phone the sidebar's footer is hidden; signing out must stay one tap away. */}
            <button
              type="button"
              onClick={signOut}
              className="rounded-md px-2 py-0.5 text-xs text-slate-300 hover:bg-slate-800 md:hidden"
            >
              Sign out
            </button>
          </div>
        </div>
        <label className="text-sm md:hidden">
          <span className="sr-only">Room</span>
          <select
            className="w-full rounded-lg border border-slate-700 bg-slate-950 p-2"
            value={room}
            onChange={(e) => setRoom(e.target.value)}
          >
            {rooms.map((r) => (
              <option key={r.room} value={r.room}>
                {label(r)}
              </option>
            ))}
          </select>
        </label>
        <nav aria-label="Rooms" className="hidden flex-col gap-1 md:flex">
          {rooms.map((r) => (
            <button
              key={r.room}
              type="button"
              aria-current={r.room === room ? 'page' : undefined}
              onClick={() => setRoom(r.room)}
              className={`truncate rounded-md px-2 py-1.5 text-left text-sm ${r.room === room ? 'bg-slate-700 text-white' : 'text-slate-300 hover:bg-slate-800'}`}
            >
              {label(r)}
              {r.visibility === 'private' && r.kind === 'channel' ? ' 🔒' : ''}
            </button>
          ))}
        </nav>
        {session.kind === 'account' && (
          <form
            onSubmit={createChannel}
            className="hidden flex-col gap-1 md:flex"
            aria-label="Create a channel"
          >
            <input
              name="name"
              required
              pattern="[a-z0-9][a-z0-9_.\-]{0,63}"
              placeholder="new-channel"
              aria-label="New channel name"
              className="rounded-md border border-slate-700 bg-slate-950 px-2 py-1 text-sm"
            />
            <label className="flex items-center gap-2 text-xs text-slate-400">
              <input type="checkbox" name="private" /> private
            </label>
            <button
              type="submit"
              className="rounded-md bg-slate-700 px-2 py-1 text-sm hover:bg-slate-600"
            >
              Create channel
            </button>
          </form>
        )}
        <div className="mt-auto hidden items-center justify-between gap-2 text-sm md:flex">
          <span className="truncate text-slate-400">
            {me.name}
            {session.kind === 'guest' ? ' (guest)' : ''}
          </span>
          <button
            type="button"
            onClick={signOut}
            className="rounded-md px-2 py-1 text-slate-300 hover:bg-slate-800"
          >
            Sign out
          </button>
        </div>
      </aside>
      <RoomView
        key={room}
        store={store}
        room={room}
        title={current === undefined ? room : label(current)}
        role={current?.role ?? null}
        token={token}
        onOpenDm={session.kind === 'account' ? openDm : undefined}
      />
    </div>
  );
}
