import { type Kysely, type Migration, sql } from 'kysely';

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
  '0012_room_modes': {
    // Slow mode moves from channels to every room's crowd modes: one place for all of them.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('room_modes')
        .addColumn('room_id', 'text', (col) => col.primaryKey())
        .addColumn('slow_mode_seconds', 'integer', (col) => col.notNull().defaultTo(0))
        .addColumn('members_only', 'integer', (col) => col.notNull().defaultTo(0))
        .addColumn('emote_only', 'integer', (col) => col.notNull().defaultTo(0))
        .addColumn('unique_chat_seconds', 'integer', (col) => col.notNull().defaultTo(0))
        .addColumn('delay_seconds', 'integer', (col) => col.notNull().defaultTo(0))
        .addColumn('updated_at', 'bigint', (col) => col.notNull())
        .execute();
      await sql`insert into room_modes (room_id, slow_mode_seconds, updated_at)
        select room_id, slow_mode_seconds, created_at from channels where slow_mode_seconds > 0`.execute(
        db,
      );
      await db.schema.alterTable('channels').dropColumn('slow_mode_seconds').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema
        .alterTable('channels')
        .addColumn('slow_mode_seconds', 'integer', (col) => col.notNull().defaultTo(0))
        .execute();
      await sql`update channels set slow_mode_seconds = coalesce((select m.slow_mode_seconds
        from room_modes m where m.room_id = channels.room_id), 0)`.execute(db);
      await db.schema.dropTable('room_modes').execute();
    },
  },
  '0013_room_openers': {
    // Open rooms are opened by accounts, so many an hour: who opened which, and when.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('room_openers')
        .addColumn('room_id', 'text', (col) => col.primaryKey())
        .addColumn('user_id', 'text', (col) => col.notNull())
        .addColumn('opened_at', 'bigint', (col) => col.notNull())
        .execute();
      await db.schema
        .createIndex('room_openers_by_user')
        .on('room_openers')
        .columns(['user_id', 'opened_at'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('room_openers').execute();
    },
  },
};
