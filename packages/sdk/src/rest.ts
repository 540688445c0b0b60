import {
  ErrorCode,
  HistoryPage,
  type HistoryQuery,
  type RestError,
  type RoomId,
  TokenResponse,
} from '@hubbub/protocol';
import type { z } from 'zod';
import { HubbubError } from './errors.js';

async function parse<T extends z.ZodType>(response: Response, schema: T): Promise<z.output<T>> {
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const error = (body as Partial<RestError> | undefined)?.error;
    throw new HubbubError(
      error?.code ?? ErrorCode.internal,
      error?.message ?? `HTTP ${response.status}`,
    );
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success)
    throw new HubbubError(ErrorCode.invalidFrame, 'unexpected response from the server');
  return parsed.data;
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
