import { sql, type Kysely } from 'kysely'
import { NotFound, ValidationError } from '../errors.js'
import { setDatastoreActive } from './active.js'
import { createAliases, dropAliases, listAliases } from './aliases.js'
import { describeTable, type FieldInfo } from './fields.js'
import { applyIndexes, type IndexSpec } from './indexes.js'
import { isPgError, pgSummary, translating } from './pg-errors.js'
import { insertRecords, upsertRecords, type UpsertMethod } from './records.js'
import { planFilters } from './search/plan.js'
import { filterConditions } from './search/query.js'
import { addFullTextIndex, createTable, setColumnInfo, syncReaderAccess, tableExists, tableRef, type ColumnSpec } from './table.js'
import { ddlTypeName, guessType, isColumnType, isValidFieldName, nameTooLong } from './types.js'

/**
 * The DataStore's writes (datastore_create, _upsert, _delete): each runs in the caller's
 * transaction, so a refused record or index leaves the table as it was.
 */

/** A field as datastore_create takes it; `type` is filled in when guessed. */
export interface FieldSpec {
  id: string
  type?: unknown
  info?: unknown
}

/**
 * One writer per table at a time (two creates racing to CREATE TABLE, an upsert meeting an
 * ALTER): a transaction-scoped advisory lock keyed by the table. The automatic loader replacing
 * a table can take the same lock.
 */
export async function lockDatastoreTable(trx: Kysely<any>, resourceId: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`datastore:${resourceId}`}, 0))`.execute(trx)
}

function ddlError(err: unknown): unknown {
  return isPgError(err) ? new ValidationError({ fields: [pgSummary(err)] }) : err
}

/** Types that are not Postgres types and names CKAN refuses, in CKAN's order (type first). */
async function checkFields(trx: Kysely<any>, fields: FieldSpec[]): Promise<void> {
  for (const f of fields) {
    if (f.type !== undefined && !(await isColumnType(trx, f.type))) throw new ValidationError({ fields: [`"${String(f.type)}" is not a valid field type`] })
    if (!isValidFieldName(f.id)) throw new ValidationError({ fields: [`"${f.id}" is not a valid field name`] })
  }
  const long = fields.filter((f) => nameTooLong(f.id)).map((f) => `Column heading "${f.id}" exceeds limit of 63 characters.`)
  if (long.length > 0) throw new ValidationError({ fields: long })
}

/** Fields without a type take the one guessed from the first record's value, or cannot be created. */
function guessMissingTypes(fields: FieldSpec[], records: unknown[] | undefined): void {
  const first = records?.[0]
  for (const f of fields) {
    if (f.type !== undefined) continue
    if (first === null || typeof first !== 'object' || Array.isArray(first) || !Object.hasOwn(first, f.id)) {
      throw new ValidationError({ fields: [`"${f.id}" type not guessable`] })
    }
    f.type = guessType((first as Record<string, unknown>)[f.id])
  }
}

/** Columns the first record has that no field (given or existing) names, typed from its values. */
function fieldsFromFirstRecord(records: unknown[] | undefined, known: Set<string>): FieldSpec[] {
  if (!records || records.length === 0) return []
  const first = records[0]
  if (first === null || typeof first !== 'object' || Array.isArray(first)) throw new ValidationError({ records: ['The first row is not a json object'] })
  const extra: FieldSpec[] = []
  for (const [id, value] of Object.entries(first)) {
    if (known.has(id)) continue
    // CKAN made a column of any key here; a key like `_id` or one with `"` cannot be a column
    if (!isValidFieldName(id)) throw new ValidationError({ fields: [`"${id}" is not a valid field name`] })
    if (nameTooLong(id)) throw new ValidationError({ fields: [`Column heading "${id}" exceeds limit of 63 characters.`] })
    extra.push({ id, type: guessType(value) })
  }
  return extra
}

function columnSpec(f: FieldSpec): ColumnSpec {
  const info = f.info !== null && typeof f.info === 'object' && !Array.isArray(f.info) ? (f.info as Record<string, unknown>) : undefined
  return { id: f.id, type: ddlTypeName(String(f.type)), ...(info ? { info } : {}) }
}

export interface TableDefinition {
  resourceId: string
  /** the fields given (their guessed types are written back into them) */
  fields: FieldSpec[]
  records?: unknown[]
  primaryKey?: string[]
  indexes?: IndexSpec[]
  aliases?: string[]
  /** drop existing columns the fields do not name */
  deleteFields: boolean
}

/**
 * datastore_create's work: creates the table or alters it (new columns added, `info` replaced,
 * others dropped with deleteFields), appends the records, replaces the key, indexes and aliases
 * that were given, and marks the resource datastore_active.
 */
export async function defineTable(trx: Kysely<any>, def: TableDefinition): Promise<void> {
  const id = def.resourceId
  await lockDatastoreTable(trx, id)
  const supplied = def.fields
  const exists = await tableExists(trx, id)
  await checkFields(trx, supplied)
  const current = exists ? ((await describeTable(trx, id)) ?? []) : []
  const currentIds = new Set(current.map((f) => f.id))
  const newFields = supplied.filter((f) => !currentIds.has(f.id))
  guessMissingTypes(newFields, def.records)
  if (new Set(supplied.map((f) => f.id)).size !== supplied.length) throw new ValidationError({ field: ['Duplicate column names are not supported'] })
  const added = fieldsFromFirstRecord(def.records, new Set([...currentIds, ...supplied.map((f) => f.id)]))

  if (!exists) {
    await translating(() => createTable(trx, id, [...supplied, ...added].map(columnSpec)), ddlError)
    await addFullTextIndex(trx, id)
  } else {
    const keep = new Set([...supplied.map((f) => f.id), ...added.map((f) => f.id)])
    const dropped = def.deleteFields && supplied.length > 0 ? current.filter((f) => !keep.has(f.id)) : []
    const columnsChange = newFields.length + added.length + dropped.length > 0
    // views list their columns when created (and hold on to them): aliases are dropped and made
    // again over the new columns, unless new ones were given
    const aliasesBefore = columnsChange ? await listAliases(trx, id) : []
    await dropAliases(trx, aliasesBefore)
    await translating(async () => {
      for (const f of [...newFields, ...added].map(columnSpec)) {
        await sql`ALTER TABLE ${tableRef(id)} ADD COLUMN ${sql.id(f.id)} ${sql.raw(f.type)}`.execute(trx)
        if (f.info && Object.keys(f.info).length > 0) await setColumnInfo(trx, id, f.id, f.info)
      }
      for (const f of supplied) {
        if (!currentIds.has(f.id) || f.info === null || typeof f.info !== 'object' || Array.isArray(f.info)) continue
        const info = f.info as Record<string, unknown>
        if (Object.keys(info).length > 0) await setColumnInfo(trx, id, f.id, info)
        else await sql`COMMENT ON COLUMN ${sql.id('datastore', id, f.id)} IS NULL`.execute(trx)
      }
      for (const f of dropped) await sql`ALTER TABLE ${tableRef(id)} DROP COLUMN ${sql.id(f.id)}`.execute(trx)
    }, ddlError)
    if (def.aliases === undefined) await createAliases(trx, id, aliasesBefore)
  }

  const fields = (await describeTable(trx, id)) ?? []
  if (def.records) await insertRecords(trx, id, fields, def.records)
  await applyIndexes(trx, id, new Map(fields.map((f) => [f.id, f.type])), { indexes: def.indexes, primaryKey: def.primaryKey })
  if (def.aliases !== undefined) {
    await dropAliases(trx, await listAliases(trx, id))
    await createAliases(trx, id, def.aliases)
  }
  await syncReaderAccess(trx, id)
  await setDatastoreActive(trx, id, true)
}

/** The table's columns for a write; 404 as CKAN's when the resource has no table. */
async function existingFields(trx: Kysely<any>, resourceId: string): Promise<FieldInfo[]> {
  const fields = await describeTable(trx, resourceId)
  if (!fields) throw missingTable(resourceId)
  return fields
}

export function missingTable(resourceId: string): NotFound {
  return new NotFound(`Resource "${resourceId}" was not found.`)
}

/** datastore_upsert's work; with dryRun every change is undone before returning. */
export async function writeRecords(trx: Kysely<any>, resourceId: string, records: unknown[], method: UpsertMethod, dryRun: boolean): Promise<number> {
  await lockDatastoreTable(trx, resourceId)
  const fields = await existingFields(trx, resourceId)
  if (dryRun) await sql`SAVEPOINT datastore_dry_run`.execute(trx)
  const n = method === 'insert' ? await insertRecords(trx, resourceId, fields, records) : await upsertRecords(trx, resourceId, fields, records, method)
  if (dryRun) await sql`ROLLBACK TO SAVEPOINT datastore_dry_run`.execute(trx)
  return n
}

/**
 * datastore_delete's work: without filters the table goes (its aliases with it) and the resource
 * is no longer datastore_active; with filters (`{}` = every row) the matching rows go.
 */
export async function deleteRows(trx: Kysely<any>, resourceId: string, filters: Record<string, unknown> | undefined): Promise<void> {
  await lockDatastoreTable(trx, resourceId)
  const fields = await existingFields(trx, resourceId)
  if (filters === undefined) {
    await sql`DROP TABLE ${tableRef(resourceId)} CASCADE`.execute(trx)
    await setDatastoreActive(trx, resourceId, false)
    return
  }
  const conditions = filterConditions(planFilters([{ id: '_id', type: 'int4' }, ...fields], filters), (column) => sql.id('t', column))
  const where = conditions.length > 0 ? sql`WHERE ${sql.join(conditions, sql` AND `)}` : sql``
  await translating(
    () => sql`DELETE FROM ${tableRef(resourceId)} AS t ${where}`.execute(trx),
    (err) => (isPgError(err) ? new ValidationError({ filters: [pgSummary(err)] }) : err),
  )
}

/** CKAN's calculate_record_count: fresh statistics, so estimated totals are close. */
export async function analyzeTable(trx: Kysely<any>, resourceId: string): Promise<void> {
  await sql`ANALYZE ${tableRef(resourceId)}`.execute(trx)
}
