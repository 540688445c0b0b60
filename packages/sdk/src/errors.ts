import type { ErrorCode } from '@hubbub/protocol';

/** Every failure the SDK reports: a protocol error code a program can branch on. */
export class HubbubError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** How long the server asked to wait before trying again (REST `Retry-After`), if it said. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'HubbubError';
  }
}

/** Codes after which the same send, with the same cid, may succeed later. */
export const retryableCodes: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'rate_limited',
  'unavailable',
  'shutting_down',
  'internal',
]);
