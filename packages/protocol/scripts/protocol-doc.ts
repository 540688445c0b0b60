import { z } from 'zod';
import { CloseCode, ErrorCode, httpStatusOf } from '../src/codes.js';
import * as frames from '../src/frames.js';
import { limits, PROTOCOL_VERSION, roomNamePattern } from '../src/limits.js';

/**
 * Renders docs/protocol.md from the protocol package itself: the frame tables come from the
 * zod schemas, the codes and limits from their constants, and every example is checked
 * against its schema, so the document cannot drift from what the code accepts.
 */

type JsonSchema = {
  type?: string;
  const?: unknown;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  pattern?: string;
};

/** What each error code means, for people. A Record, so a new code fails to compile here. */
const errorMeanings: Record<ErrorCode, string> = {
  invalid_json: 'The frame (or body) was not valid JSON.',
  invalid_frame: 'The frame was JSON but broke the schema; the message names the field.',
  unknown_type: "The frame's `type` is not one the server knows.",
  invalid_request: 'A REST body, parameter or query failed validation.',
  not_authenticated: 'Authenticate first (WebSocket), or send `Authorization: Bearer` (REST).',
  auth_failed:
    'The token was malformed, revoked or not signed by an accepted key, or the credentials were wrong.',
  token_expired: 'The token expired: refresh it and send `authenticate` again (or reconnect).',
  username_taken:
    'The name is taken: registration asked for a login that is, or a login or display name that looks like (same UTS #39 skeleton), one an account holds; or a guest asked for a name that looks like an account’s.',
  forbidden:
    'Authenticated, but not allowed: a guest where an account is needed, or not a member, or a role too low.',
  user_mismatch: "A re-authentication named another user than the session's.",
  rate_limited:
    'Too fast: resend later with the same `cid`. Repeated, it closes the socket. Over REST (login limits) with `Retry-After` in seconds. On a `join`: the account opened its `ROOMS_PER_ACCOUNT_PER_HOUR` new rooms this hour.',
  invalid_room: 'The room name breaks the naming rules.',
  not_in_room: 'Send or leave for a room this connection has not joined.',
  too_many_rooms: `A connection may be in at most ${limits.roomsPerConnection} rooms.`,
  muted: 'Muted in this room: reading is fine, sending is not until the mute ends.',
  banned: 'Banned from this room: no joining, resuming, reading or sending.',
  room_not_open:
    "An event's room opens a while before the event starts (`EVENT_ROOM_OPENS_MINUTES`); the message says when.",
  room_closed:
    "An event's room closed when its history expired (`EVENT_HISTORY_TTL_MINUTES` after the event ended).",
  slow_mode: "Slow mode: wait the room's interval between messages (moderators are exempt).",
  members_only: 'Members-only mode: guests may watch the room but not send; sign in to chat.',
  emote_only: 'Emote-only mode: a message of emoji only (spaces between them), without files.',
  duplicate_message:
    "Unique-chat mode: the message repeats one sent in the room within the mode's window (case and spacing aside).",
  message_removed:
    'The chat delay held the message and a moderator removed it before anyone else saw it. Do not resend.',
  name_taken: 'A room by that name exists already.',
  not_found:
    'No such route or resource; on a `join` or `resume`, no such room (guests join only rooms that exist).',
  last_owner:
    "The channel's last owner cannot step down or leave while others remain: make someone else an owner first.",
  stale_snapshot:
    'A page of a listing named a snapshot (`asOf`) too old to page through consistently: start again from the first page.',
  edit_window_closed:
    'The message is older than the server’s edit window (`EDIT_WINDOW_SECONDS`): it can no longer be edited.',
  too_large:
    'An upload is bigger than the server takes (`MEDIA_MAX_BYTES`, 10 MiB by default), or an image has more pixels than `MEDIA_MAX_PIXELS` (a decompression bomb).',
  unsupported_media:
    'An upload is not, by its bytes, one of the types the server takes: JPEG, PNG, WebP, GIF or PDF. The name and the declared type do not count.',
  origin_not_allowed: "The browser's Origin is not on the allowlist (upgrade refused).",
  host_not_allowed:
    "The request's `Host` is not a name the server answers to (`ALLOWED_HOSTS`; the loopback names always are): a request or upgrade through a rebound DNS name. Refused before anything else.",
  token_in_url: 'A token was passed in the URL; send it in the `authenticate` frame.',
  unavailable: 'The message could not be made durable now; resend with the same `cid`.',
  shutting_down: 'The node is draining; reconnect (elsewhere) and resend with the same `cid`.',
  retry_later:
    'The node is admitting a crowd of (re)connections: reconnect after `retryAfterMs` (the socket closes with 1013 right after). The SDK waits at least that long.',
  internal: "A bug on the server's side; the connection stays open.",
};

const closeMeanings: Record<keyof typeof CloseCode, string> = {
  normal: 'Normal closure.',
  serverShutdown: 'The server is shutting down: reconnect with backoff, then resume every room.',
  frameTooLarge: `A frame over ${limits.frameMaxBytes} bytes.`,
  authTimeout: 'No `authenticate` frame within the auth timeout.',
  authFailed: 'The token was refused: get a new one before reconnecting.',
  tokenExpired:
    "The session's token expired without a re-`authenticate`: reconnect with a fresh token.",
  policyViolation: 'Sustained rate-limit or policy violations.',
  slowConsumer: "The socket's send buffer overflowed: reconnect and resume.",
  mustResume: "The server lost this connection's state: reconnect and resume every room.",
  heartbeatTimeout: 'The peer stopped answering heartbeats.',
  tryAgainLater:
    "The node is admitting connections at a bounded rate (a reconnect storm): wait the `retry_later` frame's `retryAfterMs`, then reconnect.",
};

const user = { id: '0193a5e2-7c1d-7f00-8000-000000000001', name: 'Alice' };
const message = {
  room: 'global',
  seq: 42,
  id: '0193a5e2-7c1d-7f00-8000-00000000002a',
  user,
  content: 'hi',
  ts: '2026-11-22T10:00:00.000Z',
};

interface FrameDoc {
  schema: z.ZodType;
  summary: string;
  example: unknown;
}

const clientFrames: Record<string, FrameDoc> = {
  authenticate: {
    schema: frames.AuthenticateFrame,
    summary:
      'Must be the first frame. Sent again while ready, with a fresh token of the same user, it extends the session.',
    example: { type: 'authenticate', token: 'eyJhbGciOiJIUzI1NiJ9…' },
  },
  join: {
    schema: frames.JoinFrame,
    summary:
      'Enter a room. Answered by `joined` with the latest messages. Guests join only open rooms that exist (`global`, event rooms, the `OPEN_ROOMS`, and rooms accounts opened); any other name is `not_found`. An account joining an unused name opens it, at most `ROOMS_PER_ACCOUNT_PER_HOUR` an hour (then `rate_limited`).',
    example: { type: 'join', room: 'global' },
  },
  leave: {
    schema: frames.LeaveFrame,
    summary: 'Leave a room. Answered by `left`.',
    example: { type: 'leave', room: 'global' },
  },
  send: {
    schema: frames.SendFrame,
    summary:
      "Post a message. `cid` is the client's id for this send: a resend with the same `cid` gets the original `ack` and never a second message. `attachments` are what `POST /api/media` answered, unchanged and your own (else `forbidden`); with attachments, `content` may be empty; without, it needs something visible (only whitespace, zero-width or bidi characters counts as empty). Content is delivered exactly as typed; a lone surrogate (a `\\ud800` escape without its pair) in `content` or `cid` is refused (`invalid_frame`), as no store could keep it as sent.",
    example: { type: 'send', room: 'global', cid: 'b9f6c1e0-1', content: 'hi' },
  },
  resume: {
    schema: frames.ResumeFrame,
    summary:
      'Re-enter a room after a reconnect, from the last seq delivered. Answered by `joined` with exactly the missed messages, or `reset`.',
    example: { type: 'resume', room: 'global', since: 41, epoch: 'k2J9x0aQ' },
  },
  delete: {
    schema: frames.DeleteFrame,
    summary:
      "Delete a message: your own, or anyone's as a moderator or owner. Everyone in the room gets `moderated`; history keeps a tombstone.",
    example: { type: 'delete', room: 'general', id: message.id },
  },
  mute: {
    schema: frames.MuteFrame,
    summary: 'Moderators: keep a user from sending in the room for `seconds` (they still read).',
    example: { type: 'mute', room: 'general', user: user.id, seconds: 600 },
  },
  unmute: {
    schema: frames.UnmuteFrame,
    summary: 'Moderators: lift a mute.',
    example: { type: 'unmute', room: 'general', user: user.id },
  },
  kick: {
    schema: frames.KickFrame,
    summary:
      'Moderators: remove a user from the room; their sockets get `left` with reason `kicked`.',
    example: { type: 'kick', room: 'general', user: user.id },
  },
  ban: {
    schema: frames.BanFrame,
    summary: 'Moderators: remove a user and keep them out, for `seconds` or until unbanned.',
    example: { type: 'ban', room: 'general', user: user.id, seconds: 86400 },
  },
  unban: {
    schema: frames.UnbanFrame,
    summary: 'Moderators: lift a ban.',
    example: { type: 'unban', room: 'general', user: user.id },
  },
  slow_mode: {
    schema: frames.SlowModeFrame,
    summary:
      "Moderators: minimum seconds between one user's messages in the room (0 turns it off).",
    example: { type: 'slow_mode', room: 'general', seconds: 30 },
  },
  ping: {
    schema: frames.PingFrame,
    summary:
      'Application-level round trip, answered by `pong`. (Liveness uses WebSocket ping/pong.)',
    example: { type: 'ping' },
  },
  typing: {
    schema: frames.TypingFrame,
    summary: `The person is typing in the room. Send it while they type, at most every ${limits.typingResendMs} ms; the server passes one on per person and room every ${limits.typingThrottleMs} ms at most, to everyone else in the room, and drops it for someone who may not send there (muted). Never stored.`,
    example: { type: 'typing', room: 'general' },
  },
  edit: {
    schema: frames.EditFrame,
    summary:
      'Replace the content of your own message (by id) while it is within the edit window. The room gets `updated`; a refusal is an `error` whose ref is the message id.',
    example: { type: 'edit', room: 'general', id: message.id, content: 'hello, everyone' },
  },
  react: {
    schema: frames.ReactFrame,
    summary: `Add (\`on: true\`) or take back your reaction to a message, by id: one emoji, at most ${limits.reactionsPerMessage} different ones per message. Anyone in the room may react, but not to a deleted message. The room gets \`updated\` with the message's reactions.`,
    example: { type: 'react', room: 'general', id: message.id, emoji: '🎉', on: true },
  },
  receipt: {
    schema: frames.ReceiptFrame,
    summary: `Messages of a channel or DM up to \`delivered\` reached this device, and up to \`read\` were shown to the person. Pointers only move forward (read implies delivered) and are capped at the room's latest seq; send at most every ${limits.receiptFlushMs} ms per room. Open rooms keep none and ignore it.`,
    example: { type: 'receipt', room: 'general', delivered: 42, read: 40 },
  },
  modes: {
    schema: frames.ModesFrame,
    summary: `Switch crowd modes (moderators, owners; in open rooms also admins): the ones named change, the rest stay. \`slowModeSeconds\` (0-${limits.slowModeMaxSeconds}), \`membersOnly\` (guests cannot send), \`emoteOnly\` (emoji only), \`uniqueChatSeconds\` (0-${limits.uniqueChatMaxSeconds}: no repeat of a message said that recently), \`delaySeconds\` (0-${limits.chatDelayMaxSeconds}: messages held for moderators first). Moderators are exempt from all. The room gets \`moderated\` with action \`modes\` and every mode.`,
    example: {
      type: 'modes',
      room: 'event:0193a5e2-7c1d-7f00-8000-00000000beef',
      emoteOnly: true,
      delaySeconds: 5,
    },
  },
  cheer: {
    schema: frames.CheerFrame,
    summary: `Tap a live reaction (one of ${frames.cheerEmojis.join(' ')}) in a room you are in; \`count\` taps since your last frame (1-${limits.cheerBatchMax}). Never stored. A connection is credited ${limits.cheersPerSecond} taps a second (bursts of twice that); more are not counted and not refused.`,
    example: {
      type: 'cheer',
      room: 'event:0193a5e2-7c1d-7f00-8000-00000000beef',
      emoji: '🔥',
      count: 3,
    },
  },
};

const serverFrames: Record<string, FrameDoc> = {
  ready: {
    schema: frames.ReadyFrame,
    summary:
      'Authentication succeeded: who you are, your login (accounts only: how others `@mention` you), your session id, the protocol version.',
    example: {
      type: 'ready',
      user,
      login: 'ada',
      session: '0193a5e2-…',
      protocol: PROTOCOL_VERSION,
    },
  },
  joined: {
    schema: frames.JoinedFrame,
    summary:
      "Answer to `join` (latest messages) or `resume` (exactly the ones after `since`). `seq` is the room's head; live messages follow.",
    example: { type: 'joined', room: 'global', seq: 42, epoch: 'k2J9x0aQ', messages: [message] },
  },
  message: {
    schema: frames.MessageFrame,
    summary: 'One new message. Every field is set by the server.',
    example: { type: 'message', ...message },
  },
  batch: {
    schema: frames.BatchFrame,
    summary: 'Several messages of one room, in seq order, when the room is busy.',
    example: {
      type: 'batch',
      room: 'global',
      messages: [message, { ...message, seq: 43, content: 'hello' }],
    },
  },
  ack: {
    schema: frames.AckFrame,
    summary: 'Your send is durable: its id and seq.',
    example: { type: 'ack', cid: 'b9f6c1e0-1', room: 'global', id: message.id, seq: 42 },
  },
  reset: {
    schema: frames.ResetFrame,
    summary:
      'The resume could not be served (too far back, or another epoch). Drop what you hold for the room and fetch history over REST; live delivery continues after `seq`.',
    example: { type: 'reset', room: 'global', seq: 1042, epoch: 'k2J9x0aQ' },
  },
  left: {
    schema: frames.LeftFrame,
    summary:
      'Out of the room: answer to `leave`, or `reason` says you were kicked, banned or removed (then do not resume it).',
    example: { type: 'left', room: 'general', reason: 'kicked' },
  },
  room_added: {
    schema: frames.RoomAddedFrame,
    summary:
      'Someone gave you a room: opened a DM with you, or added you to a private channel. Sent to every socket of yours; refresh the room list and join it when you like.',
    example: {
      type: 'room_added',
      room: 'dm:0193a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b',
      kind: 'dm',
      by: user,
    },
  },
  mentioned: {
    schema: frames.MentionedFrame,
    summary: `Someone \`@login\`-mentioned you in a channel or DM you are a member of (open rooms notify nobody), once the message is durable. Sent to every socket of yours, joined to the room or not. A mention is \`@\` plus a login, not after a letter (so not an e-mail address); at most ${limits.mentionsPerMessage} people per message are notified, never the author.`,
    example: {
      type: 'mentioned',
      message: { ...message, room: 'general', content: 'over to you @ada' },
    },
  },
  moderated: {
    schema: frames.ModeratedFrame,
    summary:
      "A moderation action in the room, for everyone in it. On `delete`, blank message `messageId`. On `role`, a channel's owner gave `target` the channel role `role` (who moderates changes at once).",
    example: {
      type: 'moderated',
      room: 'general',
      action: 'delete',
      actor: user,
      messageId: message.id,
      seq: 42,
      target: user.id,
    },
  },
  error: {
    schema: frames.ErrorFrame,
    summary:
      'A frame was refused. `ref` is the `cid` of the send (or the frame type or room) it answers. The connection stays open unless a close follows.',
    example: {
      type: 'error',
      code: 'rate_limited',
      message: 'sending too fast; resend later with the same cid',
      ref: 'b9f6c1e0-1',
    },
  },
  updated: {
    schema: frames.UpdatedFrame,
    summary:
      'A message changed after it was sent (an edit): the whole message as it now is, with its seq; replace your copy. The room’s seq does not move.',
    example: {
      type: 'updated',
      message: { ...message, content: 'hello, everyone', editedAt: '2026-11-22T10:01:00.000Z' },
    },
  },
  receipt: {
    schema: frames.ReceiptNotice,
    summary:
      'A member’s receipt pointers moved: the furthest of all their devices. Drives DM ticks and “seen by”, and, when the member is you, the unread counts of your other devices.',
    example: { type: 'receipt', room: 'general', user, delivered: 42, read: 42 },
  },
  presence: {
    schema: frames.PresenceFrame,
    summary: `Who is in the room, each person once however many tabs they have: \`users\` while there are at most ${limits.presenceListMax}, else only \`count\`. Sent to you right after your \`joined\`, then to the room at most every ${limits.presenceUpdateMs} ms while it changes; each replaces the last.`,
    example: {
      type: 'presence',
      room: 'general',
      count: 2,
      users: [user, { id: '0193a1b2-0000-7000-8000-000000000002', name: 'Bob' }],
    },
  },
  typing: {
    schema: frames.TypingNotice,
    summary: `Someone else in the room is typing. Show it for ${limits.typingTtlMs} ms unless another arrives, and drop it when their message does. Never sent to the typist.`,
    example: { type: 'typing', room: 'general', user },
  },
  pong: {
    schema: frames.PongFrame,
    summary: 'Answer to `ping`.',
    example: { type: 'pong' },
  },
  held: {
    schema: frames.HeldFrame,
    summary:
      "The room's chat delay holds a message until `heldUntil`: sent to its author (whose ack comes when it is published) and to the room's moderators, who may `delete` it by `id` first. Everyone else gets it as a normal `message` (same `id`) at `heldUntil`, or never.",
    example: {
      type: 'held',
      room: 'event:0193a5e2-7c1d-7f00-8000-00000000beef',
      id: message.id,
      cid: 'c-17',
      user,
      content: 'what a save!',
      heldUntil: '2026-11-23T20:15:05.000Z',
    },
  },
  cheers: {
    schema: frames.CheersFrame,
    summary: `The room's live reactions of one tick (${limits.cheerTickMs} ms): every tap of every member on every node, added up per emoji. One frame per tick with taps, however big the crowd.`,
    example: {
      type: 'cheers',
      room: 'event:0193a5e2-7c1d-7f00-8000-00000000beef',
      counts: { '🔥': 412, '👏': 96 },
    },
  },
};

function typeOf(schema: JsonSchema): string {
  if (schema.const !== undefined) return `\`${JSON.stringify(schema.const)}\``;
  if (schema.enum !== undefined) return 'one of the error codes';
  if (schema.anyOf !== undefined) return schema.anyOf.map(typeOf).join(' or ');
  if (schema.type === 'array')
    return `array of ${schema.items?.properties?.seq ? 'messages' : typeOf(schema.items ?? {})}`;
  if (schema.type === 'object')
    return `object {${Object.keys(schema.properties ?? {}).join(', ')}}`;
  return schema.type ?? 'any';
}

function constraintsOf(schema: JsonSchema): string {
  const parts: string[] = [];
  if (schema.minLength !== undefined && schema.minLength > 0)
    parts.push(`≥ ${schema.minLength} chars`);
  if (schema.maxLength !== undefined) parts.push(`≤ ${schema.maxLength} chars`);
  if (schema.minimum !== undefined) parts.push(`≥ ${schema.minimum}`);
  if (schema.pattern !== undefined) parts.push(`matches \`${schema.pattern}\``);
  return parts.join(', ');
}

function frameSection(name: string, doc: FrameDoc): string {
  const json = z.toJSONSchema(doc.schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const required = new Set(json.required ?? []);
  const rows = Object.entries(json.properties ?? {}).map(
    ([field, schema]) =>
      `| \`${field}\` | ${typeOf(schema)} | ${required.has(field) ? 'yes' : 'no'} | ${constraintsOf(schema)} |`,
  );
  return [
    `### \`${name}\``,
    '',
    doc.summary,
    '',
    '| field | type | required | constraints |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    '```json',
    JSON.stringify(doc.example),
    '```',
    '',
  ].join('\n');
}

/** Every example must be a valid frame: checked by the docs test. */
export function protocolExamples(): Array<{ name: string; schema: z.ZodType; example: unknown }> {
  return [...Object.entries(clientFrames), ...Object.entries(serverFrames)].map(([name, doc]) => ({
    name,
    schema: doc.schema,
    example: doc.example,
  }));
}

export function renderProtocolDoc(): string {
  const errorRows = (Object.values(ErrorCode) as ErrorCode[]).map(
    (code) => `| \`${code}\` | ${httpStatusOf[code]} | ${errorMeanings[code]} |`,
  );
  const closeRows = (Object.keys(CloseCode) as Array<keyof typeof CloseCode>).map(
    (key) => `| ${CloseCode[key]} | \`${key}\` | ${closeMeanings[key]} |`,
  );
  return `# Hubbub wire protocol, version ${PROTOCOL_VERSION}

<!-- Generated from packages/protocol by \`npm run docs:protocol\`; edit the source, not this file. -->

JSON text frames over one WebSocket at \`/ws\`, one object per frame, discriminated by
\`type\`. The schemas live in \`packages/protocol\` (zod), and the server, the SDK and every
other client validate against the same ones. Unknown extra fields are dropped, so newer
clients can talk to older servers; field names are never renamed within a version.

## Connection lifecycle

\`open → authenticating → ready → closing → closed\`

1. The \`Host\` must be a name the server answers to (421 \`host_not_allowed\`, on
   every HTTP request too), and the browser's \`Origin\` is checked against the server's
   allowlist on the upgrade (403 \`origin_not_allowed\`). Clients that send no Origin
   (CLI, SDK in Node) pass.
2. Tokens in the URL are refused (400 \`token_in_url\`): URLs leak into logs and proxies.
3. The first frame must be \`authenticate\` with a token from \`POST /api/auth/guest\`
   (or a later account login), within the auth timeout (5 s by default, 10 s at most);
   otherwise the socket is closed with ${CloseCode.authTimeout}. Frames sent right behind
   \`authenticate\` are held and served, in order, once \`ready\` is sent.
4. Once \`ready\`, the client joins rooms and sends. Sending \`authenticate\` again with a
   fresh token of the same user extends the session without reconnecting; when the token
   expires without that, the socket is closed with ${CloseCode.tokenExpired} within a second
   after its \`exp\`.
5. The server pings every connection (WebSocket ping/pong); a peer that misses a
   heartbeat is dropped. Every path out of \`ready\` leaves every room.

## Sending, ordering and de-duplication

Every message in a room has a \`seq\`: assigned by the server, gapless and strictly
increasing per room. A \`send\` is answered by \`ack\` only once the message is durable,
and the message is delivered to the room's members (the sender included) only after that.
Clients order and de-duplicate by \`(room, seq)\`.

Each \`send\` carries a client-chosen \`cid\`. Resending with the same \`cid\` (after a
timeout or a reconnect) is answered with the original \`ack\`; it never creates a second
message. Identity, id, seq and time always come from the server, never from the frame.

## Join, resume and reset

\`join\` answers \`joined\` with the room's latest messages and its head \`seq\` and
\`epoch\`. After a reconnect, a client sends \`resume\` with the last seq it delivered and
the epoch it came from; \`joined\` then carries exactly the missed messages. When they
are older than the retained window, or the epoch differs (the room's history was lost and
started again), the answer is \`reset\`: the client drops what it holds for the room and
fetches history over REST (\`GET /api/rooms/:room/messages?before=&after=&limit=\`); it is
in the room again from \`reset.seq\` on. Epochs make sure a client never splices two
different histories together.

## Batching and backpressure

A room queues what it has to send and flushes once per event-loop turn: a quiet room
sends each \`message\` at once, a busy one sends \`batch\` frames. Each connection has a
bounded send buffer; a connection that cannot keep up is closed with
${CloseCode.slowConsumer} instead of slowing the room, and should reconnect and resume.

## Rate limits

Sends are limited by a token bucket per connection and per user (5 per second, bursts of
10, by default). A refused send gets \`error\` \`rate_limited\` with the \`cid\` as \`ref\`;
resend it later with the same \`cid\`. Other frames have a ceiling of their own. Too many
refused frames in a row close the socket with ${CloseCode.policyViolation}.

## Example

\`\`\`
→ {"type":"authenticate","token":"eyJ…"}
← {"type":"ready","user":{"id":"…","name":"Alice"},"session":"…","protocol":${PROTOCOL_VERSION}}
→ {"type":"join","room":"global"}
← {"type":"joined","room":"global","seq":41,"epoch":"k2J9x0aQ","messages":[…]}
→ {"type":"send","room":"global","cid":"c-1","content":"hi"}
← {"type":"ack","cid":"c-1","room":"global","id":"…","seq":42}
← {"type":"message","room":"global","seq":42,"id":"…","user":{"id":"…","name":"Alice"},"content":"hi","ts":"…"}
\`\`\`

## Client frames

${Object.entries(clientFrames)
  .map(([name, doc]) => frameSection(name, doc))
  .join('\n')}
## Server frames

${Object.entries(serverFrames)
  .map(([name, doc]) => frameSection(name, doc))
  .join('\n')}
## Error codes

Used by \`error\` frames and by REST errors, whose body is
\`{"error":{"code":"…","message":"…"}}\` with the HTTP status below.

| code | HTTP | meaning |
| --- | --- | --- |
${errorRows.join('\n')}

## Close codes

Clients reconnect with exponential backoff and full jitter (capped at 30 s) after every
code except ${CloseCode.authFailed}.

| code | name | meaning |
| --- | --- | --- |
${closeRows.join('\n')}

## Limits

| limit | value |
| --- | --- |
| username | 1–${limits.usernameMaxChars} characters |
| message content | 1–${limits.contentMaxChars} characters, not only whitespace, no lone surrogate |
| frame | ${limits.frameMaxBytes} bytes (larger closes with ${CloseCode.frameTooLarge}); no compression |
| client id (\`cid\`) | 1–${limits.cidMaxChars} characters, no lone surrogate |
| room name | \`${roomNamePattern.source}\` |
| rooms per connection | ${limits.roomsPerConnection} |
| messages in \`joined\` on join | ${limits.joinHistory} (server setting) |
| REST history page | default ${limits.historyPageDefault}, at most ${limits.historyPageMax} |
`;
}
