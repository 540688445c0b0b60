import { nameKeys } from '@hubbub/protocol/skeleton';
import type { Kysely, Migration } from 'kysely';

/** The auth feature's migrations; store/migrations.ts runs them in name order with the rest. */
export const authMigrations: Record<string, Migration> = {
  '0002_accounts': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('username', 'text', (col) => col.unique())
        .addColumn('display_name', 'text', (col) => col.notNull())
        .addColumn('password_hash', 'text')
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('credentials_changed_at', 'bigint', (col) => col.notNull())
        .execute();
      await db.schema
        .createTable('refresh_tokens')
        .addColumn('token_hash', 'text', (col) => col.primaryKey())
        .addColumn('family_id', 'text', (col) => col.notNull())
        .addColumn('user_id', 'text', (col) => col.notNull())
        .addColumn('expires_at', 'bigint', (col) => col.notNull())
        .addColumn('used_at', 'bigint')
        .addColumn('revoked_at', 'bigint')
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .execute();
      await db.schema
        .createIndex('refresh_tokens_by_family')
        .on('refresh_tokens')
        .column('family_id')
        .execute();
      await db.schema
        .createIndex('refresh_tokens_by_user')
        .on('refresh_tokens')
        .column('user_id')
        .execute();
      await db.schema
        .createTable('external_identities')
        .addColumn('issuer', 'text', (col) => col.notNull())
        .addColumn('subject', 'text', (col) => col.notNull())
        .addColumn('user_id', 'text', (col) => col.notNull())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addPrimaryKeyConstraint('external_identities_pkey', ['issuer', 'subject'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('external_identities').execute();
      await db.schema.dropTable('refresh_tokens').execute();
      await db.schema.dropTable('users').execute();
    },
  },
  /**
   * Look-alike names reserved by their UTS #39 skeletons (see schema.ts). Accounts made
   * before it get their keys here, oldest first: where two already look alike, the older
   * keeps the key.
   */
  '0014_name_skeletons': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('name_skeletons')
        .addColumn('skeleton', 'text', (col) => col.primaryKey())
        .addColumn('user_id', 'text', (col) => col.notNull())
        .execute();
      await db.schema
        .createIndex('name_skeletons_by_user')
        .on('name_skeletons')
        .column('user_id')
        .execute();
      const typed = db as Kysely<{
        users: { id: string; username: string | null; display_name: string; created_at: number };
        name_skeletons: { skeleton: string; user_id: string };
      }>;
      const users = await typed
        .selectFrom('users')
        .select(['id', 'username', 'display_name'])
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      for (const user of users) {
        const keys = accountKeys(user.username, user.display_name);
        await typed
          .insertInto('name_skeletons')
          .values(keys.map((skeleton) => ({ skeleton, user_id: user.id })))
          .onConflict((oc) => oc.column('skeleton').doNothing())
          .execute();
      }
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('name_skeletons').execute();
    },
  },
};

/** The look-alike keys of an account's names: its login (if any) and its display name. */
export function accountKeys(username: string | null, displayName: string): string[] {
  return [...new Set([...(username === null ? [] : nameKeys(username)), ...nameKeys(displayName)])];
}
