import type { ModerationFrame, RoomId } from '@hubbub/protocol';
import {
  Ban,
  Copy,
  DoorOpen,
  Ellipsis,
  MessageCircle,
  MicOff,
  Pencil,
  Reply,
  Trash2,
} from 'lucide-react';
import { useRef, useState } from 'react';
import { withVisibleControls } from '../components/UserText.js';
import { Button } from '../components/ui/button.js';
import { Dialog, DialogClose, DialogContent } from '../components/ui/dialog.js';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from '../components/ui/dropdown-menu.js';
import { focusComposer } from './Composer.js';
import { quickReactions } from './MessageParts.js';

/**
 * A message's menu: reachable by keyboard (in the tab order of the message the list's arrow
 * keys are on, shown on focus), shown on hover with a mouse and always on touch screens,
 * where there is no hover. Reply and Edit hand the caret to where one types next; Delete
 * asks first.
 */
export function MessageActions(props: {
  room: RoomId;
  messageId: string;
  /** 0 in the message the list's arrow keys are on, -1 elsewhere (one tab stop per list). */
  tabIndex: number;
  author: { id: string; name: string };
  content: string;
  canDelete: boolean;
  canModerate: boolean;
  canDm: boolean;
  /** Set for one's own messages. */
  onEdit: (() => void) | undefined;
  /** Adds the emoji as one's reaction, or takes it back. */
  onReact: (emoji: string) => void;
  /** Starts a reply to this message in the composer. */
  onReply: () => void;
  act: (frame: ModerationFrame) => void;
  openDm: () => void;
}) {
  const { room, author, act } = props;
  // Where focus goes once the menu has closed: by default back to its button; after Reply
  // or Edit to the box one types in, after Delete to its confirmation.
  const afterClose = useRef<(() => void) | undefined>(undefined);
  const [confirming, setConfirming] = useState(false);
  const deleted = useRef(false);
  const trigger = useRef<HTMLButtonElement>(null);
  return (
    <>
      <DropdownMenu>
        <DropdownMenuTrigger asChild>
          <Button
            variant="ghost"
            size="icon-sm"
            ref={trigger}
            data-actions
            tabIndex={props.tabIndex}
            aria-label={`Actions for ${author.name}’s message`}
            className="opacity-0 group-hover:opacity-100 focus-visible:opacity-100 data-[state=open]:opacity-100 [@media(hover:none)]:opacity-100"
          >
            <Ellipsis />
          </Button>
        </DropdownMenuTrigger>
        <DropdownMenuContent
          align="end"
          onCloseAutoFocus={(event) => {
            const next = afterClose.current;
            afterClose.current = undefined;
            if (next === undefined) return;
            event.preventDefault();
            next();
          }}
        >
          <DropdownMenuLabel>React</DropdownMenuLabel>
          <div className="flex gap-0.5 px-1 pb-1">
            {quickReactions.map((emoji) => (
              <DropdownMenuItem
                key={emoji}
                aria-label={`React with ${emoji}`}
                className="justify-center px-1.5 text-base"
                onSelect={() => props.onReact(emoji)}
              >
                {emoji}
              </DropdownMenuItem>
            ))}
          </div>
          <DropdownMenuSeparator />
          {props.canDm && (
            <DropdownMenuItem onSelect={props.openDm}>
              <MessageCircle aria-hidden /> Message {author.name}
            </DropdownMenuItem>
          )}
          <DropdownMenuItem
            onSelect={() => {
              props.onReply();
              afterClose.current = focusComposer;
            }}
          >
            <Reply aria-hidden /> Reply
          </DropdownMenuItem>
          {props.onEdit !== undefined && (
            <DropdownMenuItem
              onSelect={() => {
                props.onEdit?.();
                afterClose.current = () =>
                  document.getElementById(editBoxId(props.messageId))?.focus();
              }}
            >
              <Pencil aria-hidden /> Edit message
            </DropdownMenuItem>
          )}
          <DropdownMenuItem onSelect={() => void navigator.clipboard?.writeText(props.content)}>
            <Copy aria-hidden /> Copy text
          </DropdownMenuItem>
          {props.canDelete && (
            <DropdownMenuItem
              tone="danger"
              onSelect={() => {
                afterClose.current = () => setConfirming(true);
              }}
            >
              <Trash2 aria-hidden /> Delete message…
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
      <Dialog open={confirming} onOpenChange={setConfirming}>
        <DialogContent
          title="Delete this message?"
          description={
            props.canModerate
              ? `${author.name}’s message is removed for everyone. This cannot be undone.`
              : 'It is removed for everyone. This cannot be undone.'
          }
          // Deleted, the message is a tombstone without this menu: the caret goes to the
          // composer. Kept, back to the menu's button.
          onCloseAutoFocus={(event) => {
            event.preventDefault();
            if (deleted.current) focusComposer();
            else trigger.current?.focus();
          }}
        >
          <blockquote className="line-clamp-3 border-l-2 border-slate-600 pl-2 text-sm whitespace-pre-wrap text-slate-300">
            <bdi>{withVisibleControls(props.content)}</bdi>
          </blockquote>
          <div className="flex justify-end gap-2">
            <DialogClose asChild>
              <Button variant="secondary">Cancel</Button>
            </DialogClose>
            <Button
              variant="danger"
              onClick={() => {
                deleted.current = true;
                act({ type: 'delete', room, id: props.messageId });
                setConfirming(false);
              }}
            >
              Delete
            </Button>
          </div>
        </DialogContent>
      </Dialog>
    </>
  );
}

/** The id of a message's edit box, for focus to find it. */
export function editBoxId(messageId: string): string {
  return `edit-${messageId}`;
}
