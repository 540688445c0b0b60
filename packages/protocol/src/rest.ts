import { z } from 'zod';
import type { ErrorCode } from './codes.js';
import { ChatMessage, Seq, Username, UserRef } from './frames.js';
import { limits } from './limits.js';

/** REST bodies shared by the server and its clients. */

/** Every REST error: `{"error":{"code":"…","message":"…"}}` with the matching HTTP status. */
export interface RestError {
  error: { code: ErrorCode; message: string };
}

export const GuestRequest = z.object({ username: Username });
export type GuestRequest = z.infer<typeof GuestRequest>;

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

/** A page of history, oldest first; `hasMore` says whether the page was cut by `limit`. */
export const HistoryPage = z.object({
  messages: z.array(ChatMessage),
  hasMore: z.boolean(),
});
export type HistoryPage = z.infer<typeof HistoryPage>;
