import {
  ChangePasswordRequest,
  ErrorCode,
  GuestRequest,
  LoginRequest,
  MeResponse,
  RefreshRequest,
  RegisterRequest,
  SessionResponse,
  TokenResponse,
} from '@hubbub/protocol';
import { nameKeys } from '@hubbub/protocol/skeleton';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { uuidv7 } from 'uuidv7';
import type { AccountStore } from '../auth/accounts.js';
import { NameLooksTaken, UsernameTaken } from '../auth/accounts.js';
import type { Authenticator, Identity } from '../auth/authenticator.js';
import { AuthError, type AuthService } from '../auth/service.js';
import { TokenError, type TokenService } from '../auth/tokens.js';
import { KeyedLimiter } from '../gateway/rate-limit.js';
import { parseOr400, sendError } from './errors.js';
import { doc } from './openapi.js';

export interface AuthRouteOptions {
  tokens: TokenService;
  authenticator: Authenticator;
  auth: AuthService;
  accounts: AccountStore;
  guestAccess: boolean;
  loginAttempts: { perAccount: number; perAccountTotal: number; perAddress: number };
  /** Whether GET /api/analytics answers this identity (see analyticsReaders). */
  canReadAnalytics: (identity: Identity) => boolean;
}

/** Login attempts refill over this window: a burst of N, then N more per 15 minutes. */
const LOGIN_WINDOW_SECONDS = 15 * 60;

const lookAlike = 'that name is taken: it is, or looks like, the name of an account';

/**
 * The caller's identity from `Authorization: Bearer <token>`, or undefined after answering
 * 401. Tokens are accepted only in the header, never in the query string.
 */
export async function authenticateRequest(
  request: FastifyRequest,
  reply: FastifyReply,
  authenticator: Authenticator,
): Promise<Identity | undefined> {
  const header = request.headers.authorization;
  const token = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
  if (token === undefined || token.length === 0) {
    sendError(reply, ErrorCode.notAuthenticated, 'send Authorization: Bearer <token>');
    return undefined;
  }
  try {
    return await authenticator.identify(token);
  } catch (error) {
    if (!(error instanceof TokenError)) throw error;
    sendError(reply, error.code, error.message);
    return undefined;
  }
}

/** Answers 429 with Retry-After (whole seconds) for `key`'s wait in `limiter`. */
function refuse(
  reply: FastifyReply,
  limiter: KeyedLimiter,
  key: string,
  now: number,
): FastifyReply {
  const seconds = Math.max(1, Math.ceil(limiter.msUntilNext(key, now) / 1000));
  reply.header('retry-after', String(seconds));
  return sendError(reply, ErrorCode.rateLimited, `too many attempts; try again in ${seconds} s`);
}

/** Answers 429 with Retry-After when `limiter` refuses `key`; true if the request may go on. */
function withinLimit(reply: FastifyReply, limiter: KeyedLimiter, key: string): boolean {
  const now = Date.now();
  if (limiter.take(key, now)) return true;
  refuse(reply, limiter, key, now);
  return false;
}

/**
 * Takes one attempt from each `[limiter, key]` in turn; where one refuses, gives back what
 * the others took and answers 429 with its wait. Returns a refund for all of them (for an
 * attempt that turned out not to count), or undefined after answering 429.
 */
function takeAttempts(
  reply: FastifyReply,
  buckets: ReadonlyArray<readonly [KeyedLimiter, string]>,
): (() => void) | undefined {
  const now = Date.now();
  const taken: Array<readonly [KeyedLimiter, string]> = [];
  const refund = () => {
    const at = Date.now();
    for (const [limiter, key] of taken) limiter.refund(key, at);
  };
  for (const [limiter, key] of buckets) {
    if (!limiter.take(key, now)) {
      refund();
      refuse(reply, limiter, key, now);
      return undefined;
    }
    taken.push([limiter, key]);
  }
  return refund;
}

export function authRoutes(app: FastifyInstance, options: AuthRouteOptions): void {
  const { auth, authenticator } = options;
  const limiter = (attempts: number) => new KeyedLimiter(attempts / LOGIN_WINDOW_SECONDS, attempts);
  /**
   * Failed logins only (a success gives its attempt back). The strict limit is per account
   * *and* address, so a stranger's guesses from elsewhere never lock the owner out; the
   * looser one per account across addresses bounds guessing spread over many addresses;
   * the one per address bounds one client trying many accounts (registrations and refreshes
   * count there too). Each node counts on its own (docs/auth.md).
   */
  const perAccountAddress = limiter(options.loginAttempts.perAccount);
  const perAccount = limiter(options.loginAttempts.perAccountTotal);
  const perAddress = limiter(options.loginAttempts.perAddress);

  /** Maps the auth service's refusals to REST answers; anything else is a 500. */
  const refusing = async <T>(
    reply: FastifyReply,
    work: () => Promise<T>,
  ): Promise<T | FastifyReply> => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof AuthError) return sendError(reply, error.code, error.message);
      if (error instanceof UsernameTaken)
        return sendError(reply, ErrorCode.usernameTaken, 'that username is taken');
      if (error instanceof NameLooksTaken)
        return sendError(reply, ErrorCode.usernameTaken, lookAlike);
      throw error;
    }
  };

  app.post(
    '/api/auth/guest',
    doc({
      summary: 'A token for a guest (display name only)',
      tags: ['auth'],
      body: GuestRequest,
      response: TokenResponse,
    }),
    async (request, reply) => {
      if (!options.guestAccess)
        return sendError(reply, ErrorCode.forbidden, 'guest access is disabled here');
      const body = parseOr400(reply, GuestRequest, request.body);
      if (body === undefined) return reply;
      // A guest may not pass for an account: no name that looks like one an account holds.
      if (await options.accounts.nameHeld(nameKeys(body.username)))
        return sendError(reply, ErrorCode.usernameTaken, lookAlike);
      const user = { id: uuidv7(), name: body.username };
      const issued = await options.tokens.issueGuest(user);
      return { ...issued, user } satisfies TokenResponse;
    },
  );

  app.post(
    '/api/auth/register',
    doc({
      summary: 'Create an account and log in',
      tags: ['auth'],
      body: RegisterRequest,
      response: SessionResponse,
      status: 201,
    }),
    async (request, reply) => {
      if (!withinLimit(reply, perAddress, request.ip)) return reply;
      const body = parseOr400(reply, RegisterRequest, request.body);
      if (body === undefined) return reply;
      const session = await refusing(reply, () => auth.register(body));
      return reply.sent ? reply : reply.code(201).send(session);
    },
  );

  app.post(
    '/api/auth/login',
    doc({
      summary: 'Log in (limited per account and per address: 429 with Retry-After)',
      tags: ['auth'],
      body: LoginRequest,
      response: SessionResponse,
    }),
    async (request, reply) => {
      const body = parseOr400(reply, LoginRequest, request.body);
      if (body === undefined) return reply;
      const refund = takeAttempts(reply, [
        [perAddress, request.ip],
        [perAccountAddress, `${body.username}\n${request.ip}`],
        [perAccount, body.username],
      ]);
      if (refund === undefined) {
        request.log.warn({ username: body.username, address: request.ip }, 'login rate limit hit');
        return reply;
      }
      // Only a wrong password counts against the limits: anything else gives its attempt back.
      let session: SessionResponse;
      try {
        session = await auth.login(body.username, body.password);
      } catch (error) {
        if (error instanceof AuthError) return sendError(reply, error.code, error.message);
        refund();
        throw error;
      }
      refund();
      return session;
    },
  );

  app.post(
    '/api/auth/refresh',
    doc({
      summary: 'Swap a refresh token for a new pair; a reused token revokes the session',
      tags: ['auth'],
      body: RefreshRequest,
      response: SessionResponse,
    }),
    async (request, reply) => {
      if (!withinLimit(reply, perAddress, request.ip)) return reply;
      const body = parseOr400(reply, RefreshRequest, request.body);
      if (body === undefined) return reply;
      return refusing(reply, () => auth.renew(body.refreshToken));
    },
  );

  app.post(
    '/api/auth/logout',
    doc({
      summary: 'End this login session and close its sockets',
      tags: ['auth'],
      auth: true,
      response: null,
    }),
    async (request, reply) => {
      const identity = await authenticateRequest(request, reply, authenticator);
      if (identity === undefined) return reply;
      await auth.logout(identity.user.id, identity.sessionId);
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/auth/password',
    doc({
      summary: 'Change the password; ends every session and closes every socket',
      tags: ['auth'],
      auth: true,
      body: ChangePasswordRequest,
      response: SessionResponse,
    }),
    async (request, reply) => {
      const identity = await authenticateRequest(request, reply, authenticator);
      if (identity === undefined) return reply;
      const body = parseOr400(reply, ChangePasswordRequest, request.body);
      if (body === undefined) return reply;
      // Only a wrong current password counts.
      const refund = takeAttempts(reply, [[perAccountAddress, `id:${identity.user.id}`]]);
      if (refund === undefined) return reply;
      return refusing(reply, async () => {
        try {
          const session = await auth.changePassword(
            identity.user.id,
            body.currentPassword,
            body.newPassword,
          );
          refund();
          return session;
        } catch (error) {
          if (!(error instanceof AuthError && error.code === 'auth_failed')) refund();
          throw error;
        }
      });
    },
  );

  app.get(
    '/api/me',
    doc({ summary: 'Who the token belongs to', tags: ['auth'], auth: true, response: MeResponse }),
    async (request, reply) => {
      const identity = await authenticateRequest(request, reply, authenticator);
      if (identity === undefined) return reply;
      const account =
        identity.kind === 'user' ? await options.accounts.findById(identity.user.id) : undefined;
      return {
        user: identity.user,
        kind: identity.kind,
        username: account?.username ?? null,
        canReadAnalytics: options.canReadAnalytics(identity),
      } satisfies MeResponse;
    },
  );
}
