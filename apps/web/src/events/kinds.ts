import type { EventClassification } from '@hubbub/protocol';
import {
  Clapperboard,
  Drama,
  Laugh,
  type LucideIcon,
  Music,
  PartyPopper,
  Sparkles,
  Trophy,
} from 'lucide-react';

/** How each kind of event is named and drawn (a Record: a new kind fails to compile here). */
export const kinds: Record<EventClassification, { label: string; icon: LucideIcon; tint: string }> =
  {
    music: { label: 'Music', icon: Music, tint: 'from-fuchsia-900 to-indigo-950' },
    sports: { label: 'Sports', icon: Trophy, tint: 'from-emerald-900 to-slate-950' },
    arts: { label: 'Arts & theatre', icon: Drama, tint: 'from-amber-900 to-slate-950' },
    film: { label: 'Film', icon: Clapperboard, tint: 'from-sky-900 to-slate-950' },
    family: { label: 'Family', icon: PartyPopper, tint: 'from-pink-900 to-slate-950' },
    comedy: { label: 'Comedy', icon: Laugh, tint: 'from-orange-900 to-slate-950' },
    other: { label: 'Other', icon: Sparkles, tint: 'from-slate-700 to-slate-950' },
  };
