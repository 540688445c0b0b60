import { type Kysely, type Selectable, sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { Database } from '../store/schema.js';
import { accountKeys } from './migrations.js';
import type { RefreshTokensTable, UsersTable } from './schema.js';

export type UserRow = Selectable<UsersTable>;
export type RefreshRow = Selectable<RefreshTokensTable>;

export class UsernameTaken extends Error {
  override name = 'UsernameTaken';
}

/** A new account's login or display name looks like a name another account holds. */
export class NameLooksTaken extends Error {
  override name = 'NameLooksTaken';
}

/**
 * Accounts, login sessions (refresh-token families) and external identities, in the same
 * database as the messages, through the same Kysely queries on SQLite and PostgreSQL.
 */
export class AccountStore {
  constructor(private readonly db: Kysely<Database>) {}

  async createUser(input: {
    username: string;
    displayName: string;
    passwordHash: string;
  }): Promise<UserRow> {
    const now = Date.now();
    const row: UserRow = {
      id: uuidv7(),
      username: input.username,
      display_name: input.displayName,
      password_hash: input.passwordHash,
      created_at: now,
      credentials_changed_at: now,
    };
    // The unique indexes decide races: the login's, and the look-alike keys' (so `bob` and
    // `b0b` registering at once cannot both win). Either loss undoes the whole insert.
    const keys = accountKeys(row.username, row.display_name);
    await this.db.transaction().execute(async (tx) => {
      const inserted = await tx
        .insertInto('users')
        .values(row)
        .onConflict((oc) => oc.column('username').doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0)
        throw new UsernameTaken(input.username);
      const reserved = await tx
        .insertInto('name_skeletons')
        .values(keys.map((skeleton) => ({ skeleton, user_id: row.id })))
        .onConflict((oc) => oc.column('skeleton').doNothing())
        .executeTakeFirst();
      if (Number(reserved.numInsertedOrUpdatedRows ?? 0) < keys.length)
        throw new NameLooksTaken(input.username);
    });
    return row;
  }

  /** Whether an account holds a name that looks like one with these keys (`nameKeys`). */
  async nameHeld(keys: readonly string[]): Promise<boolean> {
    if (keys.length === 0) return false;
    const row = await this.db
      .selectFrom('name_skeletons')
      .select('user_id')
      .where('skeleton', 'in', keys)
      .executeTakeFirst();
    return row !== undefined;
  }

  findByUsername(username: string): Promise<UserRow | undefined> {
    return this.db
      .selectFrom('users')
      .selectAll()
      .where('username', '=', username)
      .executeTakeFirst();
  }

  findById(id: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /**
   * Accounts whose login name starts with, or display name contains, `query` (case-insensitive),
   * best matches first: exact login, then login prefix, then the rest by display name.
   */
  search(query: string, limit: number, excludeId: string): Promise<UserRow[]> {
    const text = query.toLowerCase();
    // LIKE's wildcards in what the person typed are literal; both engines take this ESCAPE.
    const escaped = text.replace(/[\\%_]/g, (c) => `\\${c}`);
    return this.db
      .selectFrom('users')
      .selectAll()
      .where('id', '!=', excludeId)
      .where((eb) =>
        eb.or([
          sql<boolean>`username like ${`${escaped}%`} escape '\\'`,
          sql<boolean>`lower(display_name) like ${`%${escaped}%`} escape '\\'`,
        ]),
      )
      .orderBy(
        sql`case when username = ${text} then 0 when username like ${`${escaped}%`} escape '\\' then 1 else 2 end`,
      )
      .orderBy(sql`lower(display_name)`)
      .limit(limit)
      .execute();
  }

  /** Replaces the password and voids every session issued before now. */
  async setPassword(userId: string, passwordHash: string): Promise<void> {
    await this.db
      .updateTable('users')
      .set({ password_hash: passwordHash, credentials_changed_at: Date.now() })
      .where('id', '=', userId)
      .execute();
  }

  /** The local user behind a provider's subject, created on first sight. */
  async userForExternal(issuer: string, subject: string, name: string): Promise<UserRow> {
    const linked = await this.userForExternalLinked(issuer, subject);
    if (linked !== undefined) return linked;
    const now = Date.now();
    const user: UserRow = {
      id: uuidv7(),
      username: null,
      display_name: name,
      password_hash: null,
      created_at: now,
      credentials_changed_at: now,
    };
    await this.db.transaction().execute(async (tx) => {
      await tx.insertInto('users').values(user).execute();
      // A provider's name is not ours to refuse; it reserves what no account holds yet.
      await tx
        .insertInto('name_skeletons')
        .values(accountKeys(null, name).map((skeleton) => ({ skeleton, user_id: user.id })))
        .onConflict((oc) => oc.column('skeleton').doNothing())
        .execute();
      await tx
        .insertInto('external_identities')
        .values({ issuer, subject, user_id: user.id, created_at: now })
        .onConflict((oc) => oc.columns(['issuer', 'subject']).doNothing())
        .execute();
    });
    // Two first sights at once: both inserted a user, one link won; use the winner's.
    return (await this.userForExternalLinked(issuer, subject)) ?? user;
  }

  private userForExternalLinked(issuer: string, subject: string): Promise<UserRow | undefined> {
    return this.db
      .selectFrom('external_identities')
      .innerJoin('users', 'users.id', 'external_identities.user_id')
      .selectAll('users')
      .where('issuer', '=', issuer)
      .where('subject', '=', subject)
      .executeTakeFirst();
  }

  async insertRefresh(
    row: Omit<RefreshRow, 'used_at' | 'revoked_at' | 'created_at'>,
  ): Promise<void> {
    await this.db
      .insertInto('refresh_tokens')
      .values({ ...row, used_at: null, revoked_at: null, created_at: Date.now() })
      .execute();
  }

  findRefresh(tokenHash: string): Promise<RefreshRow | undefined> {
    return this.db
      .selectFrom('refresh_tokens')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
  }

  /**
   * Marks a refresh token used, atomically: true for the one caller that wins, false if it
   * was already used (a replay, or a race with a stolen copy).
   */
  async claimRefresh(tokenHash: string): Promise<boolean> {
    const result = await this.db
      .updateTable('refresh_tokens')
      .set({ used_at: Date.now() })
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async revokeFamily(familyId: string): Promise<void> {
    await this.db
      .updateTable('refresh_tokens')
      .set({ revoked_at: Date.now() })
      .where('family_id', '=', familyId)
      .where('revoked_at', 'is', null)
      .execute();
  }

  async revokeUser(userId: string): Promise<void> {
    await this.db
      .updateTable('refresh_tokens')
      .set({ revoked_at: Date.now() })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .execute();
  }

  /** Whether a login session can still be used: some token of it is neither revoked nor expired. */
  async isFamilyActive(familyId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('refresh_tokens')
      .select('token_hash')
      .where('family_id', '=', familyId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', Date.now())
      .executeTakeFirst();
    return row !== undefined;
  }
}
