import { randomUUID } from 'node:crypto';
import { TokenService } from '@hubbub/server';
import { BENCH_SECRET } from './harness.js';

/**
 * Guest tokens for Hubbub's clients, signed with the secret the bench gave the server: the
 * same tokens `POST /api/auth/guest` hands out, minted here so that ten thousand clients
 * need not go through that endpoint's per-address limit.
 */
export async function guestTokens(count: number): Promise<string[]> {
  const tokens = TokenService.fromSecret(BENCH_SECRET, {
    accessTtlSeconds: 3600,
    guestTtlSeconds: 24 * 3600,
  });
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const issued = await tokens.issueGuest({ id: randomUUID(), name: `bench${i}` });
      return issued.token;
    }),
  );
}
