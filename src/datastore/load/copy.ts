import { createReadStream } from 'node:fs'
import type { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { finished } from 'node:stream/promises'
import type pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import { DATASTORE_SCHEMA, quoteIdent } from '../table.js'
import { LoadError } from './errors.js'
import type { DirectCopy } from './row-source.js'

/**
 * Rows into a table with COPY … FROM STDIN in Postgres' text format: the fastest way in, and
 * Postgres itself checks every value against its column's type (a value that does not fit fails
 * the COPY, naming the column; see demotedColumn). Cells are trimmed (xloader strips whitespace
 * too); an empty cell is NULL, whatever the column's type.
 */

/** Characters the text format escapes; NUL cannot be stored in a Postgres string at all and is dropped. */
const SPECIAL = /[\\\t\n\r\0]/
const SPECIAL_ALL = /[\\\t\n\r\0]/g
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '' }

export function copyValue(cell: string | undefined): string {
  if (cell === undefined) return '\\N'
  const v = cell.trim()
  if (v === '') return '\\N'
  return SPECIAL.test(v) ? v.replace(SPECIAL_ALL, (c) => ESCAPES[c]) : v
}

/** Characters of text gathered before a write: few, large writes to the socket. */
const CHUNK_CHARS = 256 * 1024

/** Sends `rows` to `datastore.<table>`'s `columns`; resolves with the number of rows. */
export async function copyRows(client: pg.PoolClient, table: string, columns: string[], rows: AsyncIterable<string[]>): Promise<number> {
  const target = `${DATASTORE_SCHEMA}.${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')})`
  const stream = client.query(copyFrom(`COPY ${target} FROM STDIN`))
  // the server's refusal arrives as a stream error at any time: remember it rather than crash
  let failure: unknown = null
  stream.on('error', (err) => void (failure ??= err))
  const width = columns.length
  let count = 0
  let buf = ''
  try {
    for await (const row of rows) {
      count++
      if (row.length > width) checkExtraCells(row, width, count)
      let line = copyValue(row[0])
      for (let i = 1; i < width; i++) line += '\t' + copyValue(row[i])
      buf += line + '\n'
      if (buf.length >= CHUNK_CHARS) {
        if (failure) throw failure
        const ok = stream.write(buf)
        buf = ''
        if (!ok) await drained(stream)
      }
    }
    if (failure) throw failure
    stream.end(buf)
    await finished(stream)
  } catch (err) {
    // CopyFail to the server; the caller rolls the transaction back
    if (!stream.destroyed) stream.destroy(err as Error)
    throw failure ?? err
  }
  return count
}

/** Resolves at 'drain', rejects at 'error', and leaves no listener behind either way. */
function drained(stream: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      stream.off('drain', done)
      stream.off('error', done)
      if (err) reject(err)
      else resolve()
    }
    stream.on('drain', done)
    stream.on('error', done)
  })
}

/**
 * The file itself into `datastore.<table>`'s `columns`, Postgres parsing the CSV (xloader's
 * "direct COPY"). Its header line is skipped; empty cells, quoted or not, are NULL (FORCE_NULL);
 * rows with no value at all are dropped after, as the parser here skips them. Resolves with the
 * number of rows kept.
 */
export async function copyFile(client: pg.PoolClient, table: string, columns: string[], plan: DirectCopy): Promise<number> {
  const cols = columns.map(quoteIdent).join(', ')
  const delimiter = plan.delimiter.replace(/'/g, "''")
  const stream = client.query(copyFrom(`COPY ${DATASTORE_SCHEMA}.${quoteIdent(table)} (${cols}) FROM STDIN WITH (FORMAT csv, HEADER true, DELIMITER '${delimiter}', ENCODING '${plan.encoding}', FORCE_NULL (${cols}))`))
  await pipeline(createReadStream(plan.path, { start: plan.start, highWaterMark: 1024 * 1024 }), stream)
  const { rowCount: empty } = await client.query(`DELETE FROM ${DATASTORE_SCHEMA}.${quoteIdent(table)} WHERE ${columns.map((c) => `${quoteIdent(c)} IS NULL`).join(' AND ')}`)
  return stream.rowCount - (empty ?? 0)
}

/** A longer row may only have empty cells past the header's width (a trailing delimiter); anything else would be lost. */
function checkExtraCells(row: string[], width: number, record: number): void {
  for (let i = width; i < row.length; i++) {
    if (row[i].trim() !== '') throw new LoadError(`Row ${record} has a value in column ${i + 1} but the header has only ${width} columns`)
  }
}

/**
 * The column a COPY failed on because a value does not fit its type (Postgres' error class 22,
 * data exception, whose context reads `COPY t, line 5, column edad: "abc"`); null for any other
 * failure. The longest matching name wins, so "a" is not taken for "a b".
 */
export function demotedColumn(err: unknown, columns: string[]): string | null {
  const e = err as { code?: string; where?: string }
  if (typeof e?.code !== 'string' || !e.code.startsWith('22') || typeof e.where !== 'string') return null
  let best: string | null = null
  for (const c of columns) if (e.where.includes(`, column ${c}: `) && (best === null || c.length > best.length)) best = c
  return best
}
