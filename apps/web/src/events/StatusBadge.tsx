import type { EventStatus } from '@hubbub/protocol';
import { cn } from '../lib/cn.js';

const looks: Record<EventStatus, { label: string; className: string }> = {
  live: { label: 'LIVE', className: 'bg-red-600 text-white' },
  scheduled: { label: 'Upcoming', className: 'bg-slate-800 text-slate-200' },
  ended: { label: 'Ended', className: 'bg-slate-800 text-slate-300' },
  cancelled: { label: 'Cancelled', className: 'bg-rose-950 text-rose-200 ring-1 ring-rose-700' },
  postponed: { label: 'Postponed', className: 'bg-amber-950 text-amber-200 ring-1 ring-amber-700' },
};

/** Where an event stands, at a glance: LIVE in red, called-off events unmistakable. */
export function StatusBadge({ status, className }: { status: EventStatus; className?: string }) {
  const look = looks[status];
  return (
    <span
      data-testid="status"
      data-status={status}
      className={cn(
        'inline-flex items-center gap-1 rounded px-1.5 py-0.5 text-xs font-bold tracking-wide',
        look.className,
        className,
      )}
    >
      {status === 'live' && (
        <span aria-hidden className="size-1.5 animate-pulse rounded-full bg-white" />
      )}
      {look.label}
    </span>
  );
}
