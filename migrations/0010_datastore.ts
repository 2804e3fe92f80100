import { Kysely, sql } from 'kysely'

/**
 * The DataStore: one table per resource in schema `datastore`, named by the resource id, with
 * CKAN's two system columns (`_id`, `_full_text`), plus the loader's status and resource views.
 *
 * `datastore_search_sql` runs as `abierto_datastore_reader`, a role that may read only the tables
 * of public, active resources of public, active datasets. Who may read is kept by triggers on
 * `package` and `resource` rather than by each write path, so a dataset made private by any path
 * (package_update, bulk_update_private, a harvest, `abierto load`) is unreadable to that role in
 * the same transaction. Roles are cluster-wide: the role is created once and shared by every
 * database of the cluster, its grants are per table. Where the connecting user may not create
 * roles (a managed Postgres), the migration goes on without it and the SQL endpoint says so.
 *
 * A resource's table goes with it: resource_delete and purges drop it (triggers again, so no
 * path leaves an orphan table behind).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE SCHEMA IF NOT EXISTS datastore`.execute(db)
  await sql`
    DO $$
    BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'abierto_datastore_reader') THEN
        CREATE ROLE abierto_datastore_reader NOLOGIN NOINHERIT;
      END IF;
    EXCEPTION
      -- another database of the cluster created it at the same moment
      WHEN duplicate_object OR unique_violation THEN NULL;
      WHEN insufficient_privilege THEN RAISE NOTICE 'abierto: cannot create role abierto_datastore_reader; datastore_search_sql stays unavailable';
    END $$`.execute(db)
  await sql`
    DO $$
    BEGIN
      IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'abierto_datastore_reader') THEN
        EXECUTE 'GRANT USAGE ON SCHEMA datastore TO abierto_datastore_reader';
        IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
          EXECUTE format('GRANT abierto_datastore_reader TO %I', current_user);
        END IF;
      END IF;
    EXCEPTION WHEN insufficient_privilege OR invalid_grant_operation THEN
      RAISE NOTICE 'abierto: cannot grant abierto_datastore_reader to %; datastore_search_sql stays unavailable', current_user;
    END $$`.execute(db)

  // the text every row is searched by (q): its values, not its column names, in the dataset search's configuration
  // one definition for the trigger and for filling a loaded table afterwards (src/datastore/full-text.ts)
  await sql`
    CREATE FUNCTION abierto_datastore_tsvector(row_values jsonb) RETURNS tsvector IMMUTABLE PARALLEL SAFE LANGUAGE sql AS $$
      SELECT jsonb_to_tsvector('abierto_es', row_values - '_id' - '_full_text', '["string", "numeric", "boolean"]')
    $$`.execute(db)
  await sql`
    CREATE FUNCTION abierto_datastore_full_text() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      -- a value written explicitly is kept (CKAN's rule; filling a loaded table writes it so)
      IF NEW._full_text IS NOT NULL AND (TG_OP = 'INSERT' OR NEW._full_text IS DISTINCT FROM OLD._full_text) THEN RETURN NEW; END IF;
      NEW._full_text := abierto_datastore_tsvector(to_jsonb(NEW));
      RETURN NEW;
    END $$`.execute(db)

  // GRANT or REVOKE the reader's SELECT on a resource's table and on the aliases (views) reading it
  await sql`
    CREATE FUNCTION abierto_datastore_sync_access(res_id text) RETURNS void LANGUAGE plpgsql AS $$
    DECLARE
      tbl regclass := to_regclass(format('datastore.%I', res_id));
      readable boolean;
      rel regclass;
    BEGIN
      IF tbl IS NULL OR NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'abierto_datastore_reader') THEN RETURN; END IF;
      SELECT coalesce(bool_and(r.state = 'active' AND p.state = 'active' AND NOT p.private), false) INTO readable
        FROM resource r JOIN package p ON p.id = r.package_id WHERE r.id = res_id;
      FOR rel IN
        SELECT tbl UNION
        SELECT DISTINCT v.oid::regclass FROM pg_depend d JOIN pg_rewrite w ON w.oid = d.objid JOIN pg_class v ON v.oid = w.ev_class
         WHERE d.classid = 'pg_rewrite'::regclass AND d.refobjid = tbl AND v.oid <> tbl
      LOOP
        IF readable THEN
          EXECUTE format('GRANT SELECT ON %s TO abierto_datastore_reader', rel);
        ELSE
          EXECUTE format('REVOKE ALL ON %s FROM abierto_datastore_reader', rel);
        END IF;
      END LOOP;
    END $$`.execute(db)

  await sql`
    CREATE FUNCTION abierto_datastore_package_visibility() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE res_id text;
    BEGIN
      FOR res_id IN SELECT id FROM resource WHERE package_id = NEW.id LOOP
        PERFORM abierto_datastore_sync_access(res_id);
      END LOOP;
      RETURN NULL;
    END $$`.execute(db)
  await sql`
    CREATE TRIGGER datastore_package_visibility AFTER UPDATE OF private, state ON package FOR EACH ROW
    WHEN (OLD.private IS DISTINCT FROM NEW.private OR OLD.state IS DISTINCT FROM NEW.state)
    EXECUTE FUNCTION abierto_datastore_package_visibility()`.execute(db)

  await sql`
    CREATE FUNCTION abierto_datastore_resource_gone() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF to_regclass(format('datastore.%I', OLD.id)) IS NOT NULL THEN
        EXECUTE format('DROP TABLE datastore.%I CASCADE', OLD.id);
      END IF;
      RETURN NULL;
    END $$`.execute(db)
  await sql`
    CREATE TRIGGER datastore_resource_deleted AFTER UPDATE OF state ON resource FOR EACH ROW
    WHEN (NEW.state = 'deleted' AND OLD.state IS DISTINCT FROM 'deleted')
    EXECUTE FUNCTION abierto_datastore_resource_gone()`.execute(db)
  await sql`CREATE TRIGGER datastore_resource_purged AFTER DELETE ON resource FOR EACH ROW EXECUTE FUNCTION abierto_datastore_resource_gone()`.execute(db)

  // the automatic loader's state per resource (xloader_status): one row, replaced by each submit
  await sql`
    CREATE TABLE datastore_load (
      resource_id text PRIMARY KEY REFERENCES resource (id) ON DELETE CASCADE,
      job_id text NOT NULL,
      status text NOT NULL CHECK (status IN ('pending', 'running', 'complete', 'error')),
      error json,
      logs jsonb NOT NULL DEFAULT '[]',
      url text,
      file_hash text,
      created timestamp(6) NOT NULL,
      last_updated timestamp(6) NOT NULL
    )`.execute(db)

  // CKAN's resource_view: `config` holds the view type's own keys, which the dicts show at top level
  await sql`
    CREATE TABLE resource_view (
      id text PRIMARY KEY,
      resource_id text NOT NULL REFERENCES resource (id) ON DELETE CASCADE,
      title text,
      description text,
      view_type text NOT NULL,
      "order" integer NOT NULL,
      config jsonb NOT NULL DEFAULT '{}'
    )`.execute(db)
  await sql`CREATE INDEX resource_view_resource ON resource_view (resource_id, "order")`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS resource_view`.execute(db)
  await sql`DROP TABLE IF EXISTS datastore_load`.execute(db)
  await sql`DROP TRIGGER IF EXISTS datastore_resource_purged ON resource`.execute(db)
  await sql`DROP TRIGGER IF EXISTS datastore_resource_deleted ON resource`.execute(db)
  await sql`DROP TRIGGER IF EXISTS datastore_package_visibility ON package`.execute(db)
  await sql`DROP FUNCTION IF EXISTS abierto_datastore_resource_gone()`.execute(db)
  await sql`DROP FUNCTION IF EXISTS abierto_datastore_package_visibility()`.execute(db)
  await sql`DROP FUNCTION IF EXISTS abierto_datastore_sync_access(text)`.execute(db)
  await sql`DROP FUNCTION IF EXISTS abierto_datastore_full_text()`.execute(db)
  await sql`DROP FUNCTION IF EXISTS abierto_datastore_tsvector(jsonb)`.execute(db)
  await sql`DROP SCHEMA IF EXISTS datastore CASCADE`.execute(db)
  // the role is the cluster's, shared with other databases: left in place
}
