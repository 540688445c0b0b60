import { ErrorCode, GuestRequest } from '@hubbub/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type Identity, TokenError, type TokenService } from '../auth/tokens.js';
import { parseOr400, sendError } from './errors.js';

/** `POST /api/auth/guest {"username"}`: a signed token for a new guest identity. */
export function authRoutes(app: FastifyInstance, tokens: TokenService): void {
  app.post('/api/auth/guest', async (request, reply) => {
    const body = parseOr400(reply, GuestRequest, request.body);
    if (body === undefined) return reply;
    return tokens.issueGuest(body.username);
  });
}

/**
 * The caller's identity from `Authorization: Bearer <token>`, or undefined after answering
 * 401. Tokens are accepted only in the header, never in the query string.
 */
export async function authenticateRequest(
  request: FastifyRequest,
  reply: FastifyReply,
  tokens: TokenService,
): Promise<Identity | undefined> {
  const header = request.headers.authorization;
  const token = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
  if (token === undefined || token.length === 0) {
    sendError(reply, ErrorCode.notAuthenticated, 'send Authorization: Bearer <token>');
    return undefined;
  }
  try {
    return await tokens.verify(token);
  } catch (error) {
    sendError(
      reply,
      ErrorCode.authFailed,
      error instanceof TokenError ? error.message : 'token is invalid',
    );
    return undefined;
  }
}
