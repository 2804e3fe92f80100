import type pg from 'pg'
import type { ActionContext } from '../../actions/context.js'
import { NotAuthorized, RequestRefused, ValidationError } from '../../errors.js'
import { canReadResource, findDatastoreResource } from '../access.js'
import { DATASTORE_SCHEMA, READER_ROLE } from '../table.js'
import { resolveTable } from '../resolve.js'
import { isQueryError, pgCode } from '../read-transaction.js'
import { functionCalls, SqlLexError, statementCount, tokenize } from './lexer.js'
import { planUse } from './plan-walk.js'
import { functionAllowed } from './allowed-functions.js'
import { convertValue, type TypeInfo } from './values.js'

/**
 * datastore_search_sql: one client SELECT, read-only, as the reader role (which may SELECT only
 * the tables of public, active datasets: a private table stays closed even to its members here),
 * with a statement timeout. Before it runs, its plan says which tables and functions it uses:
 * tables outside the DataStore are refused, each table's resource must be readable by the caller
 * (resource_show), each function must be on the allow-list. The result has at most rows_max rows.
 */

export interface SqlSearchResult {
  sql: string
  records_truncated?: boolean
  records: Record<string, unknown>[]
  fields: { id: string; type: string }[]
}

const NOT_SINGLE = () => new ValidationError({ query: ['Query is not a single statement.'] })
const TEXT_VALUES = { getTypeParser: () => (v: string) => v } as unknown as pg.CustomTypesConfig

export function unavailable(why: string): RequestRefused {
  return new RequestRefused(503, `datastore_search_sql is unavailable: ${why}`, 'Service Unavailable')
}

export async function runSqlSearch(ctx: ActionContext, text: string): Promise<SqlSearchResult> {
  // CKAN refuses any \' (a quote its SQL splitter could misread); kept for the same answer
  if (text.includes("\\'")) throw NOT_SINGLE()
  let tokens
  try {
    tokens = tokenize(text)
  } catch (err) {
    if (err instanceof SqlLexError) throw new ValidationError({ query: [`Query could not be read: ${err.message}`] })
    throw err
  }
  if (statementCount(tokens) > 1) throw NOT_SINGLE()
  if (statementCount(tokens) === 0) throw new ValidationError({ sql: ['Missing value'] })
  // before anything runs (planning may evaluate functions): calls as written
  for (const f of functionCalls(tokens)) if (!functionAllowed(f.schema, f.name)) throw new NotAuthorized(`Not authorized to call function ${f.name}`)

  if (!ctx.pool) throw unavailable('no database pool')
  const { rowsMax, queryTimeoutMs } = ctx.config.datastore
  // a trailing `;` or `-- comment` must not swallow the wrapper: the query gets lines of its own
  const body = text.replace(/[\s;]+$/, '')
  const wrapped = `SELECT * FROM (\n${body}\n) AS blah LIMIT ${rowsMax + 1}`

  const client = await ctx.pool.connect()
  try {
    await client.query('BEGIN READ ONLY')
    const role = await client.query<{ member: boolean | null }>(`SELECT CASE WHEN to_regrole($1) IS NULL THEN NULL ELSE pg_has_role(current_user, to_regrole($1), 'MEMBER') END AS member`, [READER_ROLE])
    if (role.rows[0].member === null) throw unavailable(`the database role ${READER_ROLE} does not exist (the connecting user could not create it; see the DataStore section of the README)`)
    if (!role.rows[0].member) throw unavailable(`the connecting user is not a member of the role ${READER_ROLE}`)
    await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(queryTimeoutMs))}`)
    await client.query('SET LOCAL standard_conforming_strings = on')
    await client.query(`SET LOCAL search_path = ${DATASTORE_SCHEMA}`)
    await client.query(`SET LOCAL ROLE ${READER_ROLE}`)

    const explained = await client.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (VERBOSE, FORMAT JSON) ${wrapped}`)
    const plan = explained.rows[0]['QUERY PLAN']
    const use = planUse(typeof plan === 'string' ? JSON.parse(plan) : plan)
    for (const r of use.relations) {
      if (r.name.startsWith('pg_') || r.schema === 'pg_catalog' || r.schema === 'information_schema') throw new NotAuthorized('Not authorized to access system tables')
    }
    const tables = new Set<string>()
    for (const r of use.relations) {
      if (r.schema !== DATASTORE_SCHEMA) throw new NotAuthorized('Not authorized to read resource.')
      tables.add(r.name)
    }
    for (const name of tables) {
      const table = await resolveTable(ctx.db, name)
      const res = table ? await findDatastoreResource(ctx, table.resourceId) : undefined
      if (!res || !(await canReadResource(ctx, res))) throw new NotAuthorized('Not authorized to read resource.')
    }
    for (const f of use.functions) if (!functionAllowed(f.schema, f.name)) throw new NotAuthorized(`Not authorized to call function ${f.name}`)

    const result = await client.query<unknown[]>({ text: wrapped, rowMode: 'array', types: TEXT_VALUES })
    const oids = [...new Set(result.fields.map((f) => f.dataTypeID))]
    const typeRows = await client.query<{ oid: number; typname: string; elem: string | null }>(
      `SELECT t.oid::int AS oid, t.typname::text AS typname, e.typname::text AS elem
         FROM pg_type t LEFT JOIN pg_type e ON e.oid = t.typelem AND t.typcategory = 'A'
        WHERE t.oid = ANY ($1::oid[])`,
      [oids],
    )
    const types = new Map<number, TypeInfo>(typeRows.rows.map((r) => [r.oid, { typname: r.typname, elem: r.elem }]))
    const fields = result.fields.map((f) => ({ id: f.name, type: types.get(f.dataTypeID)?.typname ?? 'unknown' }))
    const truncated = result.rows.length > rowsMax
    const rows = truncated ? result.rows.slice(0, rowsMax) : result.rows
    const records = rows.map((row) => {
      const o: Record<string, unknown> = {}
      result.fields.forEach((f, i) => (o[f.name] = convertValue(row[i] as string | null, types.get(f.dataTypeID) ?? { typname: 'text', elem: null })))
      return o
    })
    return { sql: text, ...(truncated ? { records_truncated: true } : {}), records, fields }
  } catch (err) {
    const code = pgCode(err)
    if (code === '42501') throw new NotAuthorized('Not authorized to read resource.')
    if (code === '57014') throw new ValidationError({ query: ['Query took too long'] })
    if (isQueryError(code) || code?.startsWith('25')) {
      const message = (err as Error).message
      throw new ValidationError({ query: [message], info: { orig: [message] } })
    }
    throw err
  } finally {
    // nothing to keep: the transaction only read
    await client.query('ROLLBACK').catch(() => undefined)
    client.release()
  }
}
