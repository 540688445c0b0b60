import { type Kysely, type Migration, SqliteAdapter, sql } from 'kysely';

/**
 * Each engine's own full-text index over `messages.content`. The only engine-specific
 * migration: the index is what each engine does differently.
 */
export const searchMigrations: Record<string, Migration> = {
  '0009_search': {
    async up(db: Kysely<unknown>) {
      if (db.getExecutor().adapter instanceof SqliteAdapter) {
        // Accents are significant, as in PostgreSQL's 'simple' configuration: both engines
        // find the same words. External content: the text lives once, in messages; triggers keep the index
        // current on insert, edit and delete (a delete blanks the content). The rowid
        // links them: Hubbub never VACUUMs, which could renumber it (see docs).
        await sql`create virtual table messages_fts using fts5(
          content, content='messages', content_rowid='rowid',
          tokenize='unicode61 remove_diacritics 0')`.execute(db);
        await sql`create trigger messages_fts_insert after insert on messages begin
          insert into messages_fts(rowid, content) values (new.rowid, new.content);
        end`.execute(db);
        await sql`create trigger messages_fts_delete after delete on messages begin
          insert into messages_fts(messages_fts, rowid, content) values ('delete', old.rowid, old.content);
        end`.execute(db);
        await sql`create trigger messages_fts_update after update of content on messages begin
          insert into messages_fts(messages_fts, rowid, content) values ('delete', old.rowid, old.content);
          insert into messages_fts(rowid, content) values (new.rowid, new.content);
        end`.execute(db);
        await sql`insert into messages_fts(messages_fts) values ('rebuild')`.execute(db);
        return;
      }
      await sql`create index messages_search on messages
        using gin (to_tsvector('simple', content))`.execute(db);
    },
  },
};
