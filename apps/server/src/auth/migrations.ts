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
};
