import { Kysely, sql } from 'kysely'

/**
 * The search outbox triggers of 0004 fired once per row: writing a dataset with 10 resources and
 * 20 tags upserted the same outbox row ~30 times, and bulk loads and harvests spent about a
 * quarter of Postgres' time there. These statement-level triggers read the statement's transition
 * tables and upsert each dataset once per statement, in id order (so concurrent writers lock
 * outbox rows in the same order). Same rows queued as before; only the cost changes.
 * Postgres allows transition tables only on single-event triggers, hence three per table.
 */

const TABLES = [
  // table, the dataset id column, an extra row filter
  { table: 'package', column: 'id', filter: 'true' },
  { table: 'resource', column: 'package_id', filter: 'true' },
  { table: 'package_tag', column: 'package_id', filter: 'true' },
  { table: 'member', column: 'table_id', filter: "table_name = 'package'" },
] as const

export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE FUNCTION abierto_search_enqueue_many(ids text[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO search_outbox (package_id, seq)
    SELECT id, nextval('search_outbox_seq') FROM (SELECT DISTINCT id FROM unnest(ids) AS u(id) WHERE id IS NOT NULL ORDER BY id) s
    ON CONFLICT (package_id) DO UPDATE SET seq = EXCLUDED.seq, attempts = 0, next_attempt_at = now(), last_error = NULL
  $$`.execute(db)

  for (const { table, column, filter } of TABLES) {
    const fn = `abierto_search_${table}_stmt`
    // a dataset is queued when a row of it appears, disappears or changes; an UPDATE that moves a
    // row between datasets queues both
    await sql`CREATE FUNCTION ${sql.raw(fn)}() RETURNS trigger LANGUAGE plpgsql AS ${sql.lit(`
    BEGIN
      IF TG_OP = 'INSERT' THEN
        PERFORM abierto_search_enqueue_many(ARRAY(SELECT ${column} FROM new_rows WHERE ${filter}));
      ELSIF TG_OP = 'DELETE' THEN
        PERFORM abierto_search_enqueue_many(ARRAY(SELECT ${column} FROM old_rows WHERE ${filter}));
      ELSE
        PERFORM abierto_search_enqueue_many(ARRAY(SELECT ${column} FROM old_rows WHERE ${filter} UNION SELECT ${column} FROM new_rows WHERE ${filter}));
      END IF;
      RETURN NULL;
    END`)}`.execute(db)
    const rowTrigger = table === 'package_tag' ? 'search_package_tag_changed' : `search_${table}_changed`
    await sql`DROP TRIGGER IF EXISTS ${sql.id(rowTrigger)} ON ${sql.id(table)}`.execute(db)
    await sql`CREATE TRIGGER ${sql.id(`search_${table}_inserted`)} AFTER INSERT ON ${sql.id(table)}
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${sql.raw(fn)}()`.execute(db)
    await sql`CREATE TRIGGER ${sql.id(`search_${table}_updated`)} AFTER UPDATE ON ${sql.id(table)}
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${sql.raw(fn)}()`.execute(db)
    await sql`CREATE TRIGGER ${sql.id(`search_${table}_deleted`)} AFTER DELETE ON ${sql.id(table)}
      REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ${sql.raw(fn)}()`.execute(db)
  }
  await sql`DROP FUNCTION IF EXISTS abierto_search_package_changed(), abierto_search_child_changed(), abierto_search_member_changed()`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const { table } of TABLES) {
    for (const op of ['inserted', 'updated', 'deleted']) await sql`DROP TRIGGER IF EXISTS ${sql.id(`search_${table}_${op}`)} ON ${sql.id(table)}`.execute(db)
    await sql`DROP FUNCTION IF EXISTS ${sql.raw(`abierto_search_${table}_stmt`)}()`.execute(db)
  }
  await sql`DROP FUNCTION IF EXISTS abierto_search_enqueue_many(text[])`.execute(db)
  // the row-level triggers of 0004 are not restored: roll 0004 back too, or re-run it
}
