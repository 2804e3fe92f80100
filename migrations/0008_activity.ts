import { Kysely, sql } from 'kysely'

/**
 * Activity streams and following (CKAN 2.11's activity plugin and core follower tables), and the
 * change feed harvesters page through (`changes_since`).
 *
 * Activities are CKAN's rows: `data` is the object's dict after the write, as JSON text, and
 * `permission_labels` freeze who may read a dataset's history at write time. `seq` only breaks
 * ties between equal timestamps (one transaction writes many); it is never returned.
 *
 * The change feed is one row per dataset per transaction that changed what the public sees
 * (`created` / `updated` / `deleted` / `hidden`), written by triggers so no write path can forget
 * it. Its order cannot come from a sequence taken at write time: a transaction that took number 5
 * can commit after the one that took 6, and a reader that had passed 6 would skip 5. So rows are
 * numbered by their readers: `abierto_stamp_changes()` (one caller at a time) numbers every
 * committed row not numbered yet, above every number given before. A number, once visible, never
 * has a smaller one appear after it, and a transaction still open holds back nothing but itself.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('activity')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('timestamp', sql`timestamp(6)`, (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('object_id', 'text', (c) => c.notNull())
    .addColumn('activity_type', 'text', (c) => c.notNull())
    .addColumn('data', 'json', (c) => c.notNull().defaultTo(sql`'{}'::json`))
    .addColumn('permission_labels', sql`text[]`)
    .addColumn('seq', 'bigserial', (c) => c.notNull())
    .execute()
  // stored uncompressed: a dataset dict is ~20 KB and pglz cost a third of recording it (no lz4 in the embedded build)
  await sql`ALTER TABLE activity ALTER COLUMN data SET STORAGE EXTERNAL`.execute(db)
  await sql`CREATE INDEX activity_object_time ON activity (object_id, timestamp DESC, seq DESC)`.execute(db)
  await sql`CREATE INDEX activity_user_time ON activity (user_id, timestamp DESC, seq DESC)`.execute(db)
  await sql`CREATE INDEX activity_time ON activity (timestamp DESC, seq DESC)`.execute(db)

  for (const [table, target] of [
    ['user_following_user', 'user'],
    ['user_following_dataset', 'package'],
    ['user_following_group', 'group'],
  ] as const) {
    await db.schema
      .createTable(table)
      .addColumn('follower_id', 'text', (c) => c.notNull().references('user.id').onDelete('cascade'))
      .addColumn('object_id', 'text', (c) => c.notNull().references(`${target}.id`).onDelete('cascade'))
      .addColumn('datetime', sql`timestamp(6)`, (c) => c.notNull())
      .addPrimaryKeyConstraint(`${table}_pkey`, ['follower_id', 'object_id'])
      .execute()
    await sql`CREATE INDEX ${sql.id(`${table}_object`)} ON ${sql.id(table)} (object_id)`.execute(db)
  }

  await db.schema
    .createTable('dashboard')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('user.id').onDelete('cascade'))
    .addColumn('activity_stream_last_viewed', sql`timestamp(6)`, (c) => c.notNull())
    .addColumn('email_last_sent', sql`timestamp(6)`, (c) => c.notNull())
    .execute()

  await sql`CREATE TABLE package_change (
    xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
    package_id text NOT NULL,
    name text NOT NULL,
    change text NOT NULL CHECK (change IN ('created', 'updated', 'deleted', 'hidden')),
    metadata_modified timestamp(6),
    -- what the public saw before this transaction: decides the change when one transaction writes a dataset several times
    was_visible boolean NOT NULL,
    seq bigint,
    PRIMARY KEY (xid, package_id)
  )`.execute(db)
  await sql`CREATE UNIQUE INDEX package_change_seq ON package_change (seq) WHERE seq IS NOT NULL`.execute(db)
  await sql`CREATE INDEX package_change_unstamped ON package_change (xid) WHERE seq IS NULL`.execute(db)

  // what the public sees: active, public, and a dataset (harvest sources are packages too)
  await sql`CREATE FUNCTION abierto_publicly_visible(state text, private boolean, type text) RETURNS boolean
    LANGUAGE sql IMMUTABLE AS $$ SELECT state = 'active' AND NOT private AND type <> 'harvest' $$`.execute(db)

  // one row per dataset and transaction: a later statement keeps the first was_visible and
  // re-derives the change from it and the dataset's latest state
  await sql`CREATE FUNCTION abierto_change_upsert(rows_ jsonb) RETURNS void LANGUAGE sql AS $$
    INSERT INTO package_change AS c (package_id, name, change, metadata_modified, was_visible)
    SELECT r.package_id, r.name, r.change, r.metadata_modified, r.was_visible
      FROM jsonb_to_recordset(rows_) AS r(package_id text, name text, change text, metadata_modified timestamp, was_visible boolean)
     ORDER BY r.package_id
    ON CONFLICT (xid, package_id) DO UPDATE SET
      name = EXCLUDED.name,
      metadata_modified = EXCLUDED.metadata_modified,
      change = CASE WHEN EXCLUDED.change IN ('created', 'updated') THEN CASE WHEN c.was_visible THEN 'updated' ELSE 'created' END
                    ELSE EXCLUDED.change END
  $$`.execute(db)

  await sql`CREATE FUNCTION abierto_change_package_stmt() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        PERFORM abierto_change_upsert((SELECT jsonb_agg(jsonb_build_object('package_id', n.id, 'name', n.name, 'change', 'created',
                 'metadata_modified', n.metadata_modified, 'was_visible', false))
            FROM new_rows n WHERE abierto_publicly_visible(n.state, n.private, n.type)));
      ELSIF TG_OP = 'DELETE' THEN
        PERFORM abierto_change_upsert((SELECT jsonb_agg(jsonb_build_object('package_id', o.id, 'name', o.name, 'change', 'deleted',
                 'metadata_modified', o.metadata_modified, 'was_visible', true))
            FROM old_rows o WHERE abierto_publicly_visible(o.state, o.private, o.type)));
      ELSE
        PERFORM abierto_change_upsert((SELECT jsonb_agg(jsonb_build_object('package_id', n.id, 'name', n.name,
                 'change', CASE WHEN abierto_publicly_visible(n.state, n.private, n.type)
                                THEN CASE WHEN abierto_publicly_visible(o.state, o.private, o.type) THEN 'updated' ELSE 'created' END
                                WHEN n.state = 'deleted' THEN 'deleted' ELSE 'hidden' END,
                 'metadata_modified', n.metadata_modified, 'was_visible', abierto_publicly_visible(o.state, o.private, o.type)))
            FROM new_rows n JOIN old_rows o ON o.id = n.id
           WHERE (abierto_publicly_visible(o.state, o.private, o.type) OR abierto_publicly_visible(n.state, n.private, n.type))
             AND (o.*) IS DISTINCT FROM (n.*)));
      END IF;
      RETURN NULL;
    END $$`.execute(db)
  await sql`CREATE TRIGGER package_change_inserted AFTER INSERT ON package REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION abierto_change_package_stmt()`.execute(db)
  await sql`CREATE TRIGGER package_change_updated AFTER UPDATE ON package REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION abierto_change_package_stmt()`.execute(db)
  await sql`CREATE TRIGGER package_change_deleted AFTER DELETE ON package REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION abierto_change_package_stmt()`.execute(db)

  // resources, tags and group memberships change a visible dataset without touching its row
  await sql`CREATE FUNCTION abierto_change_children(ids text[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO package_change (package_id, name, change, metadata_modified, was_visible)
    SELECT p.id, p.name, 'updated', p.metadata_modified, true
      FROM package p WHERE p.id = ANY(ids) AND abierto_publicly_visible(p.state, p.private, p.type)
     ORDER BY p.id
    ON CONFLICT (xid, package_id) DO NOTHING
  $$`.execute(db)
  for (const { table, column, filter, key, pair } of [
    { table: 'resource', column: 'package_id', filter: 'true', key: 'o.id = n.id', pair: 'true' },
    { table: 'package_tag', column: 'package_id', filter: 'true', key: 'o.package_id = n.package_id AND o.tag_id = n.tag_id', pair: 'true' },
    { table: 'member', column: 'table_id', filter: "table_name = 'package'", key: 'o.id = n.id', pair: "(o.table_name = 'package' OR n.table_name = 'package')" },
  ]) {
    const fn = `abierto_change_${table}_stmt`
    await sql`CREATE FUNCTION ${sql.raw(fn)}() RETURNS trigger LANGUAGE plpgsql AS ${sql.lit(`
    BEGIN
      IF TG_OP = 'INSERT' THEN
        PERFORM abierto_change_children(ARRAY(SELECT DISTINCT ${column} FROM new_rows WHERE ${filter}));
      ELSIF TG_OP = 'DELETE' THEN
        PERFORM abierto_change_children(ARRAY(SELECT DISTINCT ${column} FROM old_rows WHERE ${filter}));
      ELSE
        -- a rewrite with the same values is no change
        PERFORM abierto_change_children(ARRAY(SELECT DISTINCT x FROM old_rows o JOIN new_rows n ON ${key}
          CROSS JOIN LATERAL (VALUES (o.${column}), (n.${column})) v(x)
          WHERE ${pair} AND (o.*) IS DISTINCT FROM (n.*)));
      END IF;
      RETURN NULL;
    END`)}`.execute(db)
    for (const [op, refs] of [
      ['inserted', 'AFTER INSERT', 'REFERENCING NEW TABLE AS new_rows'],
      ['updated', 'AFTER UPDATE', 'REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows'],
      ['deleted', 'AFTER DELETE', 'REFERENCING OLD TABLE AS old_rows'],
    ].map(([op, when, ref]) => [op, `${when} ON ${table} ${ref}`] as const)) {
      await sql`CREATE TRIGGER ${sql.id(`change_${table}_${op}`)} ${sql.raw(refs)} FOR EACH STATEMENT EXECUTE FUNCTION ${sql.raw(fn)}()`.execute(db)
    }
  }

  // Numbers the committed rows not numbered yet, in (transaction, dataset) order, above every
  // number already given. The advisory lock makes stampers take turns, and each statement of a
  // volatile function sees what the previous holder committed. min() reads the partial index's
  // first entry whatever the statistics say (EXISTS chose a table scan after a bulk load).
  await sql`CREATE FUNCTION abierto_stamp_changes() RETURNS void LANGUAGE plpgsql AS $$
    DECLARE
      base bigint;
    BEGIN
      IF (SELECT min(xid) FROM package_change WHERE seq IS NULL) IS NULL THEN
        RETURN;
      END IF;
      PERFORM pg_advisory_xact_lock(hashtext('abierto_stamp_changes'));
      SELECT coalesce(max(seq), 0) INTO base FROM package_change WHERE seq IS NOT NULL;
      UPDATE package_change c SET seq = base + s.rn
        FROM (SELECT xid, package_id, row_number() OVER (ORDER BY xid, package_id) AS rn
                FROM package_change WHERE seq IS NULL) s
       WHERE c.xid = s.xid AND c.package_id = s.package_id;
    END $$`.execute(db)

  // the feed starts with every dataset the public sees today, oldest change first
  await sql`INSERT INTO package_change (package_id, name, change, metadata_modified, was_visible, seq)
    SELECT id, name, 'created', metadata_modified, false, row_number() OVER (ORDER BY metadata_modified, id)
      FROM package WHERE abierto_publicly_visible(state, private, type)`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['package', 'resource', 'package_tag', 'member']) {
    for (const op of ['inserted', 'updated', 'deleted']) {
      await sql`DROP TRIGGER IF EXISTS ${sql.id(table === 'package' ? `package_change_${op}` : `change_${table}_${op}`)} ON ${sql.id(table)}`.execute(db)
    }
    if (table !== 'package') await sql`DROP FUNCTION IF EXISTS ${sql.raw(`abierto_change_${table}_stmt`)}()`.execute(db)
  }
  await sql`DROP FUNCTION IF EXISTS abierto_change_package_stmt(), abierto_change_children(text[]), abierto_change_upsert(jsonb), abierto_stamp_changes(), abierto_publicly_visible(text, boolean, text)`.execute(db)
  for (const table of ['package_change', 'dashboard', 'user_following_user', 'user_following_dataset', 'user_following_group', 'activity']) {
    await db.schema.dropTable(table).ifExists().execute()
  }
}
