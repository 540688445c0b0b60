import {
  Analytics,
  type Attachment,
  AuditLog,
  ChannelList,
  ChannelMembers,
  type ChannelRole,
  ChannelView,
  type CreateChannelRequest,
  ErrorCode,
  EventsPage,
  type EventsQuery,
  HistoryPage,
  type HistoryQuery,
  LiveEvent,
  MediaUploadResponse,
  MeResponse,
  MyRooms,
  OpenDmResponse,
  type RestError,
  type RoomId,
  RoomReceipts,
  type SearchQuery,
  SearchResponse,
  SessionResponse,
  TokenResponse,
  UserSearchResponse,
} from '@hubbub/protocol';
import { z } from 'zod';
import { HubbubError } from './errors.js';

async function parse<T extends z.ZodType>(response: Response, schema: T): Promise<z.output<T>> {
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const error = (body as Partial<RestError> | undefined)?.error;
    throw new HubbubError(
      error?.code ?? ErrorCode.internal,
      error?.message ?? `HTTP ${response.status}`,
      retryAfterMs(response.headers.get('retry-after')),
    );
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success)
    throw new HubbubError(ErrorCode.invalidFrame, 'unexpected response from the server');
  return parsed.data;
}

/** `Retry-After` (seconds, or an HTTP date) in milliseconds from now; undefined if absent. */
function retryAfterMs(header: string | null): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/**
 * The cluster's live figures (`GET /api/analytics`): with an admin's token, or none when the
 * server has ANALYTICS_PUBLIC=true.
 */
export async function fetchAnalytics(baseUrl: string, token?: string): Promise<Analytics> {
  const response = await fetch(new URL('/api/analytics', baseUrl), {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
  return parse(response, Analytics);
}

/**
 * A page of the events catalog (`GET /api/events`), open to anyone. Pass the first page's
 * `asOf` with the next ones: they are offsets into that one snapshot.
 */
export async function fetchEvents(
  baseUrl: string,
  query: EventsQuery,
  signal?: AbortSignal,
): Promise<EventsPage> {
  const url = new URL('/api/events', baseUrl);
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') url.searchParams.set(key, String(value));
  }
  return parse(await fetch(url, { signal: signal ?? null }), EventsPage);
}

/** One event (`GET /api/events/:id`). */
export async function fetchEvent(baseUrl: string, id: string): Promise<LiveEvent> {
  const response = await fetch(new URL(`/api/events/${encodeURIComponent(id)}`, baseUrl));
  return parse(response, LiveEvent);
}

/** A token for a new guest (`POST /api/auth/guest`). */
export async function guestToken(baseUrl: string, username: string): Promise<TokenResponse> {
  const response = await fetch(new URL('/api/auth/guest', baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username }),
  });
  return parse(response, TokenResponse);
}

/** A page of a room's history, oldest first: what a client fetches after a `reset`. */
export async function fetchHistory(
  baseUrl: string,
  token: string,
  room: RoomId,
  query: Partial<HistoryQuery> = {},
): Promise<HistoryPage> {
  const url = new URL(`/api/rooms/${encodeURIComponent(room)}/messages`, baseUrl);
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  return parse(response, HistoryPage);
}

async function postJson<T extends z.ZodType>(
  baseUrl: string,
  path: string,
  body: unknown,
  schema: T,
): Promise<z.output<T>> {
  const response = await fetch(new URL(path, baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return parse(response, schema);
}

/** Creates an account and logs in (`POST /api/auth/register`). */
export function registerAccount(
  baseUrl: string,
  input: { username: string; password: string; displayName?: string },
): Promise<SessionResponse> {
  return postJson(baseUrl, '/api/auth/register', input, SessionResponse);
}

/** Logs in (`POST /api/auth/login`). */
export function login(
  baseUrl: string,
  username: string,
  password: string,
): Promise<SessionResponse> {
  return postJson(baseUrl, '/api/auth/login', { username, password }, SessionResponse);
}

/** Swaps a refresh token for a new session pair (`POST /api/auth/refresh`); the old one is spent. */
export function refreshSession(baseUrl: string, refreshToken: string): Promise<SessionResponse> {
  return postJson(baseUrl, '/api/auth/refresh', { refreshToken }, SessionResponse);
}

/** Seconds-since-epoch expiry of a JWT, read without verifying it (the server verifies). */
export function tokenExpiry(token: string): number | undefined {
  try {
    const payload = JSON.parse(
      atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/')),
    ) as { exp?: unknown };
    return typeof payload.exp === 'number' ? payload.exp : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A token provider for HubbubClient over an account session: hands out the access token,
 * and refreshes it (rotating the refresh token) once it is within a minute of expiring.
 * Concurrent callers share one refresh, since a refresh token can be spent only once.
 */
export function sessionTokenProvider(
  baseUrl: string,
  session: SessionResponse,
  onSession: (session: SessionResponse) => void = () => {},
): () => Promise<string> {
  let current = session;
  let refreshing: Promise<SessionResponse> | undefined;
  return async () => {
    const expiry = Date.parse(current.expiresAt);
    if (expiry - Date.now() > 60_000) return current.token;
    refreshing ??= refreshSession(baseUrl, current.refreshToken).finally(() => {
      refreshing = undefined;
    });
    current = await refreshing;
    onSession(current);
    return current.token;
  };
}

/**
 * The signed-in REST API: channels, DMs and the user directory. Every call asks `token` for
 * a current access token, so a session provider that refreshes keeps calls working across
 * expiry. Refusals throw HubbubError with the server's code.
 */
export class HubbubApi {
  constructor(
    private readonly baseUrl: string,
    private readonly token: () => Promise<string>,
  ) {}

  private async call<T extends z.ZodType>(
    method: string,
    path: string,
    schema: T,
    body?: unknown,
  ): Promise<z.output<T>> {
    const response = await fetch(new URL(path, this.baseUrl), {
      method,
      headers: {
        authorization: `Bearer ${await this.token()}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return parse(response, schema);
  }

  /** Who the token belongs to, and what it may open (`GET /api/me`). */
  me(): Promise<MeResponse> {
    return this.call('GET', '/api/me', MeResponse);
  }

  /** Public channels, and the private ones and DMs the caller is in. */
  channels(): Promise<ChannelList> {
    return this.call('GET', '/api/channels', ChannelList);
  }

  createChannel(input: CreateChannelRequest): Promise<ChannelView> {
    return this.call('POST', '/api/channels', ChannelView, input);
  }

  /** A channel's members with their names and roles (members of the channel only). */
  async members(room: RoomId): Promise<ChannelMembers['members']> {
    return (await this.call('GET', `${channelPath(room)}/members`, ChannelMembers)).members;
  }

  /** Adds someone to a channel (moderators; a role above member takes an owner). */
  async addMember(room: RoomId, userId: string, role: ChannelRole = 'member'): Promise<void> {
    await this.call('POST', `${channelPath(room)}/members`, z.unknown(), { userId, role });
  }

  /** Gives a member another role (owners); the last owner cannot step down (`last_owner`). */
  async setRole(room: RoomId, userId: string, role: ChannelRole): Promise<void> {
    await this.call('PATCH', memberPath(room, userId), z.unknown(), { role });
  }

  /** Removes `userId` from a channel; the caller's own id leaves it. */
  async removeMember(room: RoomId, userId: string): Promise<void> {
    await this.call('DELETE', memberPath(room, userId), z.unknown());
  }

  /** The room's moderation and membership log, newest first (moderators). */
  async auditLog(room: RoomId): Promise<AuditLog['entries']> {
    const path = `/api/rooms/${encodeURIComponent(room)}/audit`;
    return (await this.call('GET', path, AuditLog)).entries;
  }

  /** The DM room with `userId`, opened on first use. */
  async openDm(userId: string): Promise<RoomId> {
    return (await this.call('POST', '/api/dms', OpenDmResponse, { userId })).room;
  }

  async searchUsers(query: string): Promise<UserSearchResponse['users']> {
    const path = `/api/users?q=${encodeURIComponent(query)}`;
    return (await this.call('GET', path, UserSearchResponse)).users;
  }

  /**
   * Messages matching every word of `query.q`, newest first, in `query.room` or in every
   * room the caller is in; the next page passes the last hit's message id as `before`.
   */
  search(query: SearchQuery): Promise<SearchResponse> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query))
      if (value !== undefined) params.set(key, String(value));
    return this.call('GET', `/api/search?${params}`, SearchResponse);
  }

  /**
   * Uploads a file to attach to a message (accounts only). The server decides its type from
   * its bytes and cleans images; send the answer unchanged in `send`'s `attachments`.
   * (The web app uploads with XMLHttpRequest instead, for a progress bar.)
   */
  async upload(file: Blob, name: string): Promise<Attachment> {
    const form = new FormData();
    form.set('file', file, name);
    const response = await fetch(`${this.baseUrl}/api/media`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await this.token()}` },
      body: form,
    });
    return (await parse(response, MediaUploadResponse)).attachment;
  }

  /** Every member's furthest delivered and read seq in a channel or DM. */
  async receipts(room: RoomId): Promise<RoomReceipts['receipts']> {
    const path = `/api/rooms/${encodeURIComponent(room)}/receipts`;
    return (await this.call('GET', path, RoomReceipts)).receipts;
  }

  /** One's channels and DMs with their latest seq, one's receipts and unread counts. */
  async myRooms(): Promise<MyRooms['rooms']> {
    return (await this.call('GET', '/api/me/rooms', MyRooms)).rooms;
  }

  async history(room: RoomId, query: Partial<HistoryQuery> = {}): Promise<HistoryPage> {
    return fetchHistory(this.baseUrl, await this.token(), room, query);
  }
}

function channelPath(room: RoomId): string {
  return `/api/channels/${encodeURIComponent(room)}`;
}

function memberPath(room: RoomId, userId: string): string {
  return `${channelPath(room)}/members/${encodeURIComponent(userId)}`;
}
