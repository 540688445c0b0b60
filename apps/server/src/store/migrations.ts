import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import { authMigrations } from '../auth/migrations.js';
import { channelMigrations } from '../channels/migrations.js';
import { eventMigrations } from '../events/migrations.js';
import { mediaMigrations } from '../media/migrations.js';
import { mentionMigrations } from '../mentions/migrations.js';
import { receiptMigrations } from '../receipts/migrations.js';
import { searchMigrations } from '../search/migrations.js';

/**
 * Migrations in code, written once with Kysely's schema builder so the same steps run on
 * SQLite and PostgreSQL. Append new ones; never edit one that has shipped.
 */
const migrations: Record<string, Migration> = {
  '0001_rooms_and_messages': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('rooms')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('epoch', 'text', (col) => col.notNull())
        .addColumn('seq', 'bigint', (col) => col.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .execute();
      await db.schema
        .createTable('messages')
        .addColumn('room_id', 'text', (col) => col.notNull())
        .addColumn('seq', 'bigint', (col) => col.notNull())
        .addColumn('id', 'text', (col) => col.notNull().unique())
        .addColumn('user_id', 'text', (col) => col.notNull())
        .addColumn('user_name', 'text', (col) => col.notNull())
        .addColumn('content', 'text', (col) => col.notNull())
        .addColumn('cid', 'text', (col) => col.notNull())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addPrimaryKeyConstraint('messages_pkey', ['room_id', 'seq'])
        .execute();
      await db.schema
        .createIndex('messages_by_user')
        .on('messages')
        .columns(['user_id', 'id'])
        .execute();
      // Not unique: the broker guarantees one message per cid; a unique index would turn a
      // bug into a failed batch of everyone's messages.
      await db.schema
        .createIndex('messages_by_cid')
        .on('messages')
        .columns(['room_id', 'user_id', 'cid'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('messages').execute();
      await db.schema.dropTable('rooms').execute();
    },
  },
  '0005_message_edits': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('messages').addColumn('edited_at', 'bigint').execute();
    },
  },
  '0007_replies': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('messages').addColumn('reply_to', 'bigint').execute();
    },
  },
  '0006_reactions': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('message_reactions')
        .addColumn('room_id', 'text', (col) => col.notNull())
        .addColumn('seq', 'bigint', (col) => col.notNull())
        .addColumn('emoji', 'text', (col) => col.notNull())
        .addColumn('user_id', 'text', (col) => col.notNull())
        .addColumn('user_name', 'text', (col) => col.notNull())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addPrimaryKeyConstraint('message_reactions_pkey', ['room_id', 'seq', 'emoji', 'user_id'])
        .execute();
    },
  },
};

const provider: MigrationProvider = {
  // Features own their tables and migrations; names are globally ordered by their prefix.
  getMigrations: async () => ({
    ...migrations,
    ...authMigrations,
    ...channelMigrations,
    ...receiptMigrations,
    ...mentionMigrations,
    ...searchMigrations,
    ...mediaMigrations,
    ...eventMigrations,
  }),
};

/** Brings the schema to the latest version; throws naming the migration that failed. */
export async function migrateToLatest(db: Kysely<unknown>): Promise<void> {
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  const failed = results?.find((result) => result.status === 'Error');
  if (error !== undefined || failed !== undefined) {
    const name = failed?.migrationName ?? 'unknown';
    throw new Error(
      `migration ${name} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/** A trivial round trip, for readiness checks. */
export async function pingDatabase(db: Kysely<unknown>): Promise<void> {
  await sql`select 1`.execute(db);
}
