import type { Kysely, Migration } from 'kysely';

export const receiptMigrations: Record<string, Migration> = {
  '0004_receipts': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('room_receipts')
        .addColumn('room_id', 'text', (col) => col.notNull())
        .addColumn('user_id', 'text', (col) => col.notNull())
        .addColumn('delivered_seq', 'bigint', (col) => col.notNull().defaultTo(0))
        .addColumn('read_seq', 'bigint', (col) => col.notNull().defaultTo(0))
        .addColumn('updated_at', 'bigint', (col) => col.notNull())
        .addPrimaryKeyConstraint('room_receipts_pkey', ['room_id', 'user_id'])
        .execute();
    },
  },
};
