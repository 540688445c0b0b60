import { Link } from '@tanstack/react-router';
import { ArrowLeft } from 'lucide-react';

/** The way back from a page of its own (events, analytics) to the chat. */
export function BackToChat() {
  return (
    <Link
      to="/"
      className="inline-flex items-center gap-1 rounded-lg px-2 py-1 text-sm text-slate-300 hover:bg-slate-800 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-400"
    >
      <ArrowLeft aria-hidden className="size-4" /> Chat
    </Link>
  );
}
