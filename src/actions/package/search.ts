import { defineAction } from '../define.js'
import { parseJsonParam } from '../input-check.js'
import type { ActionContext } from '../context.js'
import { SearchConnectionError, SearchError, SearchQueryError, ValidationError } from '../../errors.js'
import { searchLabels } from '../../auth/authz.js'
import { parseQuery, parseSort } from '../../search/solr-query.js'
import { facetable } from '../../search/fields.js'
import { SearchBackendError, type SearchCorrection, type SearchRequest } from '../../search/port.js'
import { RawJson } from '../../cache/read-cache.js'
import { searchFacets, type FacetCounts, type SearchFacet } from '../../search/facets.js'
import { projectFields } from '../../search/fl.js'
import { utcIso } from '../../search/document.js'
import { fromPg } from '../../model/time.js'
import { sql } from 'kysely'
import { packageDicts } from '../../model/package-dict.js'
import { packageCacheEntry, packageIdKey } from './show.js'
import { HIDE_SOURCES_FQ, isHarvestSource, showsSources } from '../../harvest/sources/show.js'
import { sourceShowFields } from '../../harvest/sources/sources.js'

const DEFAULT_SORT = 'score desc, metadata_modified desc'
/** package_search's page when `rows` is not given, and the most it returns (ckan.search.rows_max) */
export const ROWS_DEFAULT = 10
export const ROWS_MAX = 1000
const FACET_LIMIT = 50

/** ckan/lib/search/query.py VALID_SOLR_PARAMETERS plus what package_search itself consumes. */
const ALLOWED = new Set([
  'q',
  'fl',
  'fq',
  'rows',
  'sort',
  'start',
  'wt',
  'qf',
  'bf',
  'boost',
  'facet',
  'facet.mincount',
  'facet.limit',
  'facet.field',
  'extras',
  'fq_list',
  'tie',
  'defType',
  'mm',
  'df',
  'include_private',
  'include_drafts',
  'include_deleted',
  'use_default_schema',
  'callback',
  '_',
])

export default defineAction({
  name: 'package_search',
  description:
    "Search datasets with CKAN's Solr syntax.\n\nParams: q (Solr query; words without a field search everything, accent- and typo-tolerant, Spanish stemming), fq, fq_list, sort (default 'score desc, metadata_modified desc'), rows (default 10, at most 1000), start, facet, facet.field (JSON list), facet.limit (default 50, negative = all), facet.mincount, include_private, include_drafts, include_deleted, fl.\n\nReturns {count, facets, results, sort, search_facets}; results are package_show dicts.",
  sideEffectFree: true,
  params: {
    type: 'object',
    additionalProperties: true,
    properties: {
      q: { type: 'string' },
      fq: { type: 'string' },
      fq_list: { type: 'array', items: { type: 'string' } },
      sort: { type: 'string' },
      rows: { type: 'integer', minimum: 0 },
      start: { type: 'integer', minimum: 0 },
      facet: { type: 'string' },
      'facet.field': {},
      'facet.limit': { type: 'integer' },
      'facet.mincount': { type: 'integer', minimum: 0 },
      include_private: { type: 'boolean' },
      include_drafts: { type: 'boolean' },
      include_deleted: { type: 'boolean' },
      use_default_schema: { type: 'boolean' },
      fl: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
    },
  },
  auth: 'public',
  handler: async (ctx, p) => {
    const raw = p as Record<string, unknown>
    const facetFields = facetFieldList(raw['facet.field'])
    const unknown = Object.keys(raw).filter((k) => !ALLOWED.has(k) && !k.startsWith('ext_'))
    if (unknown.length) throw new SearchQueryError(`Invalid search parameters: [${unknown.map((k) => `'${k}'`).join(', ')}]`)
    for (const key of ['sort', 'qf', 'bf', 'boost', 'mm', 'tie', 'defType', 'df']) {
      const v = raw[key]
      if (typeof v === 'string' && v.trim().startsWith('{!')) throw new SearchError(`Local parameters are not supported in param '${key}'.`)
    }

    const qText = p.q === undefined || ['', '""', "''"].includes(p.q.trim()) ? '' : p.q
    const fqs = [p.fq ?? '', ...(p.fq_list ?? [])]
    const query = parseQuery(qText, { mode: 'q' })
    const filters = fqs.filter((f) => f.trim() !== '').map((f) => parseQuery(f, { mode: 'fq' }))
    // harvest sources are datasets too, listed only when the filter asks for them (ckanext-harvest)
    if (!showsSources(fqs)) filters.push(parseQuery(HIDE_SOURCES_FQ, { mode: 'fq' }))
    const sortText = p.sort === undefined || p.sort === null || p.sort.trim() === '' || p.sort === 'rank' ? DEFAULT_SORT : p.sort
    const sort = parseSort(sortText)

    // CKAN adds its state clause unless the client wrote its own `+state` filter
    const ownState = fqs.some((f) => f.includes('+state'))
    const states = ownState ? ['active', 'draft', 'deleted'] : ['active', ...(p.include_drafts ? ['draft'] : []), ...(p.include_deleted ? ['deleted'] : [])]
    const facetsOn = (p.facet ?? 'true').toLowerCase() !== 'false'
    const wanted = facetsOn ? facetFields : []
    const req: SearchRequest = {
      query,
      filters,
      visibility: { labels: await searchLabels(ctx), states, includePrivate: p.include_private === true },
      sort,
      rows: Math.min(p.rows ?? ROWS_DEFAULT, ROWS_MAX),
      start: p.start ?? 0,
      facetFields: wanted.filter(facetable),
      facetLimit: p['facet.limit'] ?? FACET_LIMIT,
      facetMincount: p['facet.mincount'] ?? 1,
    }
    let answer: SearchAnswer
    try {
      answer = await cachedSearch(ctx, req, wanted)
    } catch (err) {
      if (err instanceof SearchBackendError) {
        ctx.log.error({ err }, 'search backend failed')
        throw new SearchConnectionError()
      }
      throw err
    }
    const fl = p.fl === undefined ? null : flFields(p.fl)
    let results: string
    if (fl && fl.every((f) => ROW_FIELDS.has(f))) results = await rowFields(ctx, answer.ids, fl)
    else {
      const rendered = await renderDatasets(ctx, answer.ids)
      results = fl ? JSON.stringify(rendered.map((r) => projectFields(JSON.parse(r) as Record<string, unknown>, fl))) : `[${rendered.join(',')}]`
    }
    const json = `{"count":${answer.count},"facets":${JSON.stringify(answer.facets)},"results":${results},"sort":${JSON.stringify(sortText)},"search_facets":${JSON.stringify(answer.search_facets)}}`
    return new PackageSearchJson(json, answer.corrections)
  },
})

/**
 * package_search's answer: CKAN's JSON, exactly, plus what the search learnt that CKAN's answer
 * has no place for (the typo corrections it applied), readable by in-process callers that run
 * the action through the runner (the portal's search page). The HTTP layer and `ctx.call` only
 * ever read the JSON text, so API clients never see it.
 */
export class PackageSearchJson extends RawJson {
  constructor(
    json: string,
    readonly corrections: SearchCorrection[] | undefined,
  ) {
    super(json)
  }
}

/** What a search answers before its datasets are rendered. */
interface SearchAnswer {
  count: number
  ids: string[]
  facets: Record<string, Record<string, number>>
  search_facets: Record<string, SearchFacet>
  corrections?: SearchCorrection[]
}

/**
 * Like Solr's query result and filter caches: the same search (same query tree, filters, sort,
 * page, facets and caller labels) is answered from memory until the next write anywhere clears
 * the read cache. Popular searches and facet clicks repeat; counting a broad filter over a large
 * catalogue is the expensive part of a search in Postgres. The facets' display names (group
 * titles) are kept with it: a write that changes them clears the cache too.
 */
async function cachedSearch(ctx: ActionContext, req: SearchRequest, wanted: string[]): Promise<SearchAnswer> {
  const key = `search:${JSON.stringify([req, wanted])}`
  const hit = ctx.cache.get(key)
  if (hit) return hit.raw.value() as SearchAnswer
  const generation = ctx.cache.generation
  const result = await ctx.search.search(req)
  const counts: FacetCounts = Object.fromEntries(wanted.map((f) => [f, (Object.hasOwn(result.facets, f) ? result.facets[f] : undefined) ?? []]))
  const answer: SearchAnswer = {
    count: result.count,
    ids: result.ids,
    facets: Object.fromEntries(Object.entries(counts).map(([f, pairs]) => [f, Object.fromEntries(pairs)])),
    search_facets: await searchFacets(ctx.db, counts),
    corrections: result.corrections,
  }
  ctx.cache.set([key], { raw: new RawJson(JSON.stringify(answer)), meta: NO_META }, generation)
  return answer
}

const NO_META = { id: '', state: 'active', private: false, owner_org: null, creator_user_id: null }

/**
 * The package_show JSON of each result, in order: from the read cache package_show fills (the
 * search already applied visibility), else rendered from Postgres and cached for both. Results
 * are therefore exactly what package_show says now (CKAN returns the dict as of the last index).
 */
async function renderDatasets(ctx: ActionContext, ids: string[]): Promise<string[]> {
  const generation = ctx.cache.generation
  const out = ids.map((id) => ctx.cache.get(packageIdKey(id))?.raw.json)
  const missing = ids.filter((_, i) => out[i] === undefined)
  if (missing.length) {
    const dicts = new Map((await packageDicts(ctx.db, missing, ctx.config.siteUrl)).map((d) => [d.id as string, d]))
    for (const [i, id] of ids.entries()) {
      if (out[i] !== undefined) continue
      const dict = dicts.get(id)
      if (!dict) continue
      // sources carry their live status, which no API write announces: rendered every time, never cached
      if (isHarvestSource(dict)) {
        out[i] = JSON.stringify(await sourceShowFields(ctx.db, dict))
        continue
      }
      const entry = packageCacheEntry(dict)
      ctx.cache.set([packageIdKey(id)], entry, generation)
      out[i] = entry.raw.json
    }
  }
  // a dataset purged between the search and the rendering is left out
  return out.filter((r): r is string => r !== undefined)
}

/**
 * `fl` fields that are columns of the dataset's own row: read straight from it, without building
 * (and caching) whole dataset dicts. Sitemaps and id listings page through 100k datasets this way.
 */
const ROW_FIELDS = new Set(['id', 'name', 'metadata_created', 'metadata_modified'])

async function rowFields(ctx: ActionContext, ids: string[], fl: string[]): Promise<string> {
  if (ids.length === 0) return '[]'
  const rows = await ctx.db
    .selectFrom('package')
    .select(['id', 'name', sql<string>`metadata_created::text`.as('created'), sql<string>`metadata_modified::text`.as('modified')])
    .where('id', 'in', ids)
    .execute()
  const byId = new Map(rows.map((r) => [r.id, r]))
  const out: Array<Record<string, string>> = []
  for (const id of ids) {
    const r = byId.get(id)
    // a dataset purged between the search and this read is left out, as renderDatasets does
    if (!r) continue
    const values: Record<string, string> = { id: r.id, name: r.name, metadata_created: utcIso(fromPg(r.created)), metadata_modified: utcIso(fromPg(r.modified)) }
    out.push(Object.fromEntries(fl.map((f) => [f, values[f]])))
  }
  return JSON.stringify(out)
}

/** facet.field: a JSON list of strings, given as a list or as its JSON text (CKAN's convert_to_json_if_string + list_of_strings). */
function facetFieldList(v: unknown): string[] {
  if (v === undefined || v === null || v === '') return []
  let value: unknown = v
  if (typeof v === 'string') {
    const parsed = parseJsonParam('facet.field', v)
    if (!parsed) throw ValidationError.field('facet.field', 'Could not parse as valid JSON')
    value = parsed.value
  }
  if (!Array.isArray(value)) throw ValidationError.field('facet.field', 'Not a list')
  for (const item of value) if (typeof item !== 'string') throw ValidationError.field('facet.field', `Not a string: ${JSON.stringify(item)}`)
  return value as string[]
}

function flFields(fl: string | string[]): string[] {
  const text = Array.isArray(fl) ? fl.join(' ') : fl
  return text.split(/[\s,]+/).filter(Boolean)
}
