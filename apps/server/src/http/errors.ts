import { ErrorCode, httpStatusOf, type RestError } from '@hubbub/protocol';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { z } from 'zod';
import { isDatabaseUnreachable } from '../store/unreachable.js';

/** Every REST refusal goes through here: one body shape, one code per cause. */
export function sendError(
  reply: FastifyReply,
  code: ErrorCode,
  message: string,
  status = httpStatusOf[code],
): FastifyReply {
  return reply.code(status).send({ error: { code, message } } satisfies RestError);
}

/** Parses `value` with `schema`, or answers 400 `invalid_request` and returns undefined. */
export function parseOr400<T extends z.ZodType>(
  reply: FastifyReply,
  schema: T,
  value: unknown,
): z.output<T> | undefined {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const message = parsed.error.issues
    .map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`)
    .join('; ');
  sendError(reply, ErrorCode.invalidRequest, message);
  return undefined;
}

/** Maps Fastify's own errors (bad JSON, oversized body, …) and stray exceptions to our shape. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    sendError(
      reply,
      ErrorCode.notFound,
      `no route for ${request.method} ${request.url.split('?')[0]}`,
    );
  });
  app.setErrorHandler(
    (error: { statusCode?: number; code?: string; message: string }, request, reply) => {
      if (isDatabaseUnreachable(error)) {
        request.log.warn({ err: error }, 'database unreachable');
        return sendError(reply, ErrorCode.unavailable, 'the database is unreachable; try again');
      }
      const status = error.statusCode ?? 500;
      if (status >= 500) {
        request.log.error({ err: error }, 'request failed');
        return sendError(reply, ErrorCode.internal, 'internal error', status);
      }
      request.log.info({ code: error.code, status }, error.message);
      const code =
        error.code === 'FST_ERR_CTP_INVALID_JSON_BODY'
          ? ErrorCode.invalidJson
          : ErrorCode.invalidRequest;
      return sendError(reply, code, error.message, status);
    },
  );
}
