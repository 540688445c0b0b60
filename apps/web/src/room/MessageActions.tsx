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
import { Button } from '../components/ui/button.js';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from '../components/ui/dropdown-menu.js';
import { quickReactions } from './MessageParts.js';

/**
 * A message's menu: reachable by keyboard (it is in the tab order, shown on focus), shown on
 * hover with a mouse and always on touch screens, where there is no hover.
 */
export function MessageActions(props: {
  room: RoomId;
  messageId: string;
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
        <DropdownMenuItem onSelect={props.onReply}>
          <Reply aria-hidden /> Reply
        </DropdownMenuItem>
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
