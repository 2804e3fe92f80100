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
 * search_document keeps its rows under toast_tuple_target (128 bytes) so the full-text vectors
 * live out of line, but the toaster also moved every other text column longer than a TOAST
 * pointer out of line: each matching row cost a TOAST fetch for its id, name, title and
 * organization, most of what a broad search spent. Those columns are MAIN now (inline,
 * compressed only when that pays); only `vector` and `texts` stay out of line.
 *
 * `doc_no` names one version of a row: every write of the row takes a new one. Processes keep
 * facet values in memory by doc_no (search/facet-store.ts) and never need telling of a change.
 *
 * Every dataset is queued for reindexing: its vectors were built without the rewrite, and a
 * rewritten row takes the new storage.
 */
const INLINE = ['package_id', 'name', 'title', 'state', 'type', 'owner_org', 'organization', 'creator_user_id', 'license_id', 'url', 'version', 'res_url', 'res_type', 'extras']

export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE EXTENSION IF NOT EXISTS fuzzystrmatch`.execute(db)
  await sql`CREATE FUNCTION abierto_es_norm(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT regexp_replace(regexp_replace(abierto_fold(t), 'z\\M', 'c', 'g'), '([a-z]{2}[b-df-hj-np-tv-z])es\\M', '\\1', 'g') $$`.execute(db)
  for (const col of INLINE) await sql.raw(`ALTER TABLE search_document ALTER COLUMN ${col} SET STORAGE MAIN`).execute(db)
  await sql`CREATE SEQUENCE search_doc_no_seq`.execute(db)
  await sql`ALTER TABLE search_document ADD COLUMN doc_no bigint NOT NULL DEFAULT nextval('search_doc_no_seq')`.execute(db)
  await sql`CREATE UNIQUE INDEX search_document_doc_no_idx ON search_document (doc_no)`.execute(db)
  await sql`SELECT abierto_search_enqueue_many(array_agg(id)) FROM package`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE search_document DROP COLUMN doc_no`.execute(db)
  await sql`DROP SEQUENCE search_doc_no_seq`.execute(db)
  for (const col of INLINE) await sql.raw(`ALTER TABLE search_document ALTER COLUMN ${col} SET STORAGE EXTENDED`).execute(db)
  await sql`DROP FUNCTION IF EXISTS abierto_es_norm(text)`.execute(db)
  await sql`SELECT abierto_search_enqueue_many(array_agg(id)) FROM package`.execute(db)
}
