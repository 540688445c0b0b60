/**
 * Machine-readable error codes, shared by `error` frames and REST error bodies. Clients
 * branch on these, never on the human message.
 */
export const ErrorCode = {
  /** The frame was not valid JSON. */
  invalidJson: 'invalid_json',
  /** The frame was JSON but failed the schema (the message says which field). */
  invalidFrame: 'invalid_frame',
  /** The frame's `type` is not one the server knows. */
  unknownType: 'unknown_type',
  /** A request body or query failed validation (REST). */
  invalidRequest: 'invalid_request',
  /** Authenticate first: the connection is not ready yet. */
  notAuthenticated: 'not_authenticated',
  /** The token was missing, malformed or not signed by us, or the credentials were wrong. */
  authFailed: 'auth_failed',
  /** The token expired: refresh it (or get a new one) and authenticate again. */
  tokenExpired: 'token_expired',
  /**
   * The name is taken: a login that is taken, or a name that looks like one an account holds
   * (same UTS #39 skeleton, see names.ts), for a new account or a guest.
   */
  usernameTaken: 'username_taken',
  /** Authenticated, but not allowed to do this (a guest, or not a member, or a role too low). */
  forbidden: 'forbidden',
  /** Re-authentication named a different user than the session's. */
  userMismatch: 'user_mismatch',
  /** Too many frames: slow down. Repeated abuse closes the connection. */
  rateLimited: 'rate_limited',
  /** The room name breaks the naming rules. */
  invalidRoom: 'invalid_room',
  /** Send or leave for a room the connection has not joined. */
  notInRoom: 'not_in_room',
  /** The connection is in as many rooms as it may be. */
  tooManyRooms: 'too_many_rooms',
  /** Muted in this room: reading is fine, sending is not (until the mute ends). */
  muted: 'muted',
  /** Banned from this room. */
  banned: 'banned',
  /** An event's room is not open yet: it opens a while before the event starts. */
  roomNotOpen: 'room_not_open',
  /** An event's room has closed (an hour after the event ended, with its history). */
  roomClosed: 'room_closed',
  /** Slow mode: wait the room's interval between messages. */
  slowMode: 'slow_mode',
  /** Members-only mode: guests may watch this room but not send (sign in to chat). */
  membersOnly: 'members_only',
  /** Emote-only mode: messages of emoji only, without files. */
  emoteOnly: 'emote_only',
  /** Unique-chat mode: the message repeats one sent in the room moments ago. */
  duplicateMessage: 'duplicate_message',
  /** A moderator removed the message while the chat delay held it: nobody saw it. */
  messageRemoved: 'message_removed',
  /** A channel by that name exists already. */
  nameTaken: 'name_taken',
  /** Not found (REST). */
  notFound: 'not_found',
  /**
   * The channel's last owner cannot step down or leave while others remain: make someone
   * else an owner first.
   */
  lastOwner: 'last_owner',
  /**
   * A page asked for a listing's snapshot (`asOf`) that is too old to page through
   * consistently: start again from the first page.
   */
  staleSnapshot: 'stale_snapshot',
  /** The message is older than the edit window: it can no longer be edited. */
  editWindowClosed: 'edit_window_closed',
  /** An upload is bigger than the server takes (`MEDIA_MAX_BYTES`, or an image's pixel bound). */
  tooLarge: 'too_large',
  /** An upload's bytes are not of a type the server takes (JPEG, PNG, WebP, GIF, PDF). */
  unsupportedMedia: 'unsupported_media',
  /** The Origin of a browser upgrade is not on the allowlist. */
  originNotAllowed: 'origin_not_allowed',
  /**
   * The request's Host is not a name this server answers to (`ALLOWED_HOSTS`): refused
   * before anything else, HTTP and WebSocket upgrades alike (DNS rebinding).
   */
  hostNotAllowed: 'host_not_allowed',
  /** A token was passed in the URL; tokens go in the first frame. */
  tokenInUrl: 'token_in_url',
  /** The server could not make the message durable; resend with the same cid. */
  unavailable: 'unavailable',
  /** The server is shutting down. */
  shuttingDown: 'shutting_down',
  /**
   * The node is admitting a crowd of (re)connections: try again after `retryAfterMs`. The
   * socket is closed with `tryAgainLater` right after.
   */
  retryLater: 'retry_later',
  /** Anything else: a bug on our side. The connection stays open. */
  internal: 'internal',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** HTTP status for each code when it is returned by the REST API. */
export const httpStatusOf: Record<ErrorCode, number> = {
  invalid_json: 400,
  invalid_frame: 400,
  unknown_type: 400,
  invalid_request: 400,
  not_authenticated: 401,
  auth_failed: 401,
  token_expired: 401,
  username_taken: 409,
  forbidden: 403,
  user_mismatch: 403,
  rate_limited: 429,
  invalid_room: 400,
  not_in_room: 403,
  too_many_rooms: 403,
  muted: 403,
  banned: 403,
  room_not_open: 403,
  room_closed: 410,
  slow_mode: 429,
  members_only: 403,
  emote_only: 403,
  duplicate_message: 409,
  message_removed: 410,
  name_taken: 409,
  not_found: 404,
  last_owner: 409,
  stale_snapshot: 410,
  edit_window_closed: 403,
  too_large: 413,
  unsupported_media: 415,
  origin_not_allowed: 403,
  host_not_allowed: 421,
  token_in_url: 400,
  unavailable: 503,
  shutting_down: 503,
  retry_later: 503,
  internal: 500,
};

/**
 * WebSocket close codes. 1000-1015 are the standard ones; 4000-4999 are ours. A client
 * reconnects (with backoff) after every code except `authFailed`, which needs a new token
 * (after `tokenExpired` it reconnects with a fresh one).
 */
export const CloseCode = {
  normal: 1000,
  /** The server is shutting down or restarting: reconnect elsewhere or later, then resume. */
  serverShutdown: 1001,
  /** A frame larger than `limits.frameMaxBytes` (standard "message too big"). */
  frameTooLarge: 1009,
  /** No `authenticate` frame within the auth timeout. */
  authTimeout: 4001,
  /** The token in `authenticate` was rejected. */
  authFailed: 4003,
  /** The session's token expired without a re-`authenticate`: reconnect with a fresh token. */
  tokenExpired: 4004,
  /** Sustained rate-limit or policy violations. */
  policyViolation: 4008,
  /** The connection could not keep up and its send buffer overflowed: reconnect and resume. */
  slowConsumer: 4009,
  /** The server lost this connection's state: reconnect and resume every room. */
  mustResume: 4010,
  /** The peer stopped answering heartbeats. */
  heartbeatTimeout: 4011,
  /** Standard "try again later": the node is admitting a crowd; wait the `retry_later` delay. */
  tryAgainLater: 1013,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];
