import type { Kysely, Migration } from 'kysely';

export const mediaMigrations: Record<string, Migration> = {
  '0010_media': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('media')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('owner_id', 'text', (col) => col.notNull())
        .addColumn('kind', 'text', (col) => col.notNull())
        .addColumn('mime', 'text', (col) => col.notNull())
        .addColumn('name', 'text', (col) => col.notNull())
        .addColumn('size', 'bigint', (col) => col.notNull())
        .addColumn('width', 'integer')
        .addColumn('height', 'integer')
        .addColumn('blob', 'text', (col) => col.notNull())
        .addColumn('thumb', 'text')
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('revoked_at', 'bigint')
        .execute();
      // Messages carry their attachments as JSON text, read back with the message.
      await db.schema.alterTable('messages').addColumn('attachments', 'text').execute();
    },
  },
};
