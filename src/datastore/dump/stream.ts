import { sql, type Kysely } from 'kysely'
import type pg from 'pg'
import pgCopy from 'pg-copy-streams'
import type { SearchPlan } from '../search/plan.js'
import { bindLiteral, searchSql, type SearchSource } from '../search/query.js'
import { copyCsvRow } from '../search/csv.js'
import { csvDelimiter, dumpEnd, dumpStart, jsonRecord, xmlRow, type DumpFormat } from './writers.js'

/**
 * A whole dump as a stream of chunks, memory flat whatever the table's size: CSV and TSV straight
 * from Postgres' `COPY (SELECT ...) TO STDOUT` (pg-copy-streams), JSON and XML from a server-side
 * cursor fetched a batch at a time. Both read in one read-only transaction, so the file is one
 * snapshot. Stopping early (the client went away) ends the transaction and, mid-COPY, discards
 * the connection rather than return it to the pool busy.
 */

const CURSOR_BATCH = 2000
/** bytes of COPY output sent at a time */
const BATCH_BYTES = 64 * 1024

export interface DumpSource {
  db: Kysely<any>
  /** for COPY; without it CSV/TSV go through the cursor too, formatted as COPY would */
  pool?: pg.Pool
}

export interface DumpRequest {
  plan: SearchPlan
  source: SearchSource
  textConfig: string
  format: DumpFormat
  bom: boolean
}

export function dumpChunks(src: DumpSource, req: DumpRequest): AsyncGenerator<string | Buffer> {
  if ((req.format === 'csv' || req.format === 'tsv') && src.pool) return copyDump(src.db, src.pool, req)
  return cursorDump(src.db, req)
}

async function* copyDump(db: Kysely<any>, pool: pg.Pool, req: DumpRequest): AsyncGenerator<string | Buffer> {
  const format = req.format as 'csv' | 'tsv'
  // COPY takes no parameters: the query's values are literals (quoted for standard_conforming_strings, set below)
  const query = searchSql(req.plan, req.source, req.textConfig, bindLiteral).rows('text').compile(db)
  if (query.parameters.length > 0) throw new Error('COPY query with parameters')
  const delimiter = format === 'csv' ? "','" : "E'\\t'"
  const client = await pool.connect()
  let clean = false
  try {
    await client.query('BEGIN READ ONLY')
    await client.query('SET LOCAL standard_conforming_strings = on')
    const copy = client.query(pgCopy.to(`COPY (${query.sql}) TO STDOUT WITH (FORMAT csv, DELIMITER ${delimiter})`))
    const rows = copy[Symbol.asyncIterator]() as AsyncIterator<Buffer>
    // the first rows come once the query runs: its errors (a value of the wrong type) surface before any byte is sent
    let next = await rows.next()
    yield dumpStart(format, req.plan.output, req.bom)
    // Postgres sends a message per row: written one by one, the socket writes cost more than the rows
    let batch: Buffer[] = []
    let size = 0
    while (!next.done) {
      batch.push(next.value)
      size += next.value.length
      if (size >= BATCH_BYTES) {
        yield Buffer.concat(batch, size)
        batch = []
        size = 0
      }
      next = await rows.next()
    }
    if (size > 0) yield Buffer.concat(batch, size)
    await client.query('COMMIT')
    clean = true
  } finally {
    // an unfinished COPY leaves the connection mid-protocol: destroy it
    client.release(clean ? undefined : new Error('dump stopped'))
  }
}

async function* cursorDump(db: Kysely<any>, req: DumpRequest): AsyncGenerator<string | Buffer> {
  const q = searchSql(req.plan, req.source, req.textConfig)
  const text = req.format === 'csv' || req.format === 'tsv'
  const trx = await db.startTransaction().setAccessMode('read only').execute()
  let done = false
  try {
    await sql`DECLARE dump_cursor NO SCROLL CURSOR FOR ${text ? q.rows('text') : sql`SELECT row_to_json(r)::text AS j FROM (${q.rows('json')}) AS r`}`.execute(trx)
    const fetch = async () => (await sql<Record<string, string | null>>`FETCH ${sql.raw(String(CURSOR_BATCH))} FROM dump_cursor`.execute(trx)).rows
    // as with COPY: the first batch is read before any byte is sent
    let rows = await fetch()
    yield dumpStart(req.format, req.plan.output, req.bom)
    const keys = req.plan.output.map((_, i) => `c${i}`)
    let first = true
    for (; rows.length > 0; rows = await fetch()) {
      let chunk = ''
      for (const row of rows) {
        if (text) {
          chunk += copyCsvRow(
            keys.map((k) => row[k]),
            csvDelimiter(req.format as 'csv' | 'tsv'),
          )
          continue
        }
        const o = JSON.parse(row.j!) as Record<string, unknown>
        const values = keys.map((k) => o[k])
        chunk += req.format === 'json' ? jsonRecord(values, first) : xmlRow(req.plan.output, values)
        first = false
      }
      yield chunk
    }
    yield dumpEnd(req.format)
    await trx.commit().execute()
    done = true
  } finally {
    if (!done)
      await trx
        .rollback()
        .execute()
        .catch(() => undefined)
  }
}
