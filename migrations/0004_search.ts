import { Kysely, sql } from 'kysely'

/**
 * Search: the Postgres search index (search_document, search_word), Spanish + simple text search
 * configurations that fold accents, and the outbox that no dataset change can bypass.
 *
 * The outbox is filled by triggers, so every write (actions, bulk loads, raw SQL) enqueues the
 * datasets it touched in its own transaction; search/indexer.ts applies the queue after commit.
 * `seq` changes on every enqueue: an applier deletes the row only if it is unchanged, so a change
 * committed while the dataset was being indexed is never lost.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE EXTENSION IF NOT EXISTS unaccent`.execute(db)
  await sql`CREATE EXTENSION IF NOT EXISTS pg_trgm`.execute(db)
  // an IMMUTABLE wrapper (unaccent(text) is only STABLE) so expression indexes may use it
  await sql`CREATE FUNCTION abierto_fold(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, t)) $$`.execute(db)
  await sql`CREATE TEXT SEARCH CONFIGURATION abierto_es (COPY = pg_catalog.spanish)`.execute(db)
  await sql`ALTER TEXT SEARCH CONFIGURATION abierto_es ALTER MAPPING FOR asciiword, word, hword, hword_part, asciihword, hword_asciipart WITH unaccent, spanish_stem`.execute(db)
  await sql`CREATE TEXT SEARCH CONFIGURATION abierto_simple (COPY = pg_catalog.simple)`.execute(db)
  await sql`ALTER TEXT SEARCH CONFIGURATION abierto_simple ALTER MAPPING FOR asciiword, word, hword, hword_part, asciihword, hword_asciipart WITH unaccent, simple`.execute(db)

  // One row per dataset. The full-text vector and texts are stored out of line (EXTERNAL with a low
  // toast_tuple_target) while filter, facet and rank columns stay in the row (MAIN): counts and
  // facets scan narrow rows, and a vector is only read back when a query needs it.
  await sql`CREATE TABLE search_document (
    package_id text PRIMARY KEY,
    name text NOT NULL,
    title text NOT NULL,
    state text NOT NULL,
    private boolean NOT NULL,
    type text NOT NULL,
    owner_org text,
    organization text,
    creator_user_id text,
    license_id text NOT NULL DEFAULT '',
    url text NOT NULL DEFAULT '',
    version text NOT NULL DEFAULT '',
    groups text[] NOT NULL DEFAULT '{}',
    tags text[] NOT NULL DEFAULT '{}',
    vocab_tags text[] NOT NULL DEFAULT '{}',
    res_format text[] NOT NULL DEFAULT '{}',
    res_url text[] NOT NULL DEFAULT '{}',
    res_type text[] NOT NULL DEFAULT '{}',
    extras jsonb NOT NULL DEFAULT '{}',
    metadata_created timestamp(6) NOT NULL,
    metadata_modified timestamp(6) NOT NULL,
    num_resources integer NOT NULL DEFAULT 0,
    num_tags integer NOT NULL DEFAULT 0,
    permission_labels text[] NOT NULL,
    -- title (A) and tags (B): small enough to rank thousands of matches per query
    rank_vector tsvector NOT NULL,
    -- the full text, weighted title > tags > description > the rest, in both configurations
    vector tsvector NOT NULL,
    -- text fields matched one by one (notes, author, res_name…)
    texts jsonb NOT NULL DEFAULT '{}',
    -- a rebuild re-queues what the live indexer wrote after it started
    indexed_at timestamptz NOT NULL DEFAULT clock_timestamp()
  ) WITH (toast_tuple_target = 128)`.execute(db)
  for (const col of ['vector', 'texts']) await sql.raw(`ALTER TABLE search_document ALTER COLUMN ${col} SET STORAGE EXTERNAL`).execute(db)
  for (const col of ['tags', 'groups', 'res_format', 'vocab_tags', 'permission_labels', 'rank_vector']) {
    await sql.raw(`ALTER TABLE search_document ALTER COLUMN ${col} SET STORAGE MAIN`).execute(db)
  }
  for (const col of ['vector', 'tags', 'groups', 'res_format']) {
    await sql.raw(`CREATE INDEX search_document_${col}_idx ON search_document USING gin (${col})`).execute(db)
  }
  // counts of everything visible are answered from this index alone
  await sql`CREATE INDEX search_document_visible_idx ON search_document (state, private) INCLUDE (permission_labels)`.execute(db)
  await sql`CREATE INDEX search_document_modified_idx ON search_document (metadata_modified DESC, package_id)`.execute(db)
  await sql`CREATE INDEX search_document_created_idx ON search_document (metadata_created DESC, package_id)`.execute(db)
  await sql`CREATE INDEX search_document_name_idx ON search_document (name COLLATE "C", package_id)`.execute(db)
  await sql`CREATE INDEX search_document_title_idx ON search_document (title COLLATE "C", package_id)`.execute(db)
  await sql`CREATE INDEX search_document_org_idx ON search_document (organization)`.execute(db)

  // package_autocomplete: accent-folded trigram match on name and title
  await sql`CREATE INDEX package_autocomplete_trgm_idx ON package USING gin (abierto_fold(name || ' ' || coalesce(title, '')) gin_trgm_ops)`.execute(db)

  // every word seen in titles, tags and descriptions, folded: what a misspelt query word is matched against
  await sql`CREATE TABLE search_word (word text PRIMARY KEY)`.execute(db)
  await sql`CREATE INDEX search_word_trgm_idx ON search_word USING gin (word gin_trgm_ops)`.execute(db)

  await sql`CREATE SEQUENCE search_outbox_seq`.execute(db)
  await sql`CREATE TABLE search_outbox (
    package_id text PRIMARY KEY,
    seq bigint NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error text,
    enqueued_at timestamptz NOT NULL DEFAULT now()
  )`.execute(db)
  await sql`CREATE INDEX search_outbox_due_idx ON search_outbox (next_attempt_at)`.execute(db)

  await sql`CREATE FUNCTION abierto_search_enqueue(pid text) RETURNS void LANGUAGE sql AS $$
    INSERT INTO search_outbox (package_id, seq) VALUES (pid, nextval('search_outbox_seq'))
    ON CONFLICT (package_id) DO UPDATE SET seq = EXCLUDED.seq, attempts = 0, next_attempt_at = now(), last_error = NULL
  $$`.execute(db)

  await sql`CREATE FUNCTION abierto_search_package_changed() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_OP = 'DELETE' THEN PERFORM abierto_search_enqueue(OLD.id); ELSE PERFORM abierto_search_enqueue(NEW.id); END IF;
    RETURN NULL;
  END $$`.execute(db)
  await sql`CREATE TRIGGER search_package_changed AFTER INSERT OR UPDATE OR DELETE ON package
    FOR EACH ROW EXECUTE FUNCTION abierto_search_package_changed()`.execute(db)

  // resources and tags carry package_id
  await sql`CREATE FUNCTION abierto_search_child_changed() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_OP <> 'INSERT' THEN PERFORM abierto_search_enqueue(OLD.package_id); END IF;
    IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.package_id IS DISTINCT FROM OLD.package_id) THEN PERFORM abierto_search_enqueue(NEW.package_id); END IF;
    RETURN NULL;
  END $$`.execute(db)
  await sql`CREATE TRIGGER search_resource_changed AFTER INSERT OR UPDATE OR DELETE ON resource
    FOR EACH ROW EXECUTE FUNCTION abierto_search_child_changed()`.execute(db)
  await sql`CREATE TRIGGER search_package_tag_changed AFTER INSERT OR UPDATE OR DELETE ON package_tag
    FOR EACH ROW EXECUTE FUNCTION abierto_search_child_changed()`.execute(db)

  // a dataset joining or leaving a group
  await sql`CREATE FUNCTION abierto_search_member_changed() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_OP <> 'INSERT' AND OLD.table_name = 'package' THEN PERFORM abierto_search_enqueue(OLD.table_id); END IF;
    IF TG_OP <> 'DELETE' AND NEW.table_name = 'package' AND (TG_OP = 'INSERT' OR NEW.table_id IS DISTINCT FROM OLD.table_id) THEN PERFORM abierto_search_enqueue(NEW.table_id); END IF;
    RETURN NULL;
  END $$`.execute(db)
  await sql`CREATE TRIGGER search_member_changed AFTER INSERT OR UPDATE OR DELETE ON member
    FOR EACH ROW EXECUTE FUNCTION abierto_search_member_changed()`.execute(db)

  // a renamed or retitled group/organization shows inside its datasets' dicts (CKAN leaves them stale)
  await sql`CREATE FUNCTION abierto_search_group_changed() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF (NEW.name, NEW.title, NEW.description, NEW.image_url, NEW.state, NEW.type, NEW.is_organization, NEW.approval_status)
       IS DISTINCT FROM (OLD.name, OLD.title, OLD.description, OLD.image_url, OLD.state, OLD.type, OLD.is_organization, OLD.approval_status) THEN
      PERFORM abierto_search_enqueue(p.id) FROM package p WHERE p.owner_org = NEW.id;
      PERFORM abierto_search_enqueue(m.table_id) FROM member m WHERE m.group_id = NEW.id AND m.table_name = 'package' AND m.state = 'active';
    END IF;
    RETURN NULL;
  END $$`.execute(db)
  await sql`CREATE TRIGGER search_group_changed AFTER UPDATE ON "group"
    FOR EACH ROW EXECUTE FUNCTION abierto_search_group_changed()`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER IF EXISTS search_group_changed ON "group"`.execute(db)
  await sql`DROP TRIGGER IF EXISTS search_member_changed ON member`.execute(db)
  await sql`DROP TRIGGER IF EXISTS search_package_tag_changed ON package_tag`.execute(db)
  await sql`DROP TRIGGER IF EXISTS search_resource_changed ON resource`.execute(db)
  await sql`DROP TRIGGER IF EXISTS search_package_changed ON package`.execute(db)
  await sql`DROP FUNCTION IF EXISTS abierto_search_group_changed(), abierto_search_member_changed(), abierto_search_child_changed(), abierto_search_package_changed(), abierto_search_enqueue(text)`.execute(db)
  await sql`DROP TABLE IF EXISTS search_outbox, search_word, search_document`.execute(db)
  await sql`DROP INDEX IF EXISTS package_autocomplete_trgm_idx`.execute(db)
  await sql`DROP SEQUENCE IF EXISTS search_outbox_seq`.execute(db)
  await sql`DROP TEXT SEARCH CONFIGURATION IF EXISTS abierto_es`.execute(db)
  await sql`DROP TEXT SEARCH CONFIGURATION IF EXISTS abierto_simple`.execute(db)
  await sql`DROP FUNCTION IF EXISTS abierto_fold(text)`.execute(db)
}
