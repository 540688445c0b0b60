import { z } from 'zod';
import { ErrorCode } from './codes.js';
import { limits, roomNamePattern } from './limits.js';
import { hasVisibleText, isWellFormed, wellFormedMessage } from './names.js';

/**
 * The v1 wire format: JSON text frames, one object each, discriminated by `type`. Field
 * names are fixed (docs/protocol.md is generated from this package; docs/architecture.md
 * explains the design): extend, don't rename. Unknown extra fields are dropped, so newer
 * clients can talk to older servers.
 */

export const RoomId = z
  .string()
  .max(limits.roomNameMaxChars)
  .regex(
    roomNamePattern,
    'room names are 1-64 of a-z 0-9 _ . : - and start with a letter or digit',
  );
export type RoomId = z.infer<typeof RoomId>;

/** Gapless, strictly increasing per room, assigned by the server. 0 means "no messages yet". */
export const Seq = z.number().int().nonnegative();
export type Seq = z.infer<typeof Seq>;

export const ClientId = z
  .string()
  .min(1)
  .max(limits.cidMaxChars)
  .refine(isWellFormed, wellFormedMessage('cid'));
export type ClientId = z.infer<typeof ClientId>;

/** A message's id (a UUIDv7, assigned by the server), as clients name it back. */
export const MessageId = z.string().min(1).max(64);

/** Identifies one history of a room; it changes only if that history is ever lost. */
export const Epoch = z.string().min(1).max(64);
export type Epoch = z.infer<typeof Epoch>;

/**
 * Message content, kept exactly as typed (no normalisation), but never only whitespace and
 * invisible characters (zero-width spaces, bidi controls, variation selectors…), and never
 * with a lone surrogate (no store could keep it as sent).
 */
export const Content = z
  .string()
  .max(limits.contentMaxChars, `content is at most ${limits.contentMaxChars} characters`)
  .refine(hasVisibleText, 'content must not be empty')
  .refine(isWellFormed, wellFormedMessage('content'));

export const UserRef = z.object({ id: z.string(), name: z.string() });
/** A person's standing in a channel: owners give roles, moderators moderate. */
export const ChannelRole = z.enum(['owner', 'moderator', 'member']);
export type ChannelRole = z.infer<typeof ChannelRole>;
export type UserRef = z.infer<typeof UserRef>;

/**
 * A file attached to a message, as `POST /api/media` described it. The id carries the
 * server's signature over the uploader and every field here, so a message can only carry
 * its sender's own uploads, unchanged, and the server checks that without a lookup.
 * Served at `/api/media/:id` (and `/api/media/:id/thumb` for images).
 */
export const Attachment = z.object({
  id: z.string().min(1).max(100),
  kind: z.enum(['image', 'file']),
  /** Decided by the server from the bytes, never from the name. */
  mime: z.string().max(100),
  name: z.string().max(limits.mediaNameMaxChars),
  size: z.number().int().nonnegative(),
  /** Images: pixel size as served (bounded, EXIF orientation applied). */
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
});
export type Attachment = z.infer<typeof Attachment>;

/** A chat message as stored and delivered. Every field is set by the server. */
export const ChatMessage = z.object({
  room: RoomId,
  seq: Seq,
  id: z.string(),
  user: UserRef,
  content: z.string(),
  ts: z.string(),
  /** Set on a message removed by its author or a moderator; its content is then empty. */
  deleted: z.literal(true).optional(),
  /** When its author last edited it; `content` is the latest version. */
  editedAt: z.string().optional(),
  /**
   * The seq of the earlier message of the room this one answers. Clients quote it from the
   * messages they hold, or fetch it (`GET /api/rooms/:room/messages?after=seq-1&limit=1`).
   */
  replyTo: Seq.optional(),
  /**
   * Reactions, most used first: each emoji with how many people chose it and who (the
   * first `limits.reactionUsersListed` of them). Absent when there are none.
   */
  reactions: z
    .array(
      z.object({ emoji: z.string(), count: z.number().int().positive(), users: z.array(UserRef) }),
    )
    .optional(),
  /** Files sent with it (their uploader's own); a deleted message keeps none. */
  attachments: z.array(Attachment).optional(),
});
export type ChatMessage = z.infer<typeof ChatMessage>;

// ---- client → server ----

export const AuthenticateFrame = z.object({
  type: z.literal('authenticate'),
  token: z.string().min(1).max(4096),
});
export const JoinFrame = z.object({ type: z.literal('join'), room: RoomId });
export const LeaveFrame = z.object({ type: z.literal('leave'), room: RoomId });
export const SendFrame = z
  .object({
    type: z.literal('send'),
    room: RoomId,
    cid: ClientId,
    /** May be empty when the message carries attachments; never with a lone surrogate. */
    content: z
      .string()
      .max(limits.contentMaxChars, `content is at most ${limits.contentMaxChars} characters`)
      .refine(isWellFormed, wellFormedMessage('content')),
    /** The seq of the message of the same room this one answers. */
    replyTo: Seq.min(1).optional(),
    /** Files uploaded by the sender (`POST /api/media`), as that answer described them. */
    attachments: z
      .array(Attachment)
      .max(limits.attachmentsPerMessage, `at most ${limits.attachmentsPerMessage} attachments`)
      .optional(),
  })
  .refine((frame) => hasVisibleText(frame.content) || (frame.attachments?.length ?? 0) > 0, {
    message: 'content must not be empty',
    path: ['content'],
  });
/** Join `room` and replay every message after `since`; `epoch` is the history `since` came from. */
export const ResumeFrame = z.object({
  type: z.literal('resume'),
  room: RoomId,
  since: Seq,
  epoch: Epoch.optional(),
});
export const PingFrame = z.object({ type: z.literal('ping') });
/** Replace the content of one's own message, within the server's edit window. */
export const EditFrame = z.object({
  type: z.literal('edit'),
  room: RoomId,
  id: MessageId,
  content: Content,
});
/** One emoji: a pictograph, with its skin tone, variation selectors and joiners. */
export const Emoji = z
  .string()
  .min(1)
  .max(limits.emojiMaxChars)
  .regex(
    /^\p{Extended_Pictographic}(?:\p{Emoji_Modifier}|\uFE0F|\u20E3|\u200D\p{Extended_Pictographic})*$/u,
    'a reaction is one emoji',
  );
/** Add (`on: true`) or take back one's reaction to a message. */
export const ReactFrame = z.object({
  type: z.literal('react'),
  room: RoomId,
  id: MessageId,
  emoji: Emoji,
  on: z.boolean(),
});
/** The live reactions people can tap in a room: a fixed set, as on a stadium screen. */
export const cheerEmojis = ['🔥', '👏', '😂', '😮', '❤️', '🎉', '⚽', '🎸'] as const;
export const CheerEmoji = z.enum(cheerEmojis);
export type CheerEmoji = z.infer<typeof CheerEmoji>;
/**
 * Taps of a live reaction (`count` of them since the last frame). Never stored: the server
 * adds up every tap in the room and sends the totals once per tick (`cheers`).
 */
export const CheerFrame = z.object({
  type: z.literal('cheer'),
  room: RoomId,
  emoji: CheerEmoji,
  count: z.number().int().min(1).max(limits.cheerBatchMax).default(1),
});
/**
 * "I am typing in this room": sent while the person types, at most every
 * `limits.typingResendMs`. Never stored; others see it for `limits.typingTtlMs`.
 */
export const TypingFrame = z.object({ type: z.literal('typing'), room: RoomId });
/**
 * How far this person has received (`delivered`) and seen (`read`) a channel or DM, by
 * seq. Pointers only move forward; each device reports its own and the furthest wins.
 */
export const ReceiptFrame = z
  .object({
    type: z.literal('receipt'),
    room: RoomId,
    delivered: Seq.optional(),
    read: Seq.optional(),
  })
  .refine((f) => f.delivered !== undefined || f.read !== undefined, {
    message: 'a receipt carries delivered, read or both',
  });

/** Moderation, for the message's author (delete only) and the room's moderators and owner. */
export const DeleteFrame = z.object({
  type: z.literal('delete'),
  room: RoomId,
  id: MessageId,
});
const Target = z.string().min(1).max(100);
/** Mute a user in a room for `seconds`: they stay, and read, but cannot send. */
export const MuteFrame = z.object({
  type: z.literal('mute'),
  room: RoomId,
  user: Target,
  seconds: z.number().int().min(1).max(limits.moderationMaxSeconds),
});
export const UnmuteFrame = z.object({ type: z.literal('unmute'), room: RoomId, user: Target });
/** Remove a user from a room; they may come back (if the room lets them). */
export const KickFrame = z.object({ type: z.literal('kick'), room: RoomId, user: Target });
/** Remove a user and keep them out, for `seconds` or until unbanned. */
export const BanFrame = z.object({
  type: z.literal('ban'),
  room: RoomId,
  user: Target,
  seconds: z.number().int().min(1).max(limits.moderationMaxSeconds).optional(),
});
export const UnbanFrame = z.object({ type: z.literal('unban'), room: RoomId, user: Target });
/** Minimum seconds between one user's messages in the room; 0 turns slow mode off. */
export const SlowModeFrame = z.object({
  type: z.literal('slow_mode'),
  room: RoomId,
  seconds: z.number().int().min(0).max(limits.slowModeMaxSeconds),
});

/**
 * A room's crowd modes, as Twitch has them. Moderators and owners are exempt from all.
 * `slowModeSeconds`: least time between one person's messages. `membersOnly`: guests may
 * watch but not send. `emoteOnly`: messages of emoji only, no files. `uniqueChatSeconds`:
 * a message repeating one of the room's last N seconds (case and spacing aside) is refused.
 * `delaySeconds`: others' messages are held that long, shown at once to moderators only,
 * who may delete them before anyone else sees them.
 */
export const RoomModes = z.object({
  slowModeSeconds: z.number().int().min(0).max(limits.slowModeMaxSeconds),
  membersOnly: z.boolean(),
  emoteOnly: z.boolean(),
  uniqueChatSeconds: z.number().int().min(0).max(limits.uniqueChatMaxSeconds),
  delaySeconds: z.number().int().min(0).max(limits.chatDelayMaxSeconds),
});
export type RoomModes = z.infer<typeof RoomModes>;
export const noModes: RoomModes = {
  slowModeSeconds: 0,
  membersOnly: false,
  emoteOnly: false,
  uniqueChatSeconds: 0,
  delaySeconds: 0,
};
/** Switches crowd modes (moderators): the ones named change, the rest stay as they are. */
export const ModesFrame = RoomModes.partial()
  .extend({ type: z.literal('modes'), room: RoomId })
  .refine((f) => Object.keys(f).length > 2, { message: 'name at least one mode' });

export const ModerationFrame = z.discriminatedUnion('type', [
  DeleteFrame,
  MuteFrame,
  UnmuteFrame,
  KickFrame,
  BanFrame,
  UnbanFrame,
  SlowModeFrame,
  ModesFrame,
]);
export type ModerationFrame = z.infer<typeof ModerationFrame>;
export type ModerationAction = ModerationFrame['type'];

export const ClientFrame = z.discriminatedUnion('type', [
  AuthenticateFrame,
  JoinFrame,
  LeaveFrame,
  SendFrame,
  ResumeFrame,
  PingFrame,
  TypingFrame,
  ReceiptFrame,
  EditFrame,
  ReactFrame,
  DeleteFrame,
  MuteFrame,
  UnmuteFrame,
  KickFrame,
  BanFrame,
  UnbanFrame,
  SlowModeFrame,
  ModesFrame,
  CheerFrame,
]);
export type ClientFrame = z.infer<typeof ClientFrame>;
export type ClientFrameType = ClientFrame['type'];
export const clientFrameTypes: readonly ClientFrameType[] = [
  'authenticate',
  'join',
  'leave',
  'send',
  'resume',
  'ping',
  'typing',
  'receipt',
  'edit',
  'react',
  'delete',
  'mute',
  'unmute',
  'kick',
  'ban',
  'unban',
  'slow_mode',
  'modes',
  'cheer',
];

// ---- server → client ----

export const ReadyFrame = z.object({
  type: z.literal('ready'),
  user: UserRef,
  /** The account's login, as others `@mention` it; absent for guests. */
  login: z.string().optional(),
  session: z.string(),
  protocol: z.number().int(),
});
/**
 * Answer to `join` and `resume`. `seq` is the room's latest seq. On `join`, `messages` holds
 * the latest messages; on `resume`, exactly the ones after `since`.
 */
export const JoinedFrame = z.object({
  type: z.literal('joined'),
  room: RoomId,
  seq: Seq,
  epoch: Epoch,
  messages: z.array(ChatMessage),
  /** The room's crowd modes; absent when none is on. */
  modes: RoomModes.optional(),
  /** Present when the joiner moderates the room (its moderators, owner, admins in open rooms). */
  moderator: z.literal(true).optional(),
});
export const MessageFrame = ChatMessage.extend({ type: z.literal('message') });
/** Several messages of one room, in seq order, coalesced into one frame under load. */
export const BatchFrame = z.object({
  type: z.literal('batch'),
  room: RoomId,
  messages: z.array(ChatMessage),
});
export const AckFrame = z.object({
  type: z.literal('ack'),
  cid: ClientId,
  room: RoomId,
  id: z.string(),
  seq: Seq,
});
/**
 * The resume could not be served from the retained window (or the epoch changed): the
 * client drops what it holds for the room and fetches history over REST. The connection
 * is in the room from `seq` on.
 */
export const ResetFrame = z.object({
  type: z.literal('reset'),
  room: RoomId,
  seq: Seq,
  epoch: Epoch,
});
/**
 * The connection is out of the room: it left, or it was kicked, banned or removed from the
 * room's members (then it cannot resume the room).
 */
export const LeftFrame = z.object({
  type: z.literal('left'),
  room: RoomId,
  reason: z.enum(['left', 'kicked', 'banned', 'removed', 'closed']).optional(),
});
/**
 * Who is in the room now, counted once per person however many tabs they have. `users`
 * lists them while there are at most `limits.presenceListMax`; past that (an event crowd)
 * only `count` is sent. Sent to a member right after it joins, then to everyone at most
 * every `limits.presenceUpdateMs` while it changes; each frame replaces the last.
 */
export const PresenceFrame = z.object({
  type: z.literal('presence'),
  room: RoomId,
  count: z.number().int().nonnegative(),
  users: z.array(UserRef).optional(),
});
/**
 * A message changed after it was sent (edited, reacted to): the whole message as it now is, with its
 * seq, to replace the copy a client holds. Not a new message: the room's seq does not move.
 */
export const UpdatedFrame = z.object({ type: z.literal('updated'), message: ChatMessage });
/** A member's receipt pointers moved (any device of theirs): their furthest delivered and read. */
export const ReceiptNotice = z.object({
  type: z.literal('receipt'),
  room: RoomId,
  user: UserRef,
  delivered: Seq,
  read: Seq,
});
/** Someone else in the room is typing; show it for `limits.typingTtlMs` or until they send. */
export const TypingNotice = z.object({ type: z.literal('typing'), room: RoomId, user: UserRef });
/**
 * The user was given a room they did not ask for: someone opened a DM with them, or added
 * them to a private channel. Every socket of theirs gets it, so room lists stay current.
 */
export const RoomAddedFrame = z.object({
  type: z.literal('room_added'),
  room: RoomId,
  kind: z.enum(['channel', 'dm']),
  by: UserRef,
});
/**
 * Someone `@mentioned` the user in a channel or DM they are a member of. Every socket of
 * theirs gets it, joined to the room or not, so it can notify; sent once the message is durable.
 */
export const MentionedFrame = z.object({ type: z.literal('mentioned'), message: ChatMessage });
/**
 * A moderation action in the room, shown to everyone in it. For `delete`, clients blank the
 * message `messageId` (seq `seq`); its content is gone from history too.
 */
export const ModeratedFrame = z.object({
  type: z.literal('moderated'),
  room: RoomId,
  action: z.enum([
    'delete',
    'mute',
    'unmute',
    'kick',
    'ban',
    'unban',
    'slow_mode',
    'modes',
    'role',
  ]),
  actor: UserRef,
  target: z.string().optional(),
  messageId: z.string().optional(),
  seq: Seq.optional(),
  seconds: z.number().int().nonnegative().optional(),
  /** With `modes` and `slow_mode`: every crowd mode of the room now. */
  modes: RoomModes.optional(),
  /** With `role`: the channel role `target` now has. */
  role: ChannelRole.optional(),
});
/**
 * A message held by the room's chat delay (`delaySeconds`), sent to its author and to the
 * room's moderators only. Everyone gets it as a normal `message` at `heldUntil` (and its
 * author the `ack`), unless a moderator deletes it first (`delete` with its `id`): then
 * moderators get `moderated`, and the author an `error` `message_removed` for its cid.
 */
export const HeldFrame = z.object({
  type: z.literal('held'),
  room: RoomId,
  id: z.string(),
  cid: ClientId,
  user: UserRef,
  content: z.string(),
  heldUntil: z.string(),
  replyTo: Seq.optional(),
  attachments: z.array(Attachment).optional(),
});
export const ErrorFrame = z.object({
  type: z.literal('error'),
  code: z.enum(Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]]),
  message: z.string(),
  /** The `cid` of the send, or the type of the frame, that this error answers. */
  ref: z.string().optional(),
  /** With `retry_later`: how long to wait before trying again (ms). */
  retryAfterMs: z.number().int().nonnegative().optional(),
});
export const PongFrame = z.object({ type: z.literal('pong') });
/**
 * The room's live reactions of one tick (`limits.cheerTickMs`), every node's taps added
 * up: each emoji tapped, and how many times. Sent only for ticks with taps.
 */
export const CheersFrame = z.object({
  type: z.literal('cheers'),
  room: RoomId,
  counts: z.partialRecord(CheerEmoji, z.number().int().positive()),
});

export const ServerFrame = z.discriminatedUnion('type', [
  ReadyFrame,
  JoinedFrame,
  MessageFrame,
  BatchFrame,
  AckFrame,
  ResetFrame,
  LeftFrame,
  RoomAddedFrame,
  MentionedFrame,
  PresenceFrame,
  TypingNotice,
  ReceiptNotice,
  UpdatedFrame,
  ModeratedFrame,
  ErrorFrame,
  PongFrame,
  CheersFrame,
  HeldFrame,
]);
export type ServerFrame = z.infer<typeof ServerFrame>;
export type ReadyFrame = z.infer<typeof ReadyFrame>;
export type JoinedFrame = z.infer<typeof JoinedFrame>;
export type MessageFrame = z.infer<typeof MessageFrame>;
export type BatchFrame = z.infer<typeof BatchFrame>;
export type AckFrame = z.infer<typeof AckFrame>;
export type ResetFrame = z.infer<typeof ResetFrame>;
export type ErrorFrame = z.infer<typeof ErrorFrame>;
export type LeftFrame = z.infer<typeof LeftFrame>;
export type ModeratedFrame = z.infer<typeof ModeratedFrame>;
export type RoomAddedFrame = z.infer<typeof RoomAddedFrame>;
export type MentionedFrame = z.infer<typeof MentionedFrame>;
export type PresenceFrame = z.infer<typeof PresenceFrame>;
export type TypingNotice = z.infer<typeof TypingNotice>;
export type ReceiptNotice = z.infer<typeof ReceiptNotice>;
export type ReceiptFrame = z.infer<typeof ReceiptFrame>;
export type EditFrame = z.infer<typeof EditFrame>;
export type SendFrame = z.infer<typeof SendFrame>;
export type ReactFrame = z.infer<typeof ReactFrame>;
export type CheerFrame = z.infer<typeof CheerFrame>;
export type CheersFrame = z.infer<typeof CheersFrame>;
export type HeldFrame = z.infer<typeof HeldFrame>;
export type ModesFrame = z.infer<typeof ModesFrame>;
export type UpdatedFrame = z.infer<typeof UpdatedFrame>;
