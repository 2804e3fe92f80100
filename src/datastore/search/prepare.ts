import { sql, type Kysely } from 'kysely'
import type { ActionContext } from '../../actions/context.js'
import { NotFound, ValidationError } from '../../errors.js'
import { requireReadResource } from '../access.js'
import { resolveTable } from '../resolve.js'
import { describeTable } from '../fields.js'
import { DATASTORE_SCHEMA, quoteIdent, tableRef } from '../table.js'
import { planSearch, type Column, type SearchOptions, type SearchPlan } from './plan.js'
import type { SearchSource } from './query.js'
import { TABLE_METADATA, TABLE_METADATA_COLUMNS, tableMetadataSource } from './table-metadata.js'

/**
 * The steps every DataStore read shares (datastore_search, the dump): find the table by id or
 * alias (404 first, as CKAN), apply resource_show's rule to its resource, read its columns and
 * plan the search against them.
 */

export interface PreparedSearch {
  /** the table's resource (an alias dereferenced), or `_table_metadata` */
  resourceId: string
  plan: SearchPlan
  source: SearchSource
  /** the relation whose statistics may estimate the total (none for `_table_metadata`) */
  estimateFrom?: string
}

/** CKAN's unicode_or_json_validator: a string holding a JSON object is that object. */
export function textOrObject(q: unknown): string | Record<string, unknown> | undefined {
  if (typeof q === 'string' && q.trimStart().startsWith('{')) {
    try {
      const v: unknown = JSON.parse(q)
      if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>
    } catch {
      // a query that merely starts with a brace
    }
  }
  return q as string | Record<string, unknown> | undefined
}

export async function prepareSearch(ctx: ActionContext, name: string, opts: SearchOptions): Promise<PreparedSearch> {
  if (name === TABLE_METADATA) {
    // it has no `_full_text`: only per-column text queries apply
    if (typeof opts.q === 'string' && opts.q !== '') throw new ValidationError({ q: [`invalid value "${opts.q}"`] })
    if (opts.full_text) throw new ValidationError({ full_text: [`invalid value "${opts.full_text}"`] })
    return { resourceId: name, plan: planSearch(TABLE_METADATA_COLUMNS, opts), source: tableMetadataSource(ctx) }
  }
  const table = await resolveTable(ctx.db, name)
  if (!table) throw new NotFound(`Resource "${name}" was not found.`)
  const resourceId = table.resourceId
  await requireReadResource(ctx, resourceId)
  const described = await describeTable(ctx.db, resourceId, { withId: true })
  if (!described) throw new NotFound(`Resource "${name}" was not found.`)
  // CKAN reports the row id as `int` whatever its storage
  const columns: Column[] = described.map((f) => (f.id === '_id' ? { id: '_id', type: 'int' } : f.info ? { id: f.id, type: f.type, info: f.info } : { id: f.id, type: f.type }))
  const plan = planSearch(columns, opts)
  const regclass = `${DATASTORE_SCHEMA}.${quoteIdent(resourceId)}`
  const fullTextIndexed = plan.textQueries.some((tq) => tq.column === null) && (await hasFullTextIndex(ctx.db, regclass))
  return { resourceId, plan, source: { from: tableRef(resourceId), fullText: true, fullTextIndexed }, estimateFrom: regclass }
}

async function hasFullTextIndex(db: Kysely<any>, regclass: string): Promise<boolean> {
  const { rows } = await sql<{ ok: boolean }>`
    SELECT EXISTS (SELECT 1 FROM pg_index x JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = ANY (x.indkey)
                    WHERE x.indrelid = to_regclass(${regclass}) AND a.attname = '_full_text') AS ok`.execute(db)
  return rows[0]?.ok === true
}

/** A plan's output as datastore_search lists it under `fields`. */
export function resultFields(plan: SearchPlan): Column[] {
  return plan.output.map((c) => (c.info ? { id: c.id, type: c.type, info: c.info } : { id: c.id, type: c.type }))
}
