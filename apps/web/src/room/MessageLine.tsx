import type { ChatMessage, RoomId } from '@hubbub/protocol';
import * as m from 'motion/react-m';
import { useState, useSyncExternalStore } from 'react';
import { useChat } from '../chat-context.js';
import { Button } from '../components/ui/button.js';
import { cn } from '../lib/cn.js';
import { mentionsLogin } from '../mentions.js';
import type { Entry, RowLayout } from '../timeline.js';
import { Attachments } from './Attachments.js';
import { focusComposer } from './Composer.js';
import { editBoxId, MessageActions } from './MessageActions.js';
import { Content, type Delivery, EditBox, Quote, Reactions, Ticks } from './MessageParts.js';

const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const fullDate = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'medium' });

/**
 * A line that just arrived slides in; one that scrolls back into view (the list renders
 * only what is visible, so rows mount again) or came from history does not. "Just" is
 * measured on the server's clock, in either direction, so a skewed clock only mutes it.
 */
function isFresh(entry: Entry): boolean {
  if (entry.kind === 'pending') return entry.ackedId === undefined && entry.failed === undefined;
  return Math.abs(Date.now() - Date.parse(entry.message.ts)) < 1500;
}

/** What a line of the timeline is told besides its entry. */
interface LineProps {
  room: RoomId;
  moderator: boolean;
  /** Whether the list's arrow keys are on this line: only its controls are in the tab order. */
  active: boolean;
  /** Its day divider, and whether it continues the author's group above. */
  layout: RowLayout;
  /** Ticks on one's own messages in a DM. */
  delivery?: Delivery | undefined;
  /** "Seen by N" under one's latest message in a channel. */
  seenBy?: number | undefined;
  /** The message asked for (a search hit): marked until another one is. */
  focused?: boolean | undefined;
  /** For a reply: the message it answers, or null when that is not loaded. */
  parent?: ChatMessage | null | undefined;
  onReply: (message: ChatMessage) => void;
}

export function MessageLine({ entry, ...line }: LineProps & { entry: Entry }) {
  return (
    <>
      {line.layout.day !== undefined && <DayDivider label={line.layout.day} />}
      <m.div
        initial={isFresh(entry) ? { opacity: 0, y: 8 } : false}
        animate={{ opacity: 1, y: 0 }}
        transition={{ duration: 0.18, ease: 'easeOut' }}
        className={line.layout.continued ? '' : 'pt-1.5'}
      >
        {entry.kind === 'pending' ? (
          <PendingLine entry={entry} room={line.room} line={line} />
        ) : (
          <StoredLine entry={entry} {...line} />
        )}
      </m.div>
    </>
  );
}

function DayDivider({ label }: { label: string }) {
  return (
    <div className="flex items-center gap-3 py-2" data-testid="day-divider">
      <span aria-hidden className="h-px flex-1 bg-slate-800" />
      <span className="text-xs font-semibold text-slate-400">{label}</span>
      <span aria-hidden className="h-px flex-1 bg-slate-800" />
    </div>
  );
}

/** The author's name, or, inside a group, the same name for screen readers only. */
function Author({ name, continued }: { name: string; continued: boolean }) {
  return (
    <bdi data-author className={continued ? 'sr-only' : 'font-semibold text-sky-300'}>
      {name}
    </bdi>
  );
}

function PendingLine({
  entry,
  room,
  line,
}: {
  entry: Extract<Entry, { kind: 'pending' }>;
  room: RoomId;
  line: LineProps;
}) {
  const { store } = useChat();
  const tabIndex = line.active ? 0 : -1;
  return (
    <div
      className={entry.ackedId === undefined ? 'opacity-60' : ''}
      data-testid="pending-message"
      aria-busy={entry.ackedId === undefined && entry.failed === undefined}
    >
      <Author name={entry.user.name} continued={line.layout.continued} />{' '}
      <Content text={entry.content} login={undefined} />
      {entry.ackedId === undefined && entry.failed === undefined && (
        <span className="ml-2 text-xs text-slate-300 italic">sending…</span>
      )}
      {entry.attachments !== undefined && entry.attachments.length > 0 && (
        <Attachments attachments={entry.attachments} tabIndex={tabIndex} />
      )}
      {entry.failed !== undefined && (
        <span className="ml-2 inline-flex items-center gap-1 text-xs text-rose-300">
          {entry.failed}
          <Button
            variant="link"
            size="sm"
            className="h-auto px-1"
            tabIndex={tabIndex}
            onClick={() => {
              store.retry(room, entry);
              // The button goes with the failure it answered: the caret goes back to writing.
              focusComposer();
            }}
          >
            Retry
          </Button>
          <Button
            variant="link"
            size="sm"
            className="h-auto px-1 text-slate-300"
            tabIndex={tabIndex}
            onClick={() => {
              store.discard(room, entry.cid);
              focusComposer();
            }}
          >
            Discard
          </Button>
        </span>
      )}
    </div>
  );
}

function StoredLine({
  entry,
  room,
  moderator,
  active,
  layout,
  delivery,
  seenBy,
  parent,
  focused,
  onReply,
}: LineProps & { entry: Extract<Entry, { kind: 'message' }> }) {
  const { store, me, isAccount, openDm } = useChat();
  const { message } = entry;
  const mine = message.user.id === me.id;
  const at = new Date(message.ts);
  const [editing, setEditing] = useState(false);
  const login = useSyncExternalStore(store.subscribe, () => store.login);
  const mentionsMe = !mine && !message.deleted && mentionsLogin(message, login);
  const tabIndex = active ? 0 : -1;
  const { continued } = layout;
  return (
    <div
      className={cn(
        'group relative flex items-start gap-2 rounded-md px-1 hover:bg-slate-900/60 [@media(hover:none)]:pr-8',
        mentionsMe && 'border-l-2 border-amber-400 bg-amber-400/5',
        focused && 'bg-sky-900/40 ring-1 ring-sky-500',
      )}
      data-focused={focused ? '' : undefined}
      data-testid="message"
      data-seq={message.seq}
      data-mentions-me={mentionsMe ? '' : undefined}
    >
      <div className="min-w-0 flex-1">
        {parent !== undefined && <Quote parent={parent} />}
        {isAccount && !mine && !continued ? (
          <button
            type="button"
            data-author
            tabIndex={tabIndex}
            title={`Message ${message.user.name}`}
            className="font-semibold text-sky-300 hover:underline focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-400"
            onClick={() => void openDm(message.user.id)}
          >
            <bdi>{message.user.name}</bdi>
          </button>
        ) : (
          <Author name={message.user.name} continued={continued} />
        )}{' '}
        <time
          dateTime={message.ts}
          title={fullDate.format(at)}
          className={cn(
            'text-xs text-slate-400 tabular-nums',
            // In a group the time shows on hover or focus, as Slack's does.
            continued &&
              'inline-block w-0 overflow-hidden group-hover:w-auto group-focus-within:w-auto',
          )}
        >
          {clock.format(at)}
        </time>{' '}
        {message.deleted ? (
          <em className="text-slate-400" data-content>
            message deleted
          </em>
        ) : editing ? (
          <EditBox
            id={editBoxId(message.id)}
            content={message.content}
            onDone={(content) => {
              setEditing(false);
              if (content !== undefined && content !== message.content)
                store.client.edit(room, message.id, content);
              focusComposer();
            }}
          />
        ) : (
          <Content text={message.content} login={login} />
        )}
        {message.editedAt !== undefined && !message.deleted && (
          <span
            className="ml-1 text-xs text-slate-400"
            title={fullDate.format(new Date(message.editedAt))}
          >
            (edited)
          </span>
        )}
        {delivery !== undefined && <Ticks delivery={delivery} />}
        {message.attachments !== undefined && !message.deleted && (
          <Attachments attachments={message.attachments} tabIndex={tabIndex} />
        )}
        {message.reactions !== undefined && !message.deleted && (
          <Reactions
            reactions={message.reactions}
            me={me.id}
            tabIndex={tabIndex}
            toggle={(emoji, on) => store.client.react(room, message.id, emoji, on)}
          />
        )}
        {seenBy !== undefined && seenBy > 0 && (
          <span className="block text-xs text-slate-400" data-testid="seen-by">
            Seen by {seenBy}
          </span>
        )}
      </div>
      {!message.deleted && (
        // Over the line's end, as Slack's toolbar is: a line is as tall as its text.
        <div className="absolute top-0 right-1 rounded-md group-hover:bg-slate-800 has-[:focus-visible]:bg-slate-800 has-[[data-state=open]]:bg-slate-800 [@media(hover:none)]:bg-transparent">
          <MessageActions
            room={room}
            messageId={message.id}
            tabIndex={tabIndex}
            author={message.user}
            content={message.content}
            canDelete={mine || moderator}
            onEdit={mine ? () => setEditing(true) : undefined}
            onReply={() => onReply(message)}
            onReact={(emoji) => {
              const mineAlready = message.reactions
                ?.find((r) => r.emoji === emoji)
                ?.users.some((u) => u.id === me.id);
              store.client.react(room, message.id, emoji, mineAlready !== true);
            }}
            canModerate={moderator && !mine}
            canDm={isAccount && !mine}
            act={(frame) => store.client.moderate(frame)}
            openDm={() => void openDm(message.user.id)}
          />
        </div>
      )}
    </div>
  );
}
