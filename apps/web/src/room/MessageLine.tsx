import { limits, type ModerationFrame, type RoomId } from '@hubbub/protocol';
import {
  Ban,
  Check,
  CheckCheck,
  Copy,
  DoorOpen,
  Ellipsis,
  MessageCircle,
  MicOff,
  Pencil,
  Trash2,
} from 'lucide-react';
import * as m from 'motion/react-m';
import { useState } from 'react';
import { useChat } from '../chat-context.js';
import { Button } from '../components/ui/button.js';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from '../components/ui/dropdown-menu.js';
import { Textarea } from '../components/ui/input.js';
import type { Entry } from '../timeline.js';

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

/** How far one's own message got: the DM's other person has it, or has seen it. */
export type Delivery = 'sent' | 'delivered' | 'read';

export function MessageLine({
  entry,
  room,
  moderator,
  delivery,
  seenBy,
}: {
  entry: Entry;
  room: RoomId;
  moderator: boolean;
  /** Ticks on one's own messages in a DM. */
  delivery?: Delivery | undefined;
  /** "Seen by N" under one's latest message in a channel. */
  seenBy?: number | undefined;
}) {
  return (
    <m.div
      initial={isFresh(entry) ? { opacity: 0, y: 8 } : false}
      animate={{ opacity: 1, y: 0 }}
      transition={{ duration: 0.18, ease: 'easeOut' }}
    >
      {entry.kind === 'pending' ? (
        <PendingLine entry={entry} room={room} />
      ) : (
        <StoredLine
          entry={entry}
          room={room}
          moderator={moderator}
          delivery={delivery}
          seenBy={seenBy}
        />
      )}
    </m.div>
  );
}

function PendingLine({
  entry,
  room,
}: {
  entry: Extract<Entry, { kind: 'pending' }>;
  room: RoomId;
}) {
  const { store } = useChat();
  return (
    <div
      className={entry.ackedId === undefined ? 'opacity-60' : ''}
      data-testid="pending-message"
      aria-busy={entry.ackedId === undefined && entry.failed === undefined}
    >
      <span className="font-semibold text-sky-300">{entry.user.name}</span>{' '}
      <span className="whitespace-pre-wrap break-words">{entry.content}</span>
      {entry.failed !== undefined && (
        <span className="ml-2 inline-flex items-center gap-1 text-xs text-rose-300">
          {entry.failed}
          <Button
            variant="link"
            size="sm"
            className="h-auto px-1"
            onClick={() => store.retry(room, entry.cid, entry.content)}
          >
            Retry
          </Button>
          <Button
            variant="link"
            size="sm"
            className="h-auto px-1 text-slate-300"
            onClick={() => store.discard(room, entry.cid)}
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
  delivery,
  seenBy,
}: {
  entry: Extract<Entry, { kind: 'message' }>;
  room: RoomId;
  moderator: boolean;
  delivery: Delivery | undefined;
  seenBy: number | undefined;
}) {
  const { store, me, isAccount, openDm } = useChat();
  const { message } = entry;
  const mine = message.user.id === me.id;
  const at = new Date(message.ts);
  const [editing, setEditing] = useState(false);
  return (
    <div
      className="group flex items-start gap-2 rounded-md px-1 hover:bg-slate-900/60"
      data-testid="message"
      data-seq={message.seq}
    >
      <div className="min-w-0 flex-1">
        {isAccount && !mine ? (
          <button
            type="button"
            data-author
            title={`Message ${message.user.name}`}
            className="font-semibold text-sky-300 hover:underline focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-400"
            onClick={() => void openDm(message.user.id)}
          >
            {message.user.name}
          </button>
        ) : (
          <span data-author className="font-semibold text-sky-300">
            {message.user.name}
          </span>
        )}{' '}
        <time
          dateTime={message.ts}
          title={fullDate.format(at)}
          className="text-xs text-slate-400 tabular-nums"
        >
          {clock.format(at)}
        </time>{' '}
        {message.deleted ? (
          <em className="text-slate-400" data-content>
            message deleted
          </em>
        ) : editing ? (
          <EditBox
            content={message.content}
            onDone={(content) => {
              setEditing(false);
              if (content !== undefined && content !== message.content)
                store.client.edit(room, message.id, content);
            }}
          />
        ) : (
          <span className="whitespace-pre-wrap break-words" data-content>
            {message.content}
          </span>
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
        {seenBy !== undefined && seenBy > 0 && (
          <span className="block text-xs text-slate-400" data-testid="seen-by">
            Seen by {seenBy}
          </span>
        )}
      </div>
      {!message.deleted && (
        <MessageActions
          room={room}
          messageId={message.id}
          author={message.user}
          content={message.content}
          canDelete={mine || moderator}
          onEdit={mine ? () => setEditing(true) : undefined}
          canModerate={moderator && !mine}
          canDm={isAccount && !mine}
          act={(frame) => store.client.moderate(frame)}
          openDm={() => void openDm(message.user.id)}
        />
      )}
    </div>
  );
}

/** Editing in place: Enter saves, Shift+Enter is a new line, Escape cancels. */
function EditBox({
  content,
  onDone,
}: {
  content: string;
  onDone: (content: string | undefined) => void;
}) {
  const [text, setText] = useState(content);
  const valid = text.trim().length > 0 && text.length <= limits.contentMaxChars;
  return (
    <span className="mt-1 flex flex-col gap-1">
      <Textarea
        aria-label="Edit message"
        autoFocus
        rows={Math.min(6, text.split('\n').length)}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape') onDone(undefined);
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

const deliveryText: Record<Delivery, string> = {
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read',
};

function Ticks({ delivery }: { delivery: Delivery }) {
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
 * A message's menu: reachable by keyboard (it is in the tab order, shown on focus), shown on
 * hover with a mouse and always on touch screens, where there is no hover.
 */
function MessageActions(props: {
  room: RoomId;
  messageId: string;
  author: { id: string; name: string };
  content: string;
  canDelete: boolean;
  canModerate: boolean;
  canDm: boolean;
  /** Set for one's own messages. */
  onEdit: (() => void) | undefined;
  act: (frame: ModerationFrame) => void;
  openDm: () => void;
}) {
  const { room, author, act } = props;
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button
          variant="ghost"
          size="icon-sm"
          aria-label={`Actions for ${author.name}’s message`}
          className="opacity-0 group-hover:opacity-100 focus-visible:opacity-100 data-[state=open]:opacity-100 [@media(hover:none)]:opacity-100"
        >
          <Ellipsis />
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end">
        {props.canDm && (
          <DropdownMenuItem onSelect={props.openDm}>
            <MessageCircle aria-hidden /> Message {author.name}
          </DropdownMenuItem>
        )}
        {props.onEdit !== undefined && (
          <DropdownMenuItem onSelect={props.onEdit}>
            <Pencil aria-hidden /> Edit message
          </DropdownMenuItem>
        )}
        <DropdownMenuItem onSelect={() => void navigator.clipboard?.writeText(props.content)}>
          <Copy aria-hidden /> Copy text
        </DropdownMenuItem>
        {props.canDelete && (
          <DropdownMenuItem
            tone="danger"
            onSelect={() => act({ type: 'delete', room, id: props.messageId })}
          >
            <Trash2 aria-hidden /> Delete message
          </DropdownMenuItem>
        )}
        {props.canModerate && (
          <>
            <DropdownMenuSeparator />
            <DropdownMenuLabel>Moderate {author.name}</DropdownMenuLabel>
            <DropdownMenuItem
              onSelect={() => act({ type: 'mute', room, user: author.id, seconds: 600 })}
            >
              <MicOff aria-hidden /> Mute for 10 minutes
            </DropdownMenuItem>
            <DropdownMenuItem
              onSelect={() => act({ type: 'mute', room, user: author.id, seconds: 3600 })}
            >
              <MicOff aria-hidden /> Mute for 1 hour
            </DropdownMenuItem>
            <DropdownMenuItem onSelect={() => act({ type: 'kick', room, user: author.id })}>
              <DoorOpen aria-hidden /> Kick from the room
            </DropdownMenuItem>
            <DropdownMenuItem
              tone="danger"
              onSelect={() => act({ type: 'ban', room, user: author.id })}
            >
              <Ban aria-hidden /> Ban from the room
            </DropdownMenuItem>
          </>
        )}
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
