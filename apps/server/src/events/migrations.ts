import { type Kysely, type Migration, SqliteAdapter, sql } from 'kysely';

export const eventMigrations: Record<string, Migration> = {
  '0011_events': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('events')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('source', 'text', (col) => col.notNull())
        .addColumn('source_id', 'text', (col) => col.notNull())
        .addColumn('name', 'text', (col) => col.notNull())
        .addColumn('classification', 'text', (col) => col.notNull())
        .addColumn('venue', 'text')
        .addColumn('city', 'text')
        .addColumn('country', 'text')
        .addColumn('latitude', 'double precision')
        .addColumn('longitude', 'double precision')
        .addColumn('starts_at', 'bigint', (col) => col.notNull())
        .addColumn('ends_at', 'bigint', (col) => col.notNull())
        .addColumn('end_estimated', 'integer', (col) => col.notNull().defaultTo(0))
        .addColumn('image_url', 'text')
        .addColumn('ticket_url', 'text')
        .addColumn('rank', 'integer', (col) => col.notNull())
        .addColumn('status', 'text', (col) => col.notNull())
        .addColumn('search_text', 'text', (col) => col.notNull())
        .addColumn('announced_start_at', 'bigint')
        .addColumn('announced_end_at', 'bigint')
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('updated_at', 'bigint', (col) => col.notNull())
        .addUniqueConstraint('events_source_key', ['source', 'source_id'])
        .execute();
      // The listing's order, and the collector's and the room's lookups by time.
      await db.schema
        .createIndex('events_by_start')
        .on('events')
        .columns(['starts_at', 'id'])
        .execute();
      await db.schema.createIndex('events_by_end').on('events').column('ends_at').execute();
      // Deleting an event room's history deletes its mentions by room: the table's key
      // leads with the user.
      await db.schema
        .createIndex('message_mentions_by_room')
        .on('message_mentions')
        .columns(['room_id', 'seq'])
        .execute();
      if (db.getExecutor().adapter instanceof SqliteAdapter) {
        // As for messages (search/migrations.ts): an external-content FTS5 table kept by
        // triggers. The text is folded in JS already, so the tokenizer folds nothing more.
        await sql`create virtual table events_fts using fts5(
          search_text, content='events', content_rowid='rowid',
          tokenize='unicode61 remove_diacritics 0')`.execute(db);
        await sql`create trigger events_fts_insert after insert on events begin
          insert into events_fts(rowid, search_text) values (new.rowid, new.search_text);
        end`.execute(db);
        await sql`create trigger events_fts_delete after delete on events begin
          insert into events_fts(events_fts, rowid, search_text)
            values ('delete', old.rowid, old.search_text);
        end`.execute(db);
        await sql`create trigger events_fts_update after update of search_text on events begin
          insert into events_fts(events_fts, rowid, search_text)
            values ('delete', old.rowid, old.search_text);
          insert into events_fts(rowid, search_text) values (new.rowid, new.search_text);
        end`.execute(db);
        return;
      }
      await sql`create index events_search on events
        using gin (to_tsvector('simple', search_text))`.execute(db);
    },
  },
};
