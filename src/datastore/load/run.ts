import type pg from 'pg'
import type { Kysely } from 'kysely'
import { sql } from 'kysely'
import type { FastifyBaseLogger } from 'fastify'
import type { Config } from '../../config.js'
import type { Database } from '../../db/schema.js'
import type { OutboundPolicy } from '../../net/outbound.js'
import type { BlobStore } from '../../storage/blob-store.js'
import { describeTable } from '../fields.js'
import { addFullTextIndex, fillFullText, tableExists, tableRef, type ColumnSpec } from '../table.js'
import { copyFile, copyRows, demotedColumn } from './copy.js'
import { LoadError, RetryableLoadError } from './errors.js'
import { fetchResourceFile, type FetchedFile } from './fetch.js'
import { TypeGuesser, type GuessedType } from './guess.js'
import { columnNames } from './headers.js'
import { openRowSource } from './source.js'
import { appendLog, loadRow, setStatus, type LoadPayload, type LogLevel } from './status.js'
import { loadTable } from './table-load.js'

/**
 * One automatic load, xloader's steps in-process: fetch the file, read its header and a sample
 * of rows, name and type the columns, COPY every row into a fresh table that replaces the old one
 * at commit, then fill `_full_text` and build its index while the rows are already readable.
 */

export interface LoaderDeps {
  db: Kysely<Database>
  pool: pg.Pool
  storage: BlobStore
  outbound: OutboundPolicy
  config: Config
  log: FastifyBaseLogger
  /** after a successful load: default views, search index, caches (wired by app.ts) */
  afterLoad?: (resourceId: string) => Promise<void>
}

/** Rows read before the columns are typed; a later value that does not fit widens its column to text and the load is redone. */
export const SAMPLE_ROWS = 5000

interface ResourceRow {
  id: string
  url: string | null
  url_type: string | null
  format: string | null
  hash: string | null
  size: number | null
  state: string
  package_name: string
}

export type JobLogger = (level: LogLevel, message: string) => Promise<void>

export async function runLoad(deps: LoaderDeps, payload: LoadPayload): Promise<'done' | 'superseded'> {
  const { db } = deps
  const row = await loadRow(db, payload.resource_id)
  if (!row || row.job_id !== payload.job_id) return 'superseded'
  const log: JobLogger = (level, message) => appendLog(db, payload.resource_id, payload.job_id, level, message)
  const resource = await findResource(db, payload.resource_id)
  if (!resource || resource.state !== 'active') throw new LoadError('Resource was not found.')
  await setStatus(db, resource.id, payload.job_id, 'running')
  await log('INFO', `Express Load starting: /dataset/${resource.package_name}/resource/${resource.id}`)
  if (resource.url_type === 'datastore') {
    await log('INFO', 'Ignoring resource - R/W DataStore resources are managed with the Datastore API')
    await setStatus(db, resource.id, payload.job_id, 'complete')
    return 'done'
  }
  const timeoutMs = deps.config.datastore.loadTimeoutS * 1000
  await log('INFO', resource.url_type === 'upload' ? 'Fetching the uploaded file' : `Fetching from: ${resource.url ?? ''}`)
  const file = await fetchResourceFile(resource, { storage: deps.storage, outbound: deps.outbound, maxBytes: deps.config.datastore.loadMaxMb * 1024 * 1024, signal: AbortSignal.timeout(timeoutMs) })
  try {
    await log('INFO', `Downloaded ok - ${file.size} bytes`)
    if (!payload.ignore_hash && row.file_hash === file.sha256 && (await tableExists(db, resource.id))) {
      await log('INFO', `Ignoring resource - the file hash hasn't changed: ${file.sha256}.`)
      await setStatus(db, resource.id, payload.job_id, 'complete')
      return 'done'
    }
    await log('INFO', `File hash: ${file.sha256}`)
    const count = await loadFile(deps, resource, file, log, timeoutMs)
    await log('INFO', `Data now available to users: ${count} rows`)
    await indexFullText(deps, resource.id, log)
    await deps.afterLoad?.(resource.id).catch((err: unknown) => deps.log.warn({ err, resource: resource.id }, 'after a DataStore load: views, search index or caches not updated'))
    await setStatus(db, resource.id, payload.job_id, 'complete', { fileHash: file.sha256 })
    await log('INFO', 'Express Load completed')
    return 'done'
  } finally {
    await file.dispose()
  }
}

async function findResource(db: Kysely<Database>, id: string): Promise<ResourceRow | undefined> {
  return db.selectFrom('resource as r').innerJoin('package as p', 'p.id', 'r.package_id').select(['r.id', 'r.url', 'r.url_type', 'r.format', 'r.hash', 'r.size', 'r.state', 'p.name as package_name']).where('r.id', '=', id).executeTakeFirst()
}

/** Opens the file, types its columns from a sample, loads it; redone with a column as text when one of its later values does not fit. */
async function loadFile(deps: LoaderDeps, resource: ResourceRow, file: FetchedFile, log: JobLogger, timeoutMs: number): Promise<number> {
  const format = (resource.format ?? '').trim().toLowerCase()
  let source = await openRowSource(format, file)
  await log('INFO', `Reading ${format.toUpperCase()}: ${JSON.stringify(source.info)}`)
  const rows = source.rows[Symbol.asyncIterator]()
  const sample: string[][] = []
  while (sample.length < SAMPLE_ROWS) {
    const next = await rows.next()
    if (next.done) break
    sample.push(next.value)
  }
  const width = Math.max(usedWidth(source.headers), ...sample.map(usedWidth))
  const names = columnNames(Array.from({ length: width }, (_, i) => source.headers[i] ?? ''))
  const guesser = new TypeGuesser(width)
  for (const r of sample) guesser.add(r)
  const types: GuessedType[] = guesser.result()
  const existing = new Map((await describeTable(deps.db, resource.id).catch(() => null))?.map((f) => [f.id, f.info]) ?? [])
  const columns = (): ColumnSpec[] => names.map((n, i) => ({ id: n.id, type: types[i], info: { ...(n.label !== undefined ? { label: n.label } : {}), ...(existing.get(n.id) ?? {}) } }))
  await log('INFO', `Fields: ${JSON.stringify(columns().map((c) => ({ id: c.id, type: c.type })))}`)

  // Postgres parses the file itself when it can read it as is: every sampled row as wide as the header
  let direct = source.direct && width === source.headers.length && sample.every((r) => r.length === width) ? source.direct : undefined
  let input: AsyncIterable<string[]> | null = prefixed(sample, rows)
  if (direct) {
    // the rows are not read here after all: the file goes to COPY as it is
    await input[Symbol.asyncIterator]().return?.()
    input = null
  }
  for (;;) {
    try {
      await log('INFO', direct ? 'Copying the file to the database...' : 'Copying to database...')
      const rowsIn = input
      const plan = direct
      return await loadTable(deps.pool, resource.id, columns(), plan ? (client, table, ids) => copyFile(client, table, ids, plan) : (client, table, ids) => copyRows(client, table, ids, rowsIn ?? source.rows), { timeoutMs })
    } catch (err) {
      const column = demotedColumn(
        err,
        names.map((n) => n.id),
      )
      const index = column === null ? -1 : names.findIndex((n) => n.id === column)
      if (index >= 0 && types[index] !== 'text') {
        await log('WARNING', `Column "${column}" has a value that is not ${types[index]} (${(err as Error).message}): loading it as text`)
        types[index] = 'text'
      } else if (direct && !(err instanceof LoadError) && (err as { code?: string }).code !== '57014') {
        await log('INFO', `Postgres could not read the file as it is (${(err as Error).message}): parsing it here instead`)
        direct = undefined
      } else {
        throw loadFailure(err)
      }
    }
    input = null
    if (!direct) source = await openRowSource(format, file)
  }
}

/** Cells up to the last non-empty one: a trailing delimiter adds no column. */
function usedWidth(row: string[]): number {
  let n = row.length
  while (n > 0 && row[n - 1].trim() === '') n--
  return n
}

async function* prefixed(head: string[][], rest: AsyncIterator<string[]>): AsyncGenerator<string[]> {
  try {
    yield* head
    for (;;) {
      const next = await rest.next()
      if (next.done) return
      yield next.value
    }
  } finally {
    await rest.return?.()
  }
}

/** What the status shows for a failed COPY; the error stays retryable when Postgres was only busy or away. */
function loadFailure(err: unknown): Error {
  if (err instanceof LoadError || err instanceof RetryableLoadError) return err
  const e = err as { code?: string; message?: string }
  if (e?.code === '57014') return new LoadError('Timed out loading into the DataStore (DATASTORE_LOAD_TIMEOUT_S)')
  if (typeof e?.code === 'string' && e.code.length === 5) return new LoadError(`Error during the load into PostgreSQL: ${e.message ?? e.code}`)
  return err instanceof Error ? err : new Error(String(err))
}

/** `_full_text` for every row, then its index and fresh planner statistics; the rows are searchable meanwhile (matched on the fly). */
async function indexFullText(deps: LoaderDeps, resourceId: string, log: JobLogger): Promise<void> {
  try {
    await log('INFO', 'Creating search index...')
    await fillFullText(deps.db, resourceId)
    await addFullTextIndex(deps.db, resourceId)
    await sql`ANALYZE ${tableRef(resourceId)}`.execute(deps.db)
    await log('INFO', '...search index created')
  } catch (err) {
    // the table may have been replaced or dropped meanwhile; its rows stay searchable without the index
    await log('WARNING', `The search index could not be completed: ${(err as Error).message}`)
  }
}
