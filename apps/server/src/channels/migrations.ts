import type { Kysely, Migration } from 'kysely';

export const channelMigrations: Record<string, Migration> = {
  '0003_channels': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('channels')
        .addColumn('room_id', 'text', (col) => col.primaryKey())
        .addColumn('kind', 'text', (col) => col.notNull())
        .addColumn('visibility', 'text', (col) => col.notNull())
        .addColumn('topic', 'text', (col) => col.notNull().defaultTo(''))
        .addColumn('created_by', 'text')
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('slow_mode_seconds', 'integer', (col) => col.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createTable('room_members')
        .addColumn('room_id', 'text', (col) => col.notNull())
        .addColumn('user_id', 'text', (col) => col.notNull())
        .addColumn('role', 'text', (col) => col.notNull())
        .addColumn('added_at', 'bigint', (col) => col.notNull())
        .addPrimaryKeyConstraint('room_members_pkey', ['room_id', 'user_id'])
        .execute();
      await db.schema
        .createIndex('room_members_by_user')
        .on('room_members')
        .column('user_id')
        .execute();
      await db.schema
        .createTable('room_sanctions')
        .addColumn('room_id', 'text', (col) => col.notNull())
        .addColumn('user_id', 'text', (col) => col.notNull())
        .addColumn('kind', 'text', (col) => col.notNull())
        .addColumn('until', 'bigint')
        .addColumn('by_user_id', 'text', (col) => col.notNull())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addPrimaryKeyConstraint('room_sanctions_pkey', ['room_id', 'user_id', 'kind'])
        .execute();
      await db.schema
        .createTable('dms')
        .addColumn('user_low', 'text', (col) => col.notNull())
        .addColumn('user_high', 'text', (col) => col.notNull())
        .addColumn('room_id', 'text', (col) => col.notNull().unique())
        .addPrimaryKeyConstraint('dms_pkey', ['user_low', 'user_high'])
        .execute();
      await db.schema
        .createTable('moderation_log')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('room_id', 'text', (col) => col.notNull())
        .addColumn('actor_id', 'text', (col) => col.notNull())
        .addColumn('action', 'text', (col) => col.notNull())
        .addColumn('target_user_id', 'text')
        .addColumn('message_id', 'text')
        .addColumn('details', 'text', (col) => col.notNull())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .execute();
      await db.schema
        .createIndex('moderation_log_by_room')
        .on('moderation_log')
        .columns(['room_id', 'id'])
        .execute();
      // A deleted message keeps its seq (the log stays gapless) but loses its content.
      await db.schema.alterTable('messages').addColumn('deleted_at', 'bigint').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('messages').dropColumn('deleted_at').execute();
      for (const table of ['moderation_log', 'dms', 'room_sanctions', 'room_members', 'channels']) {
        await db.schema.dropTable(table).execute();
      }
    },
  },
};
