import type { z } from 'zod';
import { ErrorCode } from './codes.js';
import { ClientFrame, clientFrameTypes, ServerFrame } from './frames.js';

/**
 * The encode/decode seam. JSON text today; a binary codec could be negotiated later without
 * the rooms core noticing, because only this module knows the bytes.
 */

export type DecodeResult<T> =
  | { ok: true; frame: T }
  | { ok: false; code: ErrorCode; message: string; ref?: string };

function describe(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'frame'}: ${issue.message}`)
    .join('; ');
}

function refOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if (typeof record.cid === 'string' && record.cid.length <= 64) return record.cid;
  if (typeof record.type === 'string' && record.type.length <= 32) return record.type;
  return undefined;
}

/** Parses and validates one client frame; never throws. */
export function decodeClientFrame(text: string): DecodeResult<ClientFrame> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: ErrorCode.invalidJson, message: 'frame is not valid JSON' };
  }
  const ref = refOf(value);
  const type = (value as { type?: unknown } | null)?.type;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, code: ErrorCode.invalidFrame, message: 'frame must be a JSON object' };
  }
  if (typeof type !== 'string' || !(clientFrameTypes as readonly string[]).includes(type)) {
    return {
      ok: false,
      code: ErrorCode.unknownType,
      message: `unknown frame type; expected one of ${clientFrameTypes.join(', ')}`,
      ...(ref === undefined ? {} : { ref }),
    };
  }
  const parsed = ClientFrame.safeParse(value);
  if (!parsed.success) {
    return {
      ok: false,
      code: ErrorCode.invalidFrame,
      message: describe(parsed.error),
      ...(ref === undefined ? {} : { ref }),
    };
  }
  return { ok: true, frame: parsed.data };
}

/** Serializes a server frame. Fan-out calls this once per broadcast, never per recipient. */
export function encodeServerFrame(frame: ServerFrame): string {
  return JSON.stringify(frame);
}

/** Parses a server frame (SDK side); the SDK trusts nothing it has not validated. */
export function decodeServerFrame(text: string): DecodeResult<ServerFrame> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: ErrorCode.invalidJson, message: 'frame is not valid JSON' };
  }
  const parsed = ServerFrame.safeParse(value);
  if (!parsed.success) {
    return { ok: false, code: ErrorCode.invalidFrame, message: describe(parsed.error) };
  }
  return { ok: true, frame: parsed.data };
}
