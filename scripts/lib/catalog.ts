/**
 * Benchmark catalogues: the real corpus created through the actions, then replicated in SQL to any
 * size with varied titles (province, year), tags and 200 more organizations, 5 % private.
 * Deterministic (no random()), so runs compare.
 */
import { sql, type Kysely } from 'kysely'
import { loadConfig } from '../../src/config.js'
import type { Database } from '../../src/db/schema.js'
import { buildApp } from '../../src/app.js'
import { ensureSysadmin } from '../../src/auth/users.js'
import { loadCorpus, readCorpus } from './corpus.js'

export const PROVINCES = [
  'Buenos Aires',
  'Córdoba',
  'Santa Fe',
  'Mendoza',
  'Tucumán',
  'Entre Ríos',
  'Salta',
  'Misiones',
  'Chaco',
  'Corrientes',
  'Santiago del Estero',
  'San Juan',
  'Jujuy',
  'Río Negro',
  'Neuquén',
  'Formosa',
  'Chubut',
  'San Luis',
  'Catamarca',
  'La Rioja',
  'La Pampa',
  'Santa Cruz',
  'Tierra del Fuego',
  'Ciudad de Buenos Aires',
]

/** The real corpus created through the actions (organizations, groups, datasets); returns how many datasets. */
export async function createCorpus(db: Kysely<Database>, dataDir: string, corpusPath: string): Promise<number> {
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', SITE_URL: 'http://bench.local' })
  const app = await buildApp({ db, config, logger: false, indexWorker: false })
  const admin = await ensureSysadmin(db, 'bench')
  const run = (name: string, params: Record<string, unknown> = {}) => app.actions.run(name, params, { user: admin }, app.log)
  const records = readCorpus(corpusPath)
  await loadCorpus(run, records)
  await app.close()
  return records.length
}

/** Deterministic replication of the corpus to `total` datasets, in SQL. */
export async function replicate(db: Kysely<Database>, total: number): Promise<void> {
  await sql`INSERT INTO "group" (id, name, title, description, type, is_organization, created)
    SELECT 'bench-org-' || k, 'municipio-' || k, 'Municipalidad ' || k || ' de ' || (${PROVINCES}::text[])[1 + k % 24], '', 'organization', true, now()
      FROM generate_series(1, 200) k`.execute(db)
  await sql`CREATE TEMP TABLE bench_src AS SELECT p.*, row_number() OVER (ORDER BY p.name)::int AS rn FROM package p`.execute(db)
  await sql`CREATE TEMP TABLE bench_orgs AS SELECT id, row_number() OVER (ORDER BY name)::int AS rn FROM "group" WHERE is_organization`.execute(db)
  await sql`CREATE TEMP TABLE bench_gen AS
    SELECT md5(s.id || '/' || n)::uuid::text AS new_id, s.id AS src_id, s.rn, n
      FROM bench_src s, generate_series(1, ceil(${total}::numeric / (SELECT count(*) FROM bench_src))::int - 1) n
     ORDER BY n, s.rn LIMIT greatest(0, ${total} - (SELECT count(*) FROM bench_src))`.execute(db)
  await sql`INSERT INTO package (id, name, title, notes, url, version, author, author_email, maintainer, maintainer_email,
      license_id, owner_org, private, state, type, creator_user_id, metadata_created, metadata_modified, extras)
    SELECT g.new_id, left(s.name, 80) || '-' || g.n,
      s.title || ' — ' || (${PROVINCES}::text[])[1 + (g.n + s.rn) % 24] || ' ' || (1990 + (g.n * 7 + s.rn) % 35),
      s.notes, s.url, s.version, s.author, s.author_email, s.maintainer, s.maintainer_email, s.license_id,
      (SELECT o.id FROM bench_orgs o WHERE o.rn = 1 + (g.n * 31 + s.rn) % (SELECT count(*) FROM bench_orgs)),
      g.n % 20 = 0, 'active', s.type, s.creator_user_id,
      timestamp '2015-01-01' + ((g.n * 7919 + s.rn * 104729) % 315360000) * interval '1 second',
      timestamp '2015-01-01' + ((g.n * 7919 + s.rn * 104729) % 315360000 + 86400 * (g.n % 90)) * interval '1 second',
      s.extras
    FROM bench_gen g JOIN bench_src s ON s.id = g.src_id`.execute(db)
  await sql`INSERT INTO resource (id, package_id, position, url, format, description, name, hash, mimetype, size, resource_type, url_type, created, last_modified, metadata_modified, state, extras)
    SELECT md5(r.id || '/' || g.n)::uuid::text, g.new_id, r.position, r.url, r.format, r.description, r.name, r.hash, r.mimetype, r.size, r.resource_type, r.url_type, r.created, r.last_modified, r.metadata_modified, r.state, r.extras
      FROM bench_gen g JOIN resource r ON r.package_id = g.src_id`.execute(db)
  // the source's tags plus one per province
  await sql`INSERT INTO tag (id, name) SELECT 'bench-tag-' || i, p FROM unnest(${PROVINCES}::text[]) WITH ORDINALITY AS t(p, i) ON CONFLICT DO NOTHING`.execute(db)
  await sql`INSERT INTO package_tag (package_id, tag_id, state)
    SELECT g.new_id, pt.tag_id, 'active' FROM bench_gen g JOIN package_tag pt ON pt.package_id = g.src_id
    UNION SELECT g.new_id, (SELECT t.id FROM tag t WHERE t.name = (${PROVINCES}::text[])[1 + (g.n + g.rn) % 24] AND t.vocabulary_id IS NULL LIMIT 1), 'active' FROM bench_gen g
    ON CONFLICT DO NOTHING`.execute(db)
  await sql`INSERT INTO member (id, group_id, table_name, table_id, capacity, state)
    SELECT md5(m.id || '/' || g.n)::uuid::text, m.group_id, 'package', g.new_id, m.capacity, 'active'
      FROM bench_gen g JOIN member m ON m.table_id = g.src_id AND m.table_name = 'package' AND m.state = 'active'`.execute(db)
  await sql`ANALYZE`.execute(db)
}
