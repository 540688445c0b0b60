import { hash, verify } from '@node-rs/argon2';

/**
 * argon2id at OWASP's minimum (19 MiB, 2 passes, 1 lane). @node-rs/argon2 hashes on a
 * thread pool, so a login does not stall the event loop.
 */
const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`): salt and parameters included. */
export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(phc: string, password: string): Promise<boolean> {
  try {
    return await verify(phc, password);
  } catch {
    return false;
  }
}

/**
 * A hash of nothing in particular, verified when a login names an unknown user, so that
 * "no such user" and "wrong password" take the same time.
 */
let decoy: Promise<string> | undefined;
export async function burnVerification(password: string): Promise<void> {
  decoy ??= hashPassword('decoy password, never valid');
  await verifyPassword(await decoy, password);
}
