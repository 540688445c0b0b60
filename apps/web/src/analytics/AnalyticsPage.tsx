import type { Analytics } from '@hubbub/protocol';
import { fetchAnalytics, fetchEvent, HubbubError } from '@hubbub/sdk';
import { useQueries, useQuery } from '@tanstack/react-query';
import { useEffect, useId, useMemo, useState } from 'react';
import { BackToChat } from '../components/BackToChat.js';
import { eventIdOf } from '../events/use-live-event.js';
import { loadSession, tokenProvider } from '../session.js';
import { Chart } from './Chart.js';

/** How often the page asks for fresh figures. */
const REFRESH_MS = 3000;
/** Connection samples kept for the chart: 15 minutes at one per refresh. */
const KEPT_SAMPLES = (15 * 60_000) / REFRESH_MS;

const seconds = (iso: string) => Date.parse(iso) / 1000;
const number = (n: number) => n.toLocaleString();
/** Milliseconds as people read them: 0.4, 7.0, 12, 250. */
const ms = (n: number) => (n < 10 ? n.toFixed(1) : Math.round(n).toLocaleString());

/** A refusal that asking again will not change: not an admin, or not signed in. */
const refused = (error: unknown) =>
  error instanceof HubbubError &&
  (error.code === 'forbidden' ||
    error.code === 'not_authenticated' ||
    error.code === 'auth_failed');

/**
 * Live figures for the whole cluster: stat tiles, messages per minute, connections, broadcast
 * latency percentiles and the busiest rooms, refreshed every few seconds. Admins only (or
 * anyone where the server has ANALYTICS_PUBLIC=true).
 */
export function AnalyticsPage() {
  const token = useMemo(() => {
    const session = loadSession();
    return session === undefined ? undefined : tokenProvider(session, window.location.origin);
  }, []);
  const figures = useQuery({
    queryKey: ['analytics'],
    queryFn: async () =>
      fetchAnalytics(window.location.origin, token === undefined ? undefined : await token()),
    // Polling stops at a refusal: the answer would be the same every time.
    refetchInterval: (query) => (refused(query.state.error) ? false : REFRESH_MS),
    refetchOnWindowFocus: (query) => !refused(query.state.error),
    retry: false,
  });
  const connections = useConnectionHistory(figures.data);
  const forbidden = refused(figures.error);

  return (
    <main className="mx-auto flex min-h-dvh w-full max-w-6xl flex-col gap-4 p-4 text-slate-100">
      <header className="flex items-center gap-3">
        <BackToChat />
        <h1 className="text-xl font-bold tracking-tight">Analytics</h1>
        {figures.data !== undefined && (
          <span className="text-xs text-slate-400" aria-live="polite">
            {figures.data.nodes} {figures.data.nodes === 1 ? 'node' : 'nodes'} · up{' '}
            {uptime(figures.data.uptimeSeconds)} · refreshed every {REFRESH_MS / 1000} s
          </span>
        )}
      </header>
      {forbidden && (
        <p role="alert" className="rounded-xl border border-amber-700 bg-amber-950/50 p-4">
          Analytics are for admins. Sign in with an account listed in the server's ADMINS.
        </p>
      )}
      {figures.error !== null && !forbidden && (
        <p role="alert" className="rounded-xl border border-rose-800 bg-rose-950/50 p-4">
          The analytics could not be loaded: {figures.error.message}. Retrying…
        </p>
      )}
      {figures.data !== undefined && <Figures data={figures.data} connections={connections} />}
    </main>
  );
}

function Figures({
  data,
  connections,
}: {
  data: Analytics;
  connections: [number[], number[], number[]];
}) {
  const perMinute = useMemo(
    () =>
      [
        data.messages.perMinute.map((m) => seconds(m.minute)),
        data.messages.perMinute.map((m) => m.messages),
      ] as [number[], number[]],
    [data],
  );
  const latency = useMemo(() => {
    const minutes = data.latency.perMinute;
    // Minutes without messages have no latency: gaps, not zeros.
    const of = (pick: (m: (typeof minutes)[number]) => number) =>
      minutes.map((m) => (m.count === 0 ? null : pick(m)));
    return [
      minutes.map((m) => seconds(m.minute)),
      of((m) => m.p50),
      of((m) => m.p95),
      of((m) => m.p99),
    ] as [number[], (number | null)[], (number | null)[], (number | null)[]];
  }, [data]);
  const busiest = data.rooms[0]?.perMinute ?? 0;
  const names = useRoomNames(data.rooms.map((r) => r.room));
  // Totals and the peak count from the oldest running node's start.
  const sinceStart = `since the start, ${uptime(data.uptimeSeconds)} ago`;
  return (
    <>
      <section aria-label="Now" className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-6">
        <Tile label="Connections" value={number(data.connections.active)} period="now" />
        <Tile label="People online" value={number(data.connections.uniqueUsers)} period="now" />
        <Tile label="Peak connections" value={number(data.connections.peak)} period={sinceStart} />
        <Tile label="Messages" value={number(data.messages.total)} period={sinceStart} />
        <Tile
          label="Messages / min"
          value={number(data.messages.perMinute.at(-2)?.messages ?? 0)}
          period="last full minute"
        />
        <Tile label="p99 latency" value={`${ms(data.latency.p99)} ms`} period="last 15 minutes" />
      </section>
      <div className="grid gap-3 lg:grid-cols-2">
        <Chart
          title="Messages per minute"
          unit=""
          series={[{ label: 'messages', color: '#38bdf8' }]}
          data={perMinute}
        />
        <Chart
          title="Connections"
          unit=""
          series={[
            { label: 'connections', color: '#a78bfa' },
            { label: 'people', color: '#34d399' },
          ]}
          data={connections}
        />
        <Chart
          title={`Broadcast latency (p50 ${ms(data.latency.p50)} · p95 ${ms(data.latency.p95)} · p99 ${ms(data.latency.p99)} ms over 15 minutes)`}
          unit="ms"
          series={[
            { label: 'p50', color: '#34d399' },
            { label: 'p95', color: '#fbbf24' },
            { label: 'p99', color: '#f87171' },
          ]}
          data={latency}
        />
        <section
          aria-label="Busiest rooms"
          className="rounded-xl border border-slate-800 bg-slate-900/60 p-3"
        >
          <h2 className="text-sm font-semibold text-slate-200">Busiest rooms</h2>
          <p className="mb-2 text-xs text-slate-400">Messages per minute, last minute or two</p>
          {data.rooms.length === 0 && (
            <p className="text-sm text-slate-400">No messages in the last minutes.</p>
          )}
          <ol className="flex flex-col gap-1.5">
            {data.rooms.map((room) => (
              <li key={room.room} className="flex items-center gap-2 text-sm">
                <span className="w-40 truncate text-slate-300" title={room.room}>
                  {names(room.room)}
                </span>
                <span className="h-2 flex-1 rounded bg-slate-800">
                  <span
                    className="block h-2 rounded bg-sky-500"
                    style={{ width: `${(room.perMinute / Math.max(busiest, 1e-9)) * 100}%` }}
                  />
                </span>
                <span className="w-24 text-right tabular-nums text-slate-300">
                  {room.perMinute} / min
                </span>
              </li>
            ))}
          </ol>
        </section>
      </div>
    </>
  );
}

/** One figure, named, with the period it covers. */
function Tile({ label, value, period }: { label: string; value: string; period: string }) {
  const id = useId();
  return (
    // biome-ignore lint/a11y/useSemanticElements: a figure's parts, not form controls (fieldset)
    <div
      role="group"
      aria-labelledby={`${id}-label`}
      className="rounded-xl border border-slate-800 bg-slate-900/60 p-3"
    >
      <div id={`${id}-label`} className="text-xs text-slate-400">
        {label}
      </div>
      <div className="text-2xl font-semibold tabular-nums" data-testid={`tile-${label}`}>
        {value}
      </div>
      <div className="text-xs text-slate-400">{period}</div>
    </div>
  );
}

/**
 * Rooms as people know them: `#general`, an event's name from the catalog (cached with the
 * event rooms' own queries), and DMs without their members.
 */
function useRoomNames(rooms: readonly string[]): (room: string) => string {
  const events = [...new Set(rooms.map(eventIdOf).filter((id): id is string => id !== undefined))];
  const found = useQueries({
    queries: events.map((id) => ({
      queryKey: ['event', id],
      queryFn: () => fetchEvent(window.location.origin, id),
      staleTime: 60_000,
      retry: false,
    })),
  });
  const eventNames = new Map(events.map((id, i) => [id, found[i]?.data?.name]));
  return (room) => {
    const event = eventIdOf(room);
    if (event !== undefined) return eventNames.get(event) ?? 'An event';
    if (room.startsWith('dm:')) return 'A direct message';
    return `#${room}`;
  };
}

/** The server says how many are connected now; the page keeps what it saw, for the chart. */
function useConnectionHistory(data: Analytics | undefined): [number[], number[], number[]] {
  const [history, setHistory] = useState<[number[], number[], number[]]>([[], [], []]);
  useEffect(() => {
    if (data === undefined) return;
    setHistory(([t, active, people]) => [
      [...t, Date.now() / 1000].slice(-KEPT_SAMPLES),
      [...active, data.connections.active].slice(-KEPT_SAMPLES),
      [...people, data.connections.uniqueUsers].slice(-KEPT_SAMPLES),
    ]);
  }, [data]);
  return history;
}

function uptime(total: number): string {
  const days = Math.floor(total / 86400);
  const hours = Math.floor((total % 86400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${minutes}m`;
  return `${minutes}m ${total % 60}s`;
}
