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
  /** Channel topics. */
  topicMaxChars: 250,
  /** Most accounts one user search returns. */
  userSearchMax: 50,
  /** Rooms one connection may be in at once. */
  roomsPerConnection: 100,
} as const;

/**
 * Room names: 1..64 characters, lowercase letters, digits and `-_.:`, starting with a letter
 * or digit. The `:` lets features namespace their rooms (`event:123`, `dm:a:b`).
 */
export const roomNamePattern = /^[a-z0-9][a-z0-9_.:-]{0,63}$/;
