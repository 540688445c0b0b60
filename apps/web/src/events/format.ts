/**
 * Times and counts as the viewer reads them: in their own time zone and locale (an event in
 * Tokyo shows when it starts where the viewer is). `locale` and `timeZone` are for tests.
 */

const day = 86_400_000;

const shapes = {
  date: { year: 'numeric', month: 'numeric', day: 'numeric' },
  time: { hour: 'numeric', minute: '2-digit' },
  dateTime: {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: 'numeric',
    minute: '2-digit',
  },
} satisfies Record<string, Intl.DateTimeFormatOptions>;

/** One formatter per shape, locale and zone: a list of cards makes one, not one per card. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(
  shape: keyof typeof shapes,
  locale: string | undefined,
  timeZone: string | undefined,
): Intl.DateTimeFormat {
  const key = `${shape}|${locale ?? ''}|${timeZone ?? ''}`;
  let format = formatters.get(key);
  if (format === undefined) {
    format = new Intl.DateTimeFormat(locale, { ...shapes[shape], timeZone });
    formatters.set(key, format);
  }
  return format;
}

/** The calendar day of an instant in a zone, as a number that counts days. */
function dayNumber(at: number, timeZone: string | undefined): number {
  const parts = formatter('date', 'en-US', timeZone).formatToParts(at);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(part('year'), part('month') - 1, part('day')) / day;
}

/** "Today, 19:30", "Tomorrow, 02:00", or "Tue 24 Nov, 19:30" (the locale picks the forms). */
export function formatStart(iso: string, now: number, locale?: string, timeZone?: string): string {
  const at = Date.parse(iso);
  const time = formatter('time', locale, timeZone).format(at);
  const days = dayNumber(at, timeZone) - dayNumber(now, timeZone);
  if (days === 0) return `Today, ${time}`;
  if (days === 1) return `Tomorrow, ${time}`;
  if (days === -1) return `Yesterday, ${time}`;
  return formatter('dateTime', locale, timeZone).format(at);
}

/** Just the local time, for "chat opens at 14:00". */
export function formatTime(iso: string, locale?: string, timeZone?: string): string {
  return formatter('time', locale, timeZone).format(Date.parse(iso));
}

/** 7, 1,234, 12K: the size of a crowd at a glance. */
export function formatCount(n: number, locale?: string): string {
  return new Intl.NumberFormat(locale, {
    notation: n < 10_000 ? 'standard' : 'compact',
    maximumFractionDigits: 1,
  }).format(n);
}
