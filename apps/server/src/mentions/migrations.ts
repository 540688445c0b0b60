import type { Kysely, Migration } from 'kysely';

export const mentionMigrations: Record<string, Migration> = {
  '0008_mentions': {
    async up(db: Kysely<unknown>) {
      // Keyed by the person first: the one query is "my mentions in each room after my read".
      await db.schema
        .createTable('message_mentions')
        .addColumn('user_id', 'text', (col) => col.notNull())
        .addColumn('room_id', 'text', (col) => col.notNull())
        .addColumn('seq', 'bigint', (col) => col.notNull())
        .addPrimaryKeyConstraint('message_mentions_pkey', ['user_id', 'room_id', 'seq'])
        .execute();
    },
  },
};
