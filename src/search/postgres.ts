import { sql, type Kysely } from 'kysely'
import type { Database } from '../db/schema.js'
import type { IndexDocument } from './document.js'
import type { SearchCorrection, SearchIndex, SearchRequest, SearchResult } from './port.js'
import type { QueryNode } from './ast.js'
import { QueryCompiler, column, orderBy, textTerms, wordQuery, type Sql, type TermAnalysis } from './postgres-query.js'
import { resolveField } from './fields.js'
import { FacetStore, decodeDocNos, isStoredFacet } from './facet-store.js'

/**
 * The embedded search backend: search_document in the same database (migration 0004), full-text
 * through tsvector/tsquery with accent folding and Spanish stemming, typos through pg_trgm over
 * search_word, facets with GROUP BY over the matching rows.
 */
export class PostgresSearchIndex implements SearchIndex {
  readonly backend = 'postgres' as const

  constructor(
    private readonly db: Kysely<Database>,
    /** where upserts go: the live tables, or the copies a rebuild fills */
    private readonly tables = LIVE,
    private readonly facetStore = new FacetStore(),
  ) {}

  async prepare(): Promise<void> {}

  inTransaction(db: Kysely<Database>): SearchIndex {
    return new PostgresSearchIndex(db, this.tables, this.facetStore)
  }

  /**
   * A full rebuild fills copies of the tables without their secondary indexes (inserting into a
   * GIN index row by row is most of an upsert's cost), indexes them in bulk, then swaps them in
   * one short transaction. Searches keep answering from the live tables meanwhile; datasets the
   * live indexer touched during the rebuild are queued again after the swap.
   */
  async rebuild(): Promise<{ index: SearchIndex; commit(): Promise<void>; abort(): Promise<void> }> {
    const drop = sql`DROP TABLE IF EXISTS search_document_rebuild`
    await drop.execute(this.db)
    await sql`CREATE TABLE search_document_rebuild (LIKE search_document INCLUDING DEFAULTS INCLUDING STORAGE, PRIMARY KEY (package_id)) WITH (toast_tuple_target = 128)`.execute(this.db)
    const { rows } = await sql<{ t: string }>`SELECT clock_timestamp()::text AS t`.execute(this.db)
    const started = rows[0].t
    const db = this.db
    return {
      index: new PostgresSearchIndex(db, REBUILD, this.facetStore),
      abort: async () => void (await drop.execute(db)),
      async commit() {
        const { rows: defs } = await sql<{ name: string; def: string }>`
          SELECT indexname AS name, indexdef AS def FROM pg_indexes
           WHERE schemaname = current_schema() AND tablename = 'search_document' AND indexname NOT LIKE '%_pkey'`.execute(db)
        // two builders at a time (each CREATE INDEX uses one core), with room to sort in memory
        const queue = defs.map(({ name, def }) => def.replace(` INDEX ${name} ON `, ` INDEX ${name}_rebuild ON `).replace(/ ON (\S+\.)?search_document /, ' ON $1search_document_rebuild '))
        const builder = () =>
          db.transaction().execute(async (trx) => {
            await sql`SET LOCAL maintenance_work_mem = '512MB'`.execute(trx)
            for (let ddl = queue.shift(); ddl; ddl = queue.shift()) await sql.raw(ddl).execute(trx)
          })
        await Promise.all([builder(), builder()])
        // VACUUM sets the visibility map, so counts are index-only from the first search after the
        // swap. Statistics for the filter and sort columns only: sampling the out-of-line vectors
        // costs seconds and only refines @@ estimates, which text queries do not rely on.
        await sql`VACUUM (ANALYZE) search_document_rebuild (package_id, name, title, state, private, type, owner_org, organization, license_id, tags, groups, res_format, permission_labels, metadata_created, metadata_modified, num_resources, num_tags)`.execute(
          db,
        )
        await db.transaction().execute(async (trx) => {
          // appliers wait here; their datasets written during the rebuild are queued again below
          await sql`LOCK TABLE search_document IN EXCLUSIVE MODE`.execute(trx)
          await sql`SELECT abierto_search_enqueue(package_id) FROM search_document WHERE indexed_at >= ${started}::timestamptz`.execute(trx)
          await sql`DROP TABLE search_document`.execute(trx)
          await sql`ALTER TABLE search_document_rebuild RENAME TO search_document`.execute(trx)
          await sql`ALTER TABLE search_document RENAME CONSTRAINT search_document_rebuild_pkey TO search_document_pkey`.execute(trx)
          for (const { name } of defs) await sql.raw(`ALTER INDEX ${name}_rebuild RENAME TO ${name}`).execute(trx)
          // purged while the rebuild ran
          await sql`DELETE FROM search_document d WHERE NOT EXISTS (SELECT 1 FROM package p WHERE p.id = d.package_id)`.execute(trx)
        })
      },
    }
  }

  async close(): Promise<void> {}

  async upsert(docs: IndexDocument[]): Promise<void> {
    if (docs.length === 0) return
    const rows = docs.map(toRow)
    await sql`
      INSERT INTO ${sql.table(this.tables.document)} AS s (package_id, name, title, state, private, type, owner_org, organization,
        creator_user_id, license_id, url, version, groups, tags, vocab_tags, res_format, res_url, res_type, extras,
        metadata_created, metadata_modified, num_resources, num_tags, permission_labels, rank_vector, vector, texts)
      SELECT r.package_id, r.name, r.title, r.state, r.private, r.type, r.owner_org, r.organization,
        r.creator_user_id, r.license_id, r.url, r.version, r.groups, r.tags, r.vocab_tags, r.res_format, r.res_url,
        r.res_type, r.extras, r.metadata_created, r.metadata_modified, r.num_resources, r.num_tags, r.permission_labels,
        a || b, a || b ||
        setweight(to_tsvector('abierto_es', abierto_es_norm(r.c_text)), 'C') || setweight(to_tsvector('abierto_simple', r.c_text), 'C') ||
        setweight(to_tsvector('abierto_es', abierto_es_norm(r.d_text)), 'D') || setweight(to_tsvector('abierto_simple', r.d_text), 'D'),
        r.texts
      FROM json_to_recordset(${JSON.stringify(rows)}::json) AS r(package_id text, name text, title text, state text,
        private boolean, type text, owner_org text, organization text, creator_user_id text, license_id text, url text,
        version text, groups text[], tags text[], vocab_tags text[], res_format text[], res_url text[], res_type text[],
        extras jsonb, texts jsonb, metadata_created timestamp, metadata_modified timestamp, num_resources int,
        num_tags int, permission_labels text[], a_text text, b_text text, c_text text, d_text text),
      LATERAL (SELECT setweight(to_tsvector('abierto_es', abierto_es_norm(r.a_text)), 'A') || setweight(to_tsvector('abierto_simple', r.a_text), 'A') AS a,
                      setweight(to_tsvector('abierto_es', abierto_es_norm(r.b_text)), 'B') || setweight(to_tsvector('abierto_simple', r.b_text), 'B') AS b) v
      ON CONFLICT (package_id) DO UPDATE SET name = EXCLUDED.name, title = EXCLUDED.title, state = EXCLUDED.state,
        private = EXCLUDED.private, type = EXCLUDED.type, owner_org = EXCLUDED.owner_org,
        organization = EXCLUDED.organization, creator_user_id = EXCLUDED.creator_user_id,
        license_id = EXCLUDED.license_id, url = EXCLUDED.url, version = EXCLUDED.version, groups = EXCLUDED.groups,
        tags = EXCLUDED.tags, vocab_tags = EXCLUDED.vocab_tags, res_format = EXCLUDED.res_format,
        res_url = EXCLUDED.res_url, res_type = EXCLUDED.res_type, extras = EXCLUDED.extras,
        metadata_created = EXCLUDED.metadata_created, metadata_modified = EXCLUDED.metadata_modified,
        num_resources = EXCLUDED.num_resources, num_tags = EXCLUDED.num_tags,
        permission_labels = EXCLUDED.permission_labels, rank_vector = EXCLUDED.rank_vector, vector = EXCLUDED.vector,
        texts = EXCLUDED.texts, indexed_at = clock_timestamp(), doc_no = nextval('search_doc_no_seq')`.execute(this.db)
    // the vocabulary a misspelt word is corrected against: public datasets' words, so that neither
    // a suggestion nor whether a word gets corrected tells of a private dataset
    const words = docs.filter((d) => d.permission_labels.includes('public')).map((d) => `${d.title} ${d.tags.join(' ')} ${d.notes.slice(0, 2000)}`)
    await sql`
      INSERT INTO search_word (word)
      SELECT DISTINCT w FROM unnest(${words}::text[]) t, unnest(tsvector_to_array(to_tsvector('abierto_simple', t))) w
       WHERE length(w) BETWEEN 4 AND 40 AND w ~ '^[[:alpha:]]+$'
      ORDER BY w
      ON CONFLICT (word) DO NOTHING`.execute(this.db)
  }

  async remove(ids: string[]): Promise<void> {
    if (ids.length === 0) return
    await sql`DELETE FROM ${sql.table(this.tables.document)} WHERE package_id = ANY(${ids}::text[])`.execute(this.db)
  }

  async clear(): Promise<void> {
    await sql`TRUNCATE ${sql.table(this.tables.document)}`.execute(this.db)
  }

  async count(): Promise<number> {
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(this.tables.document)}`.execute(this.db)
    return rows[0].n
  }

  async search(req: SearchRequest): Promise<SearchResult> {
    const visible = visibleWhere(req.visibility)
    const analysis = await this.analyze([req.query, ...req.filters], visible)
    const compiler = new QueryCompiler(analysis)
    const q = compiler.compile(req.query)
    const filters = req.filters.map((f) => compiler.compile(f))
    const cond = sql.join([q, ...filters, visible], sql` AND `)
    const rank = rankExpression(compiler)
    const fixed = corrections(req.query, analysis)
    if (compiler.usesText) return { ...(await this.overMatches(cond, req, { rank, text: true })), corrections: fixed }

    // no full text: the page can follow an index (metadata_modified, name…), the count a covering index
    const page =
      req.rows > 0
        ? sql<{ package_id: string }>`SELECT d.package_id FROM search_document d WHERE ${cond} ORDER BY ${orderBy(req.sort, rank)} LIMIT ${req.rows} OFFSET ${req.start}`.execute(this.db).then((r) => r.rows.map((x) => x.package_id))
        : Promise.resolve([])
    const counted = req.facetFields.length ? this.overMatches(cond, req, null) : sql<{ n: number }>`SELECT count(*)::int AS n FROM search_document d WHERE ${cond}`.execute(this.db).then((r) => ({ count: r.rows[0].n, facets: {} }))
    const [ids, { count, facets }] = await Promise.all([page, counted])
    return { count, ids, facets, corrections: fixed }
  }

  /**
   * One statement over the match set `m`: its count, the requested facets and, with `ranked`,
   * the page. With full text the matches are computed once (the GIN index gives them), then
   * ranked, counted and faceted from that set: letting the planner interleave ranking with
   * matching made it rank every visible dataset.
   */
  private async overMatches(cond: Sql, req: SearchRequest, ranked: { rank: Sql | null; text: boolean } | null): Promise<SearchResult> {
    const inMemory = req.facetFields.filter(isStoredFacet)
    const inSql = req.facetFields.filter((f) => !isStoredFacet(f))
    // only what sorting and faceting read: the match set can be a large share of the catalogue
    const cols = facetColumnNames(inSql)
    if (inMemory.length) cols.add('doc_no')
    if (ranked) {
      for (const s of req.sort) {
        const name = s.field === 'dataset_type' ? 'type' : s.field === 'title_string' ? 'title' : s.field === 'capacity' ? 'private' : s.field
        if (!['score', 'id', 'site_id', 'entity_type'].includes(name)) cols.add(name)
      }
    }
    const select = [...cols].map((c) => sql.ref(`d.${c}`))
    if (ranked) select.push(sql`${ranked.rank ?? sql`0::real`} AS score`)
    const limit = req.facetLimit < 0 ? null : req.facetLimit
    const parts = [
      ...(ranked ? [sql`SELECT -2 AS f, p.package_id AS v, (row_number() OVER ())::int AS c FROM (SELECT d.package_id FROM m d ORDER BY ${orderBy(req.sort, sql`d.score`)} LIMIT ${req.rows} OFFSET ${req.start}) p`] : []),
      // the count, and the matches' doc_no for the facet store, in one pass
      inMemory.length ? sql`SELECT -1 AS f, encode(string_agg(int8send(m.doc_no), ''::bytea), 'base64') AS v, count(*)::int AS c FROM m` : sql`SELECT -1 AS f, NULL::text AS v, count(*)::int AS c FROM m`,
      ...inSql.map((field) => facetPart(field, req.facetFields.indexOf(field), req.facetMincount, limit)),
    ]
    const facets: SearchResult['facets'] = Object.fromEntries(req.facetFields.map((f) => [f, []]))
    const page: Array<[string, number]> = []
    let count = 0
    // the facet values of documents the store has not seen yet are read from this snapshot
    await this.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        // The planner cannot see that @@ on an out-of-line tsvector costs a fetch and a decompression
        // per row, and picks a sequential scan for common words (~50x slower than the GIN index).
        // The match set is materialised and aggregated: room before sorts and hashes spill to disk.
        await sql`SELECT set_config('enable_seqscan', ${ranked?.text ? 'off' : 'on'}, true), set_config('work_mem', '32MB', true)`.execute(trx)
        const { rows } = await sql<{ f: number; v: string | null; c: number }>`
          WITH m AS MATERIALIZED (SELECT ${sql.join(select)} FROM search_document d WHERE ${cond})
          ${sql.join(parts, sql` UNION ALL `)}`.execute(trx)
        let docNos: number[] = []
        for (const r of rows) {
          if (r.f === -2) page.push([r.v!, r.c])
          else if (r.f === -1) {
            count = r.c
            docNos = decodeDocNos(r.v)
          } else if (r.v !== null) facets[req.facetFields[r.f]].push([r.v, r.c])
        }
        if (inMemory.length) Object.assign(facets, await this.facetStore.count(trx, docNos, inMemory, limit, req.facetMincount))
      })
    return { count, ids: page.sort((a, b) => a[1] - b[1]).map(([id]) => id), facets }
  }

  /**
   * Which query words are stopwords, and which match nothing the caller may see. Those within
   * the typo bound of known words (1 edit from 5 letters, 2 from 9, as Meilisearch and Solr's
   * fuzzy search) are searched as those words; a word that matched is never widened, and one
   * with no close neighbour matches nothing. search_word (public datasets' words) answers the
   * common case without building a GIN bitmap of every dataset that has the word. Neighbours
   * come from it too, and only those that still match a visible dataset.
   */
  private async analyze(nodes: QueryNode[], visible: Sql): Promise<TermAnalysis> {
    const words = new Set<string>()
    for (const n of nodes) textTerms(n, words)
    const out: TermAnalysis = new Map()
    if (words.size === 0) return out
    const { rows } = await sql<{ t: string; stop: boolean; unmatched: boolean }>`
      SELECT t, stop, NOT stop AND length(f) >= ${TYPO_MIN_LENGTH} AND f ~ '^[[:alpha:]]+$'
               AND NOT EXISTS (SELECT 1 FROM search_word w WHERE w.word = f)
               AND NOT EXISTS (SELECT 1 FROM search_document d WHERE d.vector @@ ${wordQuery(sql`t`)} AND ${visible}) AS unmatched
        FROM (SELECT t, abierto_fold(t) AS f, numnode(plainto_tsquery('abierto_es', t)) = 0 AS stop FROM unnest(${[...words]}::text[]) t) a`.execute(this.db)
    for (const r of rows) out.set(r.t, { stop: r.stop, similar: [] })
    const unmatched = rows.filter((r) => r.unmatched).map((r) => r.t)
    if (unmatched.length === 0) return out
    const near = await this.db.transaction().execute(async (trx) => {
      // a word 2 edits from a 9-letter word can share only a quarter of its trigrams
      await sql`SET LOCAL pg_trgm.similarity_threshold = 0.2`.execute(trx)
      const { rows: found } = await sql<{ t: string; similar: string[] }>`
        SELECT t, ARRAY(
          SELECT w.word FROM search_word w, LATERAL (SELECT levenshtein_less_equal(w.word, f, k) AS edits) e
           WHERE w.word % f AND length(w.word) BETWEEN length(f) - k AND length(f) + k AND e.edits <= k
             AND EXISTS (SELECT 1 FROM search_document d WHERE d.vector @@ ${wordQuery(sql`w.word`)} AND ${visible})
           ORDER BY e.edits, similarity(w.word, f) DESC, w.word LIMIT 3) AS similar
        FROM (SELECT t, f, CASE WHEN length(f) >= ${TWO_TYPOS_MIN_LENGTH} THEN 2 ELSE 1 END AS k
                FROM (SELECT t, abierto_fold(t) AS f FROM unnest(${unmatched}::text[]) t) u) a`.execute(trx)
      return found
    })
    for (const r of near) out.set(r.t, { stop: false, similar: r.similar })
    return out
  }
}

/** Typo tolerance starts at this many letters (1 edit), two edits from TWO_TYPOS_MIN_LENGTH. */
const TYPO_MIN_LENGTH = 5
const TWO_TYPOS_MIN_LENGTH = 9

/** The rows the caller may see (port.ts VisibilityFilter) of search_document `d`. */
function visibleWhere(v: SearchRequest['visibility']): Sql {
  const parts: Sql[] = [sql`d.state = ANY(${v.states}::text[])`]
  if (!v.includePrivate) parts.push(sql`NOT d.private`)
  // only public datasets carry the label `public`, and they are active and public: for visitors
  // the row test above is the whole rule (and cheaper than an array overlap per matching row)
  const visitor = v.labels?.length === 1 && v.labels[0] === 'public' && !v.includePrivate && v.states.every((s) => s === 'active')
  if (v.labels && !visitor) parts.push(sql`d.permission_labels && ${v.labels}::text[]`)
  return sql`(${sql.join(parts, sql` AND `)})`
}

/** Relevance: title and tags hits of the words as typed, and a fraction for corrected words, so an exact match outranks a typo match. */
function rankExpression(compiler: QueryCompiler): Sql | null {
  const parts: Sql[] = []
  if (compiler.rankQueries.length) parts.push(sql`ts_rank(d.rank_vector, ${sql.join(compiler.rankQueries, sql` || `)})`)
  if (compiler.typoRankQueries.length) parts.push(sql`0.25 * ts_rank(d.rank_vector, ${sql.join(compiler.typoRankQueries, sql` || `)})`)
  return parts.length ? sql`(${sql.join(parts, sql` + `)})` : null
}

/** The typo corrections among the words a query looks for (not those it excludes), in query order. */
function corrections(query: QueryNode, analysis: TermAnalysis): SearchCorrection[] {
  const out: SearchCorrection[] = []
  const seen = new Set<string>()
  const walk = (node: QueryNode): void => {
    switch (node.kind) {
      case 'term': {
        const info = node.phrase ? undefined : analysis.get(node.value)
        if (info?.similar.length && !seen.has(node.value)) {
          seen.add(node.value)
          out.push({ word: node.value, suggestions: [...info.similar] })
        }
        break
      }
      case 'and':
      case 'or':
        node.children.forEach(walk)
        break
      case 'match':
        ;[...node.clauses, ...node.must].forEach(walk)
        break
    }
  }
  walk(query)
  return out
}

const LIVE = { document: 'search_document' }
const REBUILD = { document: 'search_document_rebuild' }

/** One facet's top values over the match set `m`. */
function facetPart(field: string, i: number, mincount: number, limit: number | null): Sql {
  return sql`SELECT ${i}::int AS f, v, c FROM (SELECT v, count(*)::int AS c FROM (${facetValues(field)}) fv WHERE v IS NOT NULL GROUP BY v
    HAVING count(*) >= ${Math.max(mincount, 1)} ORDER BY c DESC, v COLLATE "C" ASC ${limit === null ? sql`` : sql`LIMIT ${limit}`}) x`
}

/** The columns the facet query reads (the CTE keeps only these). */
function facetColumnNames(fields: string[]): Set<string> {
  const cols = new Set<string>(['package_id'])
  for (const f of fields) {
    const ref = resolveField(f)
    if (ref.type === 'vocab') cols.add('vocab_tags')
    else if (ref.type !== 'core') cols.add('extras')
    else if (ref.name === 'capacity' || ref.name === 'private') cols.add('private')
    else if (ref.name === 'id' || ref.name === 'site_id' || ref.name === 'entity_type') continue
    else if (ref.name === 'title_string') cols.add('title')
    else cols.add(ref.name)
  }
  return cols
}

/**
 * The field's values over the match set `m`, one row `v` each. Set-returning functions in the
 * select list: a LATERAL unnest per row costs a function scan set-up for each of thousands of rows.
 */
function facetValues(field: string): Sql {
  const ref = resolveField(field)
  if (ref.type === 'vocab') return sql`SELECT substr(x, length(vid.id) + 2) AS v FROM (SELECT unnest(m.vocab_tags) AS x FROM m) t, (SELECT id FROM vocabulary WHERE name = ${ref.vocabulary}) vid WHERE x LIKE vid.id || ':%'`
  if (ref.type !== 'core') return sql`SELECT m.extras ->> ${ref.key} AS v FROM m`
  if (ref.info.multi) return sql`SELECT unnest(${sql.ref(`m.${ref.name}`)}) AS v FROM m`
  // column() names the row `d`
  return sql`SELECT ${ref.info.kind === 'exact' ? column(ref.name) : sql`(${sql.ref(`d.${ref.name}`)})::text`} AS v FROM m d`
}

const unique = (values: string[]): string[] => [...new Set(values)]

function toRow(d: IndexDocument) {
  const vocabTags = Object.entries(d.vocab).flatMap(([vid, names]) => names.map((n) => `${vid}:${n}`))
  const extrasText = Object.values(d.extras).join(' ')
  return {
    package_id: d.id,
    name: d.name,
    title: d.title,
    state: d.state,
    private: d.private,
    type: d.type,
    owner_org: d.owner_org,
    organization: d.organization,
    creator_user_id: d.creator_user_id,
    license_id: d.license_id,
    url: d.url,
    version: d.version,
    // a facet counts datasets: a value two resources share is stored once
    groups: unique(d.groups),
    tags: unique(d.tags),
    vocab_tags: unique(vocabTags),
    res_format: unique(d.res_format),
    res_url: unique(d.res_url),
    res_type: unique(d.res_type),
    extras: d.extras,
    texts: {
      notes: d.notes,
      author: d.author,
      author_email: d.author_email,
      maintainer: d.maintainer,
      maintainer_email: d.maintainer_email,
      license: d.license,
      res_name: d.res_name.join(' \n '),
      res_description: d.res_description.join(' \n '),
      urls: [d.url, ...d.res_url].join(' '),
    },
    metadata_created: d.metadata_created.replace(/Z$/, '') || '1970-01-01T00:00:00',
    metadata_modified: d.metadata_modified.replace(/Z$/, '') || '1970-01-01T00:00:00',
    num_resources: d.num_resources,
    num_tags: d.num_tags,
    permission_labels: d.permission_labels,
    // title > tags (and the name, as CKAN's qf boosts both) > description > everything else
    a_text: d.title,
    b_text: [...d.tags, ...Object.values(d.vocab).flat()].join(' , '),
    c_text: d.notes,
    d_text: [d.name.replace(/[-_]/g, ' '), d.res_name.join(' '), d.res_description.join(' '), d.organization ?? '', d.organization_title, d.groups.join(' '), d.group_titles.join(' '), d.author, d.maintainer, d.license, extrasText].join(
      ' , ',
    ),
  }
}
