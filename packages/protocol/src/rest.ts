import { z } from 'zod';
import type { ErrorCode } from './codes.js';
import { Attachment, ChannelRole, ChatMessage, RoomId, Seq, UserRef } from './frames.js';
import { limits } from './limits.js';
import { isWellFormed, LoginName, Username, wellFormedMessage } from './names.js';

/** REST bodies shared by the server and its clients. */

/** Every REST error: `{"error":{"code":"…","message":"…"}}` with the matching HTTP status. */
export interface RestError {
  error: { code: ErrorCode; message: string };
}

export const GuestRequest = z.object({ username: Username });
export type GuestRequest = z.infer<typeof GuestRequest>;

/** Passwords: length is what matters (NIST 800-63B); no composition rules. */
export const Password = z
  .string()
  .min(limits.passwordMinChars, `password is at least ${limits.passwordMinChars} characters`)
  .max(limits.passwordMaxChars, `password is at most ${limits.passwordMaxChars} characters`);

export const RegisterRequest = z.object({
  username: LoginName,
  password: Password,
  displayName: Username.optional(),
});
export type RegisterRequest = z.infer<typeof RegisterRequest>;

export const LoginRequest = z.object({
  username: z
    .string()
    .overwrite((name) => name.normalize('NFKC').trim().toLowerCase())
    .min(1)
    .max(64),
  password: z.string().min(1).max(limits.passwordMaxChars),
});
export type LoginRequest = z.infer<typeof LoginRequest>;

export const RefreshRequest = z.object({ refreshToken: z.string().min(1).max(200) });
export const ChangePasswordRequest = z.object({
  currentPassword: z.string().min(1).max(limits.passwordMaxChars),
  newPassword: Password,
});

/** An account's login: a short-lived access token and the refresh token that renews it. */
export const SessionResponse = z.object({
  token: z.string(),
  expiresAt: z.string(),
  refreshToken: z.string(),
  refreshExpiresAt: z.string(),
  user: UserRef,
});
export type SessionResponse = z.infer<typeof SessionResponse>;

export const MeResponse = z.object({
  user: UserRef,
  kind: z.enum(['user', 'guest']),
  username: z.string().nullable(),
  /**
   * Whether `GET /api/analytics` answers this caller (an admin, or anyone where the server
   * has ANALYTICS_PUBLIC=true): clients offer the analytics only to those it does.
   */
  canReadAnalytics: z.boolean(),
});
export type MeResponse = z.infer<typeof MeResponse>;

export const TokenResponse = z.object({
  token: z.string(),
  user: UserRef,
  /** ISO time after which the token is refused; get a new one before then. */
  expiresAt: z.string(),
});
export type TokenResponse = z.infer<typeof TokenResponse>;

/** Page size of every history listing. */
export const PageLimit = z.coerce
  .number()
  .int()
  .min(1)
  .max(limits.historyPageMax)
  .default(limits.historyPageDefault);

/** Keyset pagination by seq: `before` and `after` are exclusive bounds. */
export const HistoryQuery = z.object({
  before: z.coerce.number().pipe(Seq).optional(),
  after: z.coerce.number().pipe(Seq).optional(),
  limit: PageLimit,
});
export type HistoryQuery = z.infer<typeof HistoryQuery>;

/**
 * `GET /api/search`: every word of `q` must match (the last also as a prefix); in `room`,
 * or else in every channel and DM the caller is in and `global`. Newest first; `before`
 * is the id of the last hit of the previous page.
 */
export const SearchQuery = z.object({
  q: z.string().trim().min(1, 'say what to search for').max(limits.searchQueryMaxChars),
  room: RoomId.optional(),
  before: z.string().min(1).max(64).optional(),
  limit: z.coerce.number().int().min(1).max(limits.searchPageMax).default(20),
});
export type SearchQuery = z.input<typeof SearchQuery>;

export const SearchHit = z.object({
  message: ChatMessage,
  /** The content cut into runs; `match` marks the words that matched. */
  parts: z.array(z.object({ text: z.string(), match: z.literal(true).optional() })),
});
export type SearchHit = z.infer<typeof SearchHit>;

export const SearchResponse = z.object({ hits: z.array(SearchHit), hasMore: z.boolean() });
export type SearchResponse = z.infer<typeof SearchResponse>;

/** A page of history, oldest first; `hasMore` says whether the page was cut by `limit`. */
export const HistoryPage = z.object({
  messages: z.array(ChatMessage),
  hasMore: z.boolean(),
});
export type HistoryPage = z.infer<typeof HistoryPage>;

/** Channel names: room names without the `:` that namespaces features' rooms. */
export const ChannelName = RoomId.refine(
  (name) => !name.includes(':'),
  'channel names cannot contain ":"',
);

export const CreateChannelRequest = z.object({
  name: ChannelName,
  visibility: z.enum(['public', 'private']).default('public'),
  topic: z
    .string()
    .max(limits.topicMaxChars)
    .refine(isWellFormed, wellFormedMessage('topic'))
    .default(''),
});
export type CreateChannelRequest = z.input<typeof CreateChannelRequest>;

/** A channel or DM as REST returns it. */
export const ChannelView = z.object({
  room: z.string(),
  kind: z.enum(['channel', 'dm']),
  visibility: z.enum(['public', 'private']),
  topic: z.string(),
  slowModeSeconds: z.number(),
  createdAt: z.string(),
});
export type ChannelView = z.infer<typeof ChannelView>;

/**
 * `GET /api/channels`: every public channel, and the private channels and DMs the caller is
 * in, with the caller's role (null: not a member) and, for a DM, the other person.
 */
export const ChannelList = z.object({
  channels: z.array(
    ChannelView.extend({
      members: z.number(),
      role: ChannelRole.nullable(),
      peer: UserRef.nullable(),
    }),
  ),
});
export type ChannelList = z.infer<typeof ChannelList>;
export type ChannelListing = ChannelList['channels'][number];

/** `GET /api/channels/:room/members`: who is in a channel, oldest member first. */
export const ChannelMembers = z.object({
  members: z.array(
    z.object({
      userId: z.string(),
      /** Display name. */
      name: z.string(),
      /** Login, for `@mentions`; null for people who sign in only through a provider. */
      username: z.string().nullable(),
      role: ChannelRole,
      /** When they became a member (ms since the epoch). */
      addedAt: z.number(),
    }),
  ),
});
export type ChannelMembers = z.infer<typeof ChannelMembers>;
export type ChannelMember = ChannelMembers['members'][number];

/** `POST /api/channels/:room/members`: add someone (moderators; a role above member: owners). */
export const AddMemberRequest = z.object({
  userId: z.string().min(1).max(100),
  role: ChannelRole.default('member'),
});
export type AddMemberRequest = z.input<typeof AddMemberRequest>;

/**
 * `GET /api/rooms/:room/audit` (moderators): what was done in the room and by whom, newest
 * first. `action` is a moderation frame's type (`delete`, `mute`, `kick`, `ban`, `modes`…)
 * or a membership change: `member_added`, `member_removed`, `role`.
 */
export const AuditLog = z.object({
  entries: z.array(
    z.object({
      id: z.string(),
      action: z.string(),
      actor: z.string(),
      actorName: z.string(),
      target: z.string().nullable(),
      targetName: z.string().nullable(),
      messageId: z.string().nullable(),
      details: z.record(z.string(), z.unknown()),
      at: z.string(),
    }),
  ),
});
export type AuditLog = z.infer<typeof AuditLog>;
export type AuditEntry = AuditLog['entries'][number];

export const OpenDmRequest = z.object({ userId: z.string().min(1).max(100) });
export const OpenDmResponse = z.object({ room: RoomId });

/** `GET /api/users?q=`: accounts whose login or display name matches, to start a DM with. */
export const UserSearchQuery = z.object({
  q: z.string().trim().min(1).max(limits.usernameMaxChars),
  limit: z.coerce.number().int().min(1).max(limits.userSearchMax).default(20),
});
export const UserSearchResponse = z.object({
  users: z.array(UserRef.extend({ username: z.string().nullable() })),
});
export type UserSearchResponse = z.infer<typeof UserSearchResponse>;

/** `GET /api/rooms/:room/receipts`: every member's furthest delivered and read seq. */
export const RoomReceipts = z.object({
  receipts: z.array(z.object({ user: UserRef, delivered: Seq, read: Seq })),
});
export type RoomReceipts = z.infer<typeof RoomReceipts>;

/**
 * `GET /api/me/rooms`: for each channel and DM the caller is in, the latest seq, the
 * caller's receipt pointers, and `unread`: others' messages after `read` (counted up to
 * `limits.unreadCountMax`; a client shows more as "999+").
 */
export const MyRooms = z.object({
  rooms: z.array(
    z.object({
      room: RoomId,
      lastSeq: Seq,
      delivered: Seq,
      read: Seq,
      unread: z.number().int(),
      /** Unread messages that `@mention` the caller. */
      mentions: z.number().int(),
    }),
  ),
});
export type MyRooms = z.infer<typeof MyRooms>;

/** `POST /api/media` (multipart, one file): the attachment to put on a message. */
export const MediaUploadResponse = z.object({ attachment: Attachment });
export type MediaUploadResponse = z.infer<typeof MediaUploadResponse>;
