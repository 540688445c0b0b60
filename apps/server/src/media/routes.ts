import multipart from '@fastify/multipart';
import { ErrorCode, MediaUploadResponse } from '@hubbub/protocol';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Authenticator } from '../auth/authenticator.js';
import { Refused } from '../gateway/guard.js';
import { KeyedLimiter } from '../gateway/rate-limit.js';
import { authenticateRequest } from '../http/auth.js';
import { parseOr400, sendError } from '../http/errors.js';
import { doc } from '../http/openapi.js';
import { type MediaLimits, processUpload } from './process.js';
import type { AttachmentSigner } from './signing.js';
import type { MediaStorage } from './storage.js';
import type { MediaRow, MediaStore } from './store.js';

const MediaParams = z.object({ id: z.string().min(1).max(100) });

/**
 * What a served file may do in a browser: nothing. No scripts, no plugins, no requests,
 * sandboxed, so even a file that is also HTML (a polyglot) cannot run if opened directly.
 */
const CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox";

export interface MediaDeps {
  authenticator: Authenticator;
  storage: MediaStorage;
  records: MediaStore;
  signer: AttachmentSigner;
  limits: MediaLimits & { maxBytes: number };
}

/**
 * Uploads and their download. An upload is checked, cleaned (process.ts) and stored; its
 * id is a capability: unguessable (128 random bits), so whoever can see the message can
 * load the file, and nobody else can find it.
 */
export function mediaRoutes(app: FastifyInstance, deps: MediaDeps): void {
  const { authenticator, storage, records, signer, limits } = deps;
  // Decoding an image takes memory in proportion to its pixels: a few at a time per node,
  // and a person uploads at most one a second on average (bursts of 10 for an album).
  const uploads = new KeyedLimiter(1, 10);
  const decoding = new Gate(2);
  void app.register(async (scope) => {
    await scope.register(multipart, {
      limits: { fileSize: limits.maxBytes, files: 1, fields: 0, parts: 1, headerPairs: 50 },
    });
    scope.post(
      '/api/media',
      doc({
        summary: 'Upload a file (multipart/form-data, one file) to attach to a message',
        tags: ['media'],
        auth: true,
        response: MediaUploadResponse,
        status: 201,
      }),
      async (request, reply) => {
        const identity = await authenticateRequest(request, reply, authenticator);
        if (identity === undefined) return reply;
        if (identity.kind !== 'user')
          return sendError(reply, ErrorCode.forbidden, 'sign in to upload files');
        if (!request.isMultipart())
          return sendError(reply, ErrorCode.invalidRequest, 'send the file as multipart/form-data');
        if (!uploads.take(identity.user.id, Date.now()))
          return sendError(reply, ErrorCode.rateLimited, 'uploading too fast; try again shortly');
        try {
          const part = await request.file();
          if (part === undefined)
            return sendError(reply, ErrorCode.invalidRequest, 'the form holds no file');
          const bytes = await part.toBuffer();
          const processed = await decoding.run(() => processUpload(bytes, part.filename, limits));
          const blob = await storage.put(processed.bytes);
          const thumb =
            processed.thumbnail === undefined ? null : await storage.put(processed.thumbnail);
          const id = signer.sign(identity.user.id, processed.fields);
          const { fields } = processed;
          await records.insert({
            id,
            owner_id: identity.user.id,
            kind: fields.kind,
            mime: fields.mime,
            name: fields.name,
            size: fields.size,
            width: fields.width ?? null,
            height: fields.height ?? null,
            blob,
            thumb,
            created_at: Date.now(),
            revoked_at: null,
          });
          request.log.info({ media: id, mime: fields.mime, size: fields.size }, 'media stored');
          return reply.code(201).send({ attachment: { id, ...fields } });
        } catch (error) {
          return refuseUpload(reply, error, limits.maxBytes);
        }
      },
    );
  });

  const serve = (which: 'blob' | 'thumb') => async (request: unknown, reply: FastifyReply) => {
    const params = parseOr400(reply, MediaParams, (request as { params: unknown }).params);
    if (params === undefined) return reply;
    const row = await records.find(params.id);
    // A file whose message a moderator deleted is gone for everyone.
    const key = row === undefined || row.revoked_at !== null ? null : row[which];
    const bytes = key === null ? undefined : await storage.get(key);
    if (row === undefined || bytes === undefined)
      return sendError(reply, ErrorCode.notFound, 'no such file');
    return reply.headers(headersFor(row, which)).send(bytes);
  };
  app.get(
    '/api/media/:id',
    doc({
      summary: 'A file as uploaded (images: cleaned and re-encoded)',
      tags: ['media'],
      params: MediaParams,
    }),
    serve('blob'),
  );
  app.get(
    '/api/media/:id/thumb',
    doc({
      summary: 'An image’s thumbnail (WebP, at most 320 px)',
      tags: ['media'],
      params: MediaParams,
    }),
    serve('thumb'),
  );
}

function headersFor(row: MediaRow, which: 'blob' | 'thumb'): Record<string, string> {
  const inline = row.kind === 'image';
  const name = which === 'thumb' ? row.name.replace(/\.[^.]*$/, '.webp') : row.name;
  return {
    'content-type': which === 'thumb' ? 'image/webp' : row.mime,
    'x-content-type-options': 'nosniff',
    'content-security-policy': CSP,
    // Non-images are always downloads, never rendered by the browser on our origin.
    'content-disposition': `${inline ? 'inline' : 'attachment'}; filename="${asciiName(name)}"; filename*=UTF-8''${encodeURIComponent(name)}`,
    // The bytes under an id never change, but a moderator may take them down: an hour.
    'cache-control': 'private, max-age=3600',
    'cross-origin-resource-policy': 'same-site',
  };
}

function asciiName(name: string): string {
  return name.replace(/[^\x20-\x7e]|["\\]/g, '_');
}

function refuseUpload(reply: FastifyReply, error: unknown, maxBytes: number): FastifyReply {
  if (error instanceof Refused) {
    reply.log.info({ code: error.code }, error.message);
    return sendError(reply, error.code, error.message);
  }
  const code = (error as { code?: string }).code;
  if (code === 'FST_REQ_FILE_TOO_LARGE')
    return sendError(reply, ErrorCode.tooLarge, `files are at most ${maxBytes} bytes`);
  if (typeof code === 'string' && code.startsWith('FST_'))
    return sendError(reply, ErrorCode.invalidRequest, (error as Error).message);
  throw error;
}

/** Lets at most `size` tasks run at once; the rest wait their turn, in order. */
class Gate {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly size: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.size) await new Promise<void>((go) => this.waiting.push(go));
    this.running += 1;
    try {
      return await task();
    } finally {
      this.running -= 1;
      this.waiting.shift()?.();
    }
  }
}
