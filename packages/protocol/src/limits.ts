/** Every size and rate the wire protocol promises, in one place. */
export const PROTOCOL_VERSION = 1;

export const limits = {
  /** Display names: 1..50 characters after trimming. */
  usernameMaxChars: 50,
  /** Message content: 1..1000 characters (UTF-16 code units, as `String.length` counts). */
  contentMaxChars: 1000,
  /** Largest inbound WebSocket frame; bigger frames close the socket with 1009. */
  frameMaxBytes: 16 * 1024,
  /** Client ids: opaque strings chosen by the client to make sends idempotent. */
  cidMaxChars: 64,
  /** Room names: lowercase, see `roomNamePattern`. */
  roomNameMaxChars: 64,
  /** Messages that `joined` carries when a client joins without resuming. */
  joinHistory: 50,
  /** REST history page size: default and maximum. */
  historyPageDefault: 50,
  historyPageMax: 200,
  /** Password length bounds (argon2 hashes any length; the cap bounds the work). */
  passwordMinChars: 8,
  passwordMaxChars: 256,
  /** Longest mute or timed ban: 30 days. */
  moderationMaxSeconds: 30 * 24 * 3600,
  /** Longest slow-mode interval: 6 hours. */
  slowModeMaxSeconds: 6 * 3600,
  /** Longest unique-chat window: a message may not repeat one of the room's last N seconds. */
  uniqueChatMaxSeconds: 600,
  /** Messages of one room the unique-chat window remembers, at most (the newest). */
  uniqueChatMaxRemembered: 20_000,
  /** Longest chat delay: non-moderators' messages are held this long for moderators to review. */
  chatDelayMaxSeconds: 30,
  /** Channel topics. */
  topicMaxChars: 250,
  /** Most accounts one user search returns. */
  userSearchMax: 50,
  /** Presence lists at most this many people; bigger rooms get a count only. */
  presenceListMax: 100,
  /** A room's presence is sent to everyone at most this often (ms) while it changes. */
  presenceUpdateMs: 1000,
  /** Clients resend `typing` at most this often (ms) while the person types. */
  typingResendMs: 3000,
  /** The server passes on one `typing` per person and room at most this often (ms). */
  typingThrottleMs: 2000,
  /** A typing indicator lasts this long (ms) unless renewed or ended by a message. */
  typingTtlMs: 6000,
  /** Receipts are sent at most this often (ms) per room; the furthest pointer wins. */
  receiptFlushMs: 1000,
  /** Unread counts stop counting here. */
  unreadCountMax: 999,
  /** Different emoji on one message, at most. */
  reactionsPerMessage: 20,
  /** People named per emoji in a message's reactions (the count is exact). */
  reactionUsersListed: 20,
  /** Longest emoji sequence accepted as one reaction (UTF-16 code units). */
  emojiMaxChars: 32,
  /** Taps one `cheer` frame may carry (a client counts its person's taps for a moment). */
  cheerBatchMax: 20,
  /** Taps a connection is credited per second (bursts of twice that); more are not counted. */
  cheersPerSecond: 10,
  /** How often a room's taps are added up and sent as one `cheers` frame (ms). */
  cheerTickMs: 250,
  /** People one message can mention (and so notify); later `@names` are plain text. */
  mentionsPerMessage: 20,
  /** Longest search query, and most hits per page. */
  searchQueryMaxChars: 200,
  searchPageMax: 50,
  /** Files one message may carry. */
  attachmentsPerMessage: 4,
  /** Longest file name kept for an upload. */
  mediaNameMaxChars: 200,
  /** Rooms one connection may be in at once. */
  roomsPerConnection: 100,
} as const;

/**
 * Room names: 1..64 characters, lowercase letters, digits and `-_.:`, starting with a letter
 * or digit. The `:` lets features namespace their rooms (`event:123`, `dm:a:b`).
 */
export const roomNamePattern = /^[a-z0-9][a-z0-9_.:-]{0,63}$/;
