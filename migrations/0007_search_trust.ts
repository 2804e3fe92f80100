import { Kysely, sql } from 'kysely'

/**
 * Spanish singular and plural did not meet. abierto_es folds accents before Snowball's Spanish
 * stemmer, whose suffixes carry them (`ación`, `aciones`): `exportaciones` lost `aciones` but
 * `exportación`, folded to `exportacion`, kept its ending. Snowball never joined luz/luces or
 * ciudad/ciudades either. abierto_es_norm folds and then rewrites each plural to its singular
 * before the stemmer sees it, on documents and queries alike (search/postgres-query.ts):
 * a final `z` becomes `c` (luz, luces → luc) and a final `es` after at least three letters
 * ending in a consonant goes (exportaciones → exportacion, ciudades → ciudad, meses → mes).
 *
 * fuzzystrmatch bounds typo corrections by edit distance (search/postgres.ts).
 *
 * search_document is laid out again, for what a search reads from each of thousands of
 * matching rows:
 * - Columns are MAIN (inline) except `vector` and `texts`. Under toast_tuple_target (128 bytes,
 *   which keeps the vectors out of line) the toaster had moved every text column longer than a
 *   TOAST pointer out of line too: each match cost a TOAST fetch for its id, name, title and
 *   organization, most of what a broad search spent.
 * - Fixed-width columns come first and the short ones filters read next: a column after the
 *   arrays and the extras cost a walk over them in every row (a broad search spent a quarter
 *   of its heap time reaching doc_no and metadata_modified).
 * - `doc_no` names one version of a row: every write of the row takes a new one. Processes keep
 *   facet values in memory by doc_no (search/facet-store.ts) and never need telling of a change.
 * The rows are copied over; every dataset is then queued for reindexing, since its vectors were
 * built without abierto_es_norm and the typo vocabulary (search_word) is refilled from public
 * datasets only.
 */
const COLUMNS = `
  doc_no bigint NOT NULL DEFAULT nextval('search_doc_no_seq'),
  metadata_modified timestamp(6) NOT NULL,
  metadata_created timestamp(6) NOT NULL,
  indexed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  num_resources integer NOT NULL DEFAULT 0,
  num_tags integer NOT NULL DEFAULT 0,
  private boolean NOT NULL,
  state text NOT NULL,
  type text NOT NULL,
  package_id text PRIMARY KEY,
  permission_labels text[] NOT NULL,
  rank_vector tsvector NOT NULL,
  name text NOT NULL,
  title text NOT NULL,
  owner_org text,
  organization text,
  license_id text NOT NULL DEFAULT '',
  groups text[] NOT NULL DEFAULT '{}',
  tags text[] NOT NULL DEFAULT '{}',
  res_format text[] NOT NULL DEFAULT '{}',
  vocab_tags text[] NOT NULL DEFAULT '{}',
  creator_user_id text,
  url text NOT NULL DEFAULT '',
  version text NOT NULL DEFAULT '',
  res_url text[] NOT NULL DEFAULT '{}',
  res_type text[] NOT NULL DEFAULT '{}',
  extras jsonb NOT NULL DEFAULT '{}',
  vector tsvector NOT NULL,
  texts jsonb NOT NULL DEFAULT '{}'`

/** inline unless a row cannot fit a page otherwise; the vectors and texts always out of line */
const MAIN = [
  'state',
  'type',
  'package_id',
  'permission_labels',
  'rank_vector',
  'name',
  'title',
  'owner_org',
  'organization',
  'license_id',
  'groups',
  'tags',
  'res_format',
  'vocab_tags',
  'creator_user_id',
  'url',
  'version',
  'res_url',
  'res_type',
  'extras',
]
const EXTERNAL = ['vector', 'texts']

const COPIED =
  'metadata_modified, metadata_created, num_resources, num_tags, private, state, type, package_id, permission_labels, rank_vector, name, title, owner_org, organization, license_id, groups, tags, res_format, vocab_tags, creator_user_id, url, version, res_url, res_type, extras, vector, texts'

export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE EXTENSION IF NOT EXISTS fuzzystrmatch`.execute(db)
  await sql`CREATE FUNCTION abierto_es_norm(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT regexp_replace(regexp_replace(abierto_fold(t), 'z\\M', 'c', 'g'), '([a-z]{2}[b-df-hj-np-tv-z])es\\M', '\\1', 'g') $$`.execute(db)
  await sql`CREATE SEQUENCE search_doc_no_seq`.execute(db)
  const { rows: indexes } = await sql<{ def: string }>`
    SELECT indexdef AS def FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'search_document' AND indexname <> 'search_document_pkey'`.execute(db)
  await sql`ALTER TABLE search_document RENAME TO search_document_old`.execute(db)
  await sql`ALTER TABLE search_document_old RENAME CONSTRAINT search_document_pkey TO search_document_old_pkey`.execute(db)
  await sql.raw(`CREATE TABLE search_document (${COLUMNS}) WITH (toast_tuple_target = 128)`).execute(db)
  for (const col of MAIN) await sql.raw(`ALTER TABLE search_document ALTER COLUMN ${col} SET STORAGE MAIN`).execute(db)
  for (const col of EXTERNAL) await sql.raw(`ALTER TABLE search_document ALTER COLUMN ${col} SET STORAGE EXTERNAL`).execute(db)
  await sql.raw(`INSERT INTO search_document (${COPIED}) SELECT ${COPIED} FROM search_document_old`).execute(db)
  await sql`DROP TABLE search_document_old`.execute(db)
  for (const { def } of indexes) if (!def.includes('search_document_visible_idx')) await sql.raw(def).execute(db)
  // counts of everything visible (`*:*`, fq-only) are answered from this index alone: with `type`,
  // which every search filters on (harvest sources are hidden), no row needs reading
  await sql`CREATE INDEX search_document_visible_idx ON search_document (state, private) INCLUDE (permission_labels, type)`.execute(db)
  await sql`CREATE UNIQUE INDEX search_document_doc_no_idx ON search_document (doc_no)`.execute(db)
  // the typo vocabulary now holds public datasets' words only: the reindex below fills it again
  await sql`TRUNCATE search_word`.execute(db)
  await sql`SELECT abierto_search_enqueue_many(array_agg(id)) FROM package`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  // the new layout stays (it reads the same); only what older code does not write goes
  await sql`DROP INDEX search_document_doc_no_idx`.execute(db)
  await sql`ALTER TABLE search_document DROP COLUMN doc_no`.execute(db)
  await sql`DROP SEQUENCE search_doc_no_seq`.execute(db)
  await sql`DROP FUNCTION IF EXISTS abierto_es_norm(text)`.execute(db)
  await sql`SELECT abierto_search_enqueue_many(array_agg(id)) FROM package`.execute(db)
}
