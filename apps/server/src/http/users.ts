import { ErrorCode, UserSearchQuery, UserSearchResponse } from '@hubbub/protocol';
import type { FastifyInstance } from 'fastify';
import type { AccountStore } from '../auth/accounts.js';
import type { Authenticator } from '../auth/authenticator.js';
import { authenticateRequest } from './auth.js';
import { parseOr400, sendError } from './errors.js';
import { doc } from './openapi.js';

/**
 * The user directory: find someone by login or display name to open a DM with. Accounts
 * only, like DMs themselves; it lists names and ids, nothing else about a person.
 */
export function userRoutes(
  app: FastifyInstance,
  deps: { authenticator: Authenticator; accounts: AccountStore },
): void {
  app.get(
    '/api/users',
    doc({
      summary: 'Accounts whose login starts with, or display name contains, `q`',
      tags: ['users'],
      auth: true,
      query: UserSearchQuery,
      response: UserSearchResponse,
    }),
    async (request, reply) => {
      const identity = await authenticateRequest(request, reply, deps.authenticator);
      if (identity === undefined) return reply;
      if (identity.kind !== 'user')
        return sendError(reply, ErrorCode.forbidden, 'guests cannot search for people; sign in');
      const query = parseOr400(reply, UserSearchQuery, request.query);
      if (query === undefined) return reply;
      const rows = await deps.accounts.search(query.q, query.limit, identity.user.id);
      return {
        users: rows.map((row) => ({ id: row.id, name: row.display_name, username: row.username })),
      };
    },
  );
}
