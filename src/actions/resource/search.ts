import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely'
import type { Database, ResourceRow } from '../../db/schema.js'
import { ValidationError } from '../../errors.js'
import { defineAction } from '../define.js'
import { visiblePackages } from '../../auth/authz.js'
import { resourceDict } from '../../model/package-dict.js'
import { containsPattern } from '../user/dict.js'
import type { ActionContext } from '../context.js'

/** CKAN's CORE_RESOURCE_COLUMNS: the only columns a query may name (id, package_id, state… are not among them). */
const TEXT_FIELDS = ['url', 'format', 'description', 'hash', 'name', 'resource_type', 'mimetype', 'mimetype_inner', 'cache_url', 'url_type'] as const
const DATE_FIELDS = ['created', 'last_modified', 'metadata_modified', 'cache_last_updated'] as const
type TextField = (typeof TEXT_FIELDS)[number]
type DateField = (typeof DATE_FIELDS)[number]

/** Every attribute of CKAN's Resource model, which is what order_by accepts; anything else is ignored. */
const ORDER_FIELDS = new Set(['id', 'package_id', 'position', 'state', 'size', ...TEXT_FIELDS, ...DATE_FIELDS])

const PAIRS = 'Must be <field>:<value> pair(s)'

/** CKAN's resource_search errors carry a plain string, not a list. */
function queryError(message: string): ValidationError {
  return new ValidationError({ query: message })
}

/** `field:term` strings → pairs, split at the first colon. */
function parsePairs(query: unknown): [string, string][] {
  const list = typeof query === 'string' ? [query] : query
  if (!Array.isArray(list)) throw queryError(PAIRS)
  return list.map((item) => {
    if (typeof item !== 'string') throw queryError(PAIRS)
    const i = item.indexOf(':')
    if (i < 0) throw queryError(PAIRS)
    return [item.slice(0, i), item.slice(i + 1)]
  })
}

/**
 * The legacy `fields` dict (CKAN ≤ 2.9): each value is split on whitespace and every word must
 * match, as CKAN did. 2.11 ignores it and answers "Missing value"; accepting it costs nothing.
 */
function legacyPairs(fields: Record<string, unknown>): [string, string][] {
  return Object.entries(fields).flatMap(([field, terms]) => {
    const list = typeof terms === 'string' ? terms.split(/\s+/).filter((s) => s !== '') : Array.isArray(terms) ? terms : [terms]
    return list.map((term): [string, string] => [field, String(term)])
  })
}

/** A date or naive timestamp, checked here so Postgres never gets a value it would reject. */
function parseTimestamp(term: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,6})?)?)?$/.exec(term.trim())
  if (!m) return null
  const [y, mo, d, h = 0, mi = 0, s = 0] = m.slice(1, 7).map((v) => (v === undefined ? undefined : Number(v)))
  const date = new Date(Date.UTC(y!, mo! - 1, d!, h, mi, s))
  // Date.UTC rolls 2023-02-30 over to March: a changed field means the date does not exist
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo! - 1 || date.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return null
  return term.trim().replace(' ', 'T')
}

type Filter = (eb: ExpressionBuilder<Database, 'resource' | 'package'>) => Expression<SqlBool>

/**
 * Resource extras have no fixed list here (CKAN reads `ckan.extra_resource_fields`): a key counts
 * as a field once some resource of a public dataset carries it, so hidden datasets reveal no keys.
 */
async function knownExtras(ctx: ActionContext, keys: string[]): Promise<Set<string>> {
  const known = new Set<string>()
  for (const key of keys) {
    const hit = await ctx.db
      .selectFrom('resource')
      .innerJoin('package', 'package.id', 'resource.package_id')
      .select('resource.id')
      .where('resource.state', '=', 'active')
      .where(visiblePackages({ ...ctx, caller: { user: null } }))
      .where(sql<SqlBool>`resource.extras ? ${key}`)
      .limit(1)
      .executeTakeFirst()
    if (hit) known.add(key)
  }
  return known
}

async function filtersFor(ctx: ActionContext, pairs: [string, string][]): Promise<Filter[]> {
  const core = new Set<string>([...TEXT_FIELDS, ...DATE_FIELDS, 'size'])
  const extras = await knownExtras(ctx, [...new Set(pairs.map(([f]) => f).filter((f) => !core.has(f)))])
  return pairs.map(([field, term]): Filter => {
    if (field === 'hash') {
      const prefix = `${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
      return (eb) => eb('resource.hash', 'ilike', prefix)
    }
    if ((TEXT_FIELDS as readonly string[]).includes(field)) {
      const col = `resource.${field as TextField}` as const
      return (eb) => eb(col, 'ilike', containsPattern(term))
    }
    if (field === 'size') {
      if (!/^\s*-?\d{1,18}\s*$/.test(term)) throw queryError(`Field "size" needs an integer, not "${term}".`)
      const size = term.trim()
      // as text cast in SQL: a JS number would round values past 2^53
      return () => sql<SqlBool>`resource.size = ${size}::bigint`
    }
    if ((DATE_FIELDS as readonly string[]).includes(field)) {
      const when = parseTimestamp(term)
      if (when === null) throw queryError(`Field "${field}" needs a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS), not "${term}".`)
      const col = sql.ref(`resource.${field as DateField}`)
      return () => sql<SqlBool>`${col} = ${when}::timestamp`
    }
    if (extras.has(field)) {
      // matched inside the JSON as a value of that key, not CKAN's match on the serialised blob (no false positives)
      const pattern = containsPattern(term)
      return () => sql<SqlBool>`resource.extras ->> ${field} ILIKE ${pattern}`
    }
    throw queryError(`Field "${field}" not recognised in resource_search.`)
  })
}

export default defineAction({
  name: 'resource_search',
  description:
    'Search the resources of active public datasets (private, draft and deleted datasets never appear, whoever asks, as in CKAN).\n\nParams: query (required): "field:term" or a list of them, all ANDed; text fields match a case-insensitive substring, hash a prefix, size and dates equality, other names are resource extras (their value contains the term); fields: legacy {field: terms} dict; order_by: a resource attribute (unknown ones are ignored); offset, limit. Result: {count, results} with resource_show dicts; count ignores offset and limit.',
  sideEffectFree: true,
  params: {
    type: 'object',
    additionalProperties: true,
    properties: {
      query: { type: ['string', 'array'], items: { type: 'string' }, description: '"field:term" or a list of them' },
      fields: { type: 'object', description: 'deprecated: {field: "term1 term2"}, used when query is absent' },
      order_by: { type: 'string', description: 'a resource attribute, ascending' },
      offset: { type: 'integer', minimum: 0 },
      limit: { type: 'integer', minimum: 0 },
    },
  },
  auth: 'public',
  handler: async (ctx, p) => {
    const raw = p as Record<string, unknown>
    let pairs: [string, string][]
    if (raw.query !== undefined && raw.query !== null) pairs = parsePairs(raw.query)
    else if (p.fields !== undefined && p.fields !== null) pairs = legacyPairs(p.fields as Record<string, unknown>)
    else throw queryError('Missing value')
    const filters = await filtersFor(ctx, pairs)

    // CKAN ignores the caller's rights here: only public active datasets, even for sysadmins
    const base = ctx.db
      .selectFrom('resource')
      .innerJoin('package', 'package.id', 'resource.package_id')
      .where('resource.state', '=', 'active')
      .where(visiblePackages({ ...ctx, caller: { user: null } }))
      .where((eb) => eb.and(filters.map((f) => f(eb))))

    const { count } = await base.select((eb) => eb.fn.countAll<string>().as('count')).executeTakeFirstOrThrow()
    let rows = base.select(sql<ResourceRow>`to_json(resource)`.as('r'))
    if (p.order_by !== undefined && ORDER_FIELDS.has(p.order_by)) rows = rows.orderBy(sql.ref(`resource.${p.order_by}`))
    // a stable order, so pages never overlap
    rows = rows.orderBy('resource.package_id').orderBy('resource.position').orderBy('resource.id')
    if (p.offset) rows = rows.offset(p.offset)
    if (p.limit !== undefined) rows = rows.limit(p.limit)
    const results = (await rows.execute()).map((row) => resourceDict(row.r, ctx.config.siteUrl))
    return { count: Number(count), results }
  },
})
