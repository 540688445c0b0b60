import { type ChatMessage, hasVisibleText, limits, splitMentions } from '@hubbub/protocol';
import { Check, CheckCheck } from 'lucide-react';
import { useState } from 'react';
import { withVisibleControls } from '../components/UserText.js';
import { Textarea } from '../components/ui/input.js';

/** How far one's own message got: the DM's other person has it, or has seen it. */
export type Delivery = 'sent' | 'delivered' | 'read';

/** Editing in place: Enter saves, Shift+Enter is a new line, Escape cancels. */
export function EditBox({
  id,
  content,
  onDone,
}: {
  id: string;
  content: string;
  onDone: (content: string | undefined) => void;
}) {
  const [text, setText] = useState(content);
  const valid = hasVisibleText(text) && text.length <= limits.contentMaxChars;
  return (
    <span className="mt-1 flex flex-col gap-1">
      <Textarea
        id={id}
        aria-label="Edit message"
        autoFocus
        rows={Math.min(6, text.split('\n').length)}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape') {
            // Escape ends the edit, not whatever dialog or list holds the box.
            event.stopPropagation();
            onDone(undefined);
          }
          if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
            event.preventDefault();
            if (valid) onDone(text);
          }
        }}
        className="py-1"
      />
      <span className="text-xs text-slate-400">Enter to save · Escape to cancel</span>
    </span>
  );
}

export const quickReactions = ['👍', '❤️', '😂', '🎉', '😮', '😢'];

/** The emoji people chose, with counts; one's own are marked, and a click takes them back. */
export function Reactions({
  reactions,
  me,
  toggle,
  tabIndex,
}: {
  reactions: NonNullable<ChatMessage['reactions']>;
  me: string;
  toggle: (emoji: string, on: boolean) => void;
  tabIndex?: number | undefined;
}) {
  return (
    <span className="mt-1 flex flex-wrap gap-1" data-testid="reactions">
      {reactions.map(({ emoji, count, users }) => {
        const mine = users.some((u) => u.id === me);
        const who =
          users.map((u) => u.name).join(', ') + (count > users.length ? ' and others' : '');
        return (
          <button
            key={emoji}
            type="button"
            tabIndex={tabIndex}
            aria-pressed={mine}
            aria-label={`${emoji} ${count}: ${who}`}
            title={`${who} reacted with ${emoji}`}
            onClick={() => toggle(emoji, !mine)}
            className={`inline-flex items-center gap-1 rounded-full border px-2 py-0.5 text-xs tabular-nums focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-400 ${mine ? 'border-sky-500 bg-sky-950 text-sky-100' : 'border-slate-700 bg-slate-900 text-slate-300 hover:border-slate-500'}`}
          >
            <span aria-hidden>{emoji}</span>
            <span aria-hidden>{count}</span>
          </button>
        );
      })}
    </span>
  );
}

const deliveryText: Record<Delivery, string> = {
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read',
};

export function Ticks({ delivery }: { delivery: Delivery }) {
  const Icon = delivery === 'sent' ? Check : CheckCheck;
  return (
    <span
      role="img"
      aria-label={deliveryText[delivery]}
      title={deliveryText[delivery]}
      data-delivery={delivery}
      className={`ml-1 inline-flex align-middle ${delivery === 'read' ? 'text-sky-400' : 'text-slate-400'}`}
    >
      <Icon className="size-3.5" aria-hidden />
    </span>
  );
}

/**
 * The message a reply answers, quoted above it: its author and first words, or a note that
 * it was deleted or is further back than what is loaded.
 */
export function Quote({ parent }: { parent: ChatMessage | null }) {
  const text =
    parent === null
      ? 'an earlier message'
      : parent.deleted === true
        ? 'a deleted message'
        : parent.content.length > 120
          ? `${parent.content.slice(0, 120)}…`
          : parent.content;
  return (
    <span
      className="mb-0.5 flex min-w-0 items-center gap-1 border-l-2 border-slate-600 pl-2 text-xs text-slate-400"
      data-testid="quote"
    >
      <span className="shrink-0">Replying to</span>{' '}
      {parent !== null && parent.deleted !== true && (
        <>
          <span className="shrink-0 font-semibold text-slate-300">
            <bdi>{parent.user.name}</bdi>:
          </span>{' '}
        </>
      )}
      <bdi className="truncate">{withVisibleControls(text)}</bdi>
    </span>
  );
}

/**
 * A message's text with its `@mentions` marked; mine stand out. Isolated (`dir="auto"`,
 * `unicode-bidi: isolate`) so that its right-to-left words or bidi controls cannot reorder
 * the name, time and marks around it, and with those controls shown rather than obeyed.
 */
export function Content({ text, login }: { text: string; login: string | undefined }) {
  return (
    <span
      dir="auto"
      className="whitespace-pre-wrap break-words [unicode-bidi:isolate]"
      data-content
    >
      {splitMentions(text).map((part, i) =>
        part.login === undefined ? (
          withVisibleControls(part.text)
        ) : (
          <span
            // Parts never move: the index is their identity.
            // biome-ignore lint/suspicious/noArrayIndexKey: see above
            key={i}
            data-mention={part.login === login ? 'me' : 'other'}
            className={
              part.login === login
                ? 'rounded bg-amber-400/20 px-0.5 font-semibold text-amber-200'
                : 'rounded bg-sky-400/10 px-0.5 text-sky-200'
            }
          >
            {part.text}
          </span>
        ),
      )}
    </span>
  );
}
