import {
  type ChatMessage,
  hasVisibleText,
  isEmoteOnly,
  limits,
  type RoomModes,
} from '@hubbub/protocol';
import { Paperclip, SendHorizontal, X } from 'lucide-react';
import { type KeyboardEvent, useEffect, useId, useLayoutEffect, useRef, useState } from 'react';
import { toast } from 'sonner';
import { withVisibleControls } from '../components/UserText.js';
import { Button } from '../components/ui/button.js';
import { Textarea } from '../components/ui/input.js';
import { cn } from '../lib/cn.js';
import { AttachmentChips } from './AttachmentChips.js';
import { type Candidate, MentionPicker, useMentionCandidates } from './MentionPicker.js';
import { completeMention, mentionAt } from './mention-query.js';
import { guestsCannotAttach, type Uploads } from './uploads.js';

/**
 * Enter sends, Shift+Enter starts a new line; the box grows with its text; the counter
 * shows near the limit and turns red past it, when sending is off. Typing `@` and a few
 * letters offers people to mention: arrows choose, Enter or Tab completes, Escape closes.
 */
const emoteOnlyNoFiles = 'Emote-only mode: messages here are emoji, without files.';

export function Composer({
  title,
  replyingTo,
  onCancelReply,
  uploads,
  canAttach,
  rules,
  onSend,
  onTyping,
}: {
  /** Accounts may attach files; guests may not upload. */
  canAttach: boolean;
  /**
   * The room's crowd modes that bind this person (none for moderators), shown before
   * sending rather than refused after.
   */
  rules: { modes: RoomModes; guest: boolean };
  title: string;
  /** Files attached so far (the picker, a paste, or a drop on the room). */
  uploads: Uploads;
  /** The message this one will answer, shown above the box until sent or cancelled. */
  replyingTo: ChatMessage | undefined;
  onCancelReply: () => void;
  onSend: (content: string) => void;
  /** Called on every edit; the SDK decides how often the room hears of it. */
  onTyping: () => void;
}) {
  const [text, setText] = useState('');
  const [caret, setCaret] = useState(0);
  const [dismissed, setDismissed] = useState<number | undefined>(undefined);
  const [active, setActive] = useState(0);
  const box = useRef<HTMLTextAreaElement>(null);
  const pickerId = useId();
  const typed = mentionAt(text, caret);
  const at = typed !== undefined && typed.start !== dismissed ? typed : undefined;
  const candidates = useMentionCandidates(at?.query);
  const picking = at !== undefined && candidates.length > 0;
  const chosen = Math.min(active, candidates.length - 1);
  const picker = useRef<HTMLInputElement>(null);
  const over = text.length > limits.contentMaxChars;
  // Only spaces or invisible characters: the server refuses it as empty.
  const blank = !hasVisibleText(text);
  const guestsMuted = rules.modes.membersOnly && rules.guest;
  const emoteOnly = rules.modes.emoteOnly;
  const notEmoji = emoteOnly && !blank && !isEmoteOnly(text);
  const attaching = canAttach && !emoteOnly;
  // Files attached before emote-only came on cannot go with an emoji message.
  const filesRefused = emoteOnly && uploads.uploads.length > 0;
  // Text or at least one finished upload, and nothing still on its way.
  const sendable =
    !over &&
    !notEmoji &&
    !filesRefused &&
    !guestsMuted &&
    !uploads.busy &&
    (!blank || (attaching && uploads.attachments.length > 0));
  const hintId = useId();
  const hint = guestsMuted
    ? 'Members-only mode: sign in to chat here. You can still read along.'
    : notEmoji
      ? 'Emote-only mode: only emoji can be sent here.'
      : filesRefused
        ? 'Emote-only mode: no files here. Remove them to send.'
        : undefined;
  useLayoutEffect(() => {
    const element = box.current;
    if (element === null) return;
    element.style.height = 'auto';
    element.style.height = `${element.scrollHeight}px`;
  });
  function send() {
    if (!sendable) return;
    onSend(text);
    setText('');
  }
  function pick(candidate: Candidate) {
    if (at === undefined) return;
    const next = completeMention(text, at, candidate.username);
    setText(next.text);
    setCaret(next.caret);
    setActive(0);
    requestAnimationFrame(() => box.current?.setSelectionRange(next.caret, next.caret));
  }
  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (picking) {
      const step = event.key === 'ArrowDown' ? 1 : event.key === 'ArrowUp' ? -1 : 0;
      if (step !== 0) {
        event.preventDefault();
        setActive((chosen + step + candidates.length) % candidates.length);
        return;
      }
      const candidate = candidates[chosen];
      if ((event.key === 'Enter' || event.key === 'Tab') && candidate !== undefined) {
        event.preventDefault();
        pick(candidate);
        return;
      }
      if (event.key === 'Escape') {
        setDismissed(at.start);
        return;
      }
    }
    if (event.key === 'Escape' && replyingTo !== undefined) onCancelReply();
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    }
  }
  useEffect(() => {
    if (replyingTo !== undefined) box.current?.focus();
  }, [replyingTo]);
  // A room that opens is a room to write in: the caret goes to the composer, except on touch
  // screens, where focusing would throw up the keyboard over what one came to read.
  useEffect(() => {
    if (window.matchMedia('(pointer: fine)').matches) focusComposer();
  }, []);
  return (
    <div className="border-t border-slate-800">
      {replyingTo !== undefined && (
        <div className="flex items-center gap-2 px-3 pt-2 text-xs text-slate-400">
          <span className="min-w-0 flex-1 truncate">
            Replying to <bdi className="font-semibold text-slate-300">{replyingTo.user.name}</bdi>:{' '}
            <bdi>{withVisibleControls(replyingTo.content)}</bdi>
          </span>
          <Button variant="ghost" size="icon-sm" aria-label="Cancel reply" onClick={onCancelReply}>
            <X />
          </Button>
        </div>
      )}
      <AttachmentChips uploads={uploads} onRemoved={() => box.current?.focus()} />
      {picking && (
        <MentionPicker id={pickerId} candidates={candidates} active={chosen} onPick={pick} />
      )}
      {hint !== undefined && (
        <p id={hintId} className="px-3 pt-2 text-xs text-amber-200">
          {hint}
        </p>
      )}
      <form
        className="flex items-end gap-2 p-3"
        onSubmit={(e) => {
          e.preventDefault();
          send();
        }}
      >
        {attaching && (
          <>
            <input
              ref={picker}
              type="file"
              multiple
              hidden
              accept="image/jpeg,image/png,image/webp,image/gif,application/pdf"
              onChange={(e) => {
                uploads.add(Array.from(e.target.files ?? []));
                e.target.value = '';
              }}
            />
            <Button
              type="button"
              variant="ghost"
              size="icon"
              aria-label="Attach files"
              onClick={() => picker.current?.click()}
            >
              <Paperclip />
            </Button>
          </>
        )}
        <Textarea
          ref={box}
          id="composer"
          aria-label="Message"
          rows={1}
          value={text}
          // Read-only, not disabled: a disabled box would drop the focus of someone typing
          // when the mode comes on, and take the reason out of reach.
          readOnly={guestsMuted}
          aria-disabled={guestsMuted}
          aria-invalid={notEmoji || over}
          aria-describedby={hint === undefined ? undefined : hintId}
          aria-controls={picking ? pickerId : undefined}
          aria-activedescendant={picking ? `${pickerId}-${chosen}` : undefined}
          onChange={(e) => {
            setText(e.target.value);
            setCaret(e.target.selectionStart);
            if (e.target.value.trim() !== '') onTyping();
          }}
          onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
          onPaste={(e) => {
            const files = Array.from(e.clipboardData.files);
            if (files.length === 0) return;
            e.preventDefault();
            if (attaching) uploads.add(files);
            else if (canAttach) toast.warning(emoteOnlyNoFiles, { id: 'emote-only-attach' });
            else toast.warning(guestsCannotAttach, { id: 'guest-attach' });
          }}
          onKeyDown={onKeyDown}
          placeholder={
            guestsMuted
              ? 'Members-only mode: sign in to chat'
              : emoteOnly
                ? `Emoji only in ${title}`
                : `Message ${title}`
          }
          className="max-h-40 min-w-0 flex-1"
        />
        <span
          className={cn(
            'pb-2 text-xs tabular-nums',
            over ? 'font-semibold text-rose-400' : 'text-slate-400',
          )}
          aria-live="polite"
        >
          {text.length}/{limits.contentMaxChars}
        </span>
        <Button type="submit" size="icon" disabled={!sendable} aria-label="Send">
          <SendHorizontal />
        </Button>
      </form>
    </div>
  );
}

/** Puts the caret in the open room's composer (after a reply is chosen, an edit, a dialog). */
export function focusComposer(): void {
  document.getElementById('composer')?.focus({ preventScroll: true });
}
