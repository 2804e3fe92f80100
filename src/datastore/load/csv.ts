import { createReadStream } from 'node:fs'
import { Readable } from 'node:stream'
import { isUtf8 } from 'node:buffer'
import { parse } from 'csv-parse'
import iconv from 'iconv-lite'
import { detectDelimiter } from '../../preview/delimited.js'
import { withoutCutCharacter } from '../../preview/decode.js'
import { LoadError } from './errors.js'
import type { LoadFile, RowSource } from './row-source.js'

/**
 * CSV and TSV as a RowSource. The encoding is decided on the whole file, not its start: a
 * Latin-1 export is often plain ASCII for thousands of lines before the first "Año". So one quick
 * pass checks that every byte is valid UTF-8 (native, ~1 GB/s) before the rows are read; when it
 * is not, the file is Windows-1252 (a superset of Latin-1's printable range, what Excel writes).
 */

export type DelimitedEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'windows-1252'

const SNIFF_BYTES = 64 * 1024

export async function openDelimited(file: LoadFile, format: 'csv' | 'tsv'): Promise<RowSource> {
  const head = await readHead(file.path, SNIFF_BYTES)
  if (looksBinary(head)) throw new LoadError('The file is not text (is it a spreadsheet or an archive under a CSV label?)')
  const encoding = await detectEncoding(file.path, head)
  const skip = encoding === 'utf-8-bom' ? 3 : encoding === 'utf-16le' || encoding === 'utf-16be' ? 2 : 0
  const sample = decode(head.subarray(skip), encoding)
  const delimiter = format === 'tsv' ? '\t' : detectDelimiter(sample)
  const parser = parse({ delimiter, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, skip_records_with_empty_values: true })
  const text = createReadStream(file.path, { start: skip, highWaterMark: 256 * 1024 })
  const decoded: Readable = encoding === 'utf-8' || encoding === 'utf-8-bom' ? text.setEncoding('utf8') : (text.pipe(iconv.decodeStream(iconvName(encoding))) as unknown as Readable)
  text.on('error', (err) => parser.destroy(err))
  decoded.on('error', (err: Error) => parser.destroy(err))
  decoded.pipe(parser)
  const records = parser[Symbol.asyncIterator]() as AsyncIterator<string[]>
  let first: IteratorResult<string[]>
  try {
    first = await records.next()
  } catch (err) {
    text.destroy()
    throw unreadable(err)
  }
  if (first.done) {
    text.destroy()
    throw new LoadError('The file has no rows')
  }
  const direct = (encoding === 'utf-8' || encoding === 'utf-8-bom' || encoding === 'windows-1252') && !(await hasBlankLines(file, head))
  return {
    headers: first.value,
    rows: rest(records, text),
    info: { encoding, delimiter },
    ...(direct ? { direct: { path: file.path, start: skip, delimiter, encoding: encoding === 'windows-1252' ? ('WIN1252' as const) : ('UTF8' as const) } } : {}),
  }
}

async function* rest(records: AsyncIterator<string[]>, file: Readable): AsyncGenerator<string[]> {
  try {
    for (;;) {
      let next: IteratorResult<string[]>
      try {
        next = await records.next()
      } catch (err) {
        throw unreadable(err)
      }
      if (next.done) return
      yield next.value
    }
  } finally {
    // a consumer that stops early (a load redone with other types) must not leave the file open
    file.destroy()
    await records.return?.()
  }
}

function unreadable(err: unknown): Error {
  if (err instanceof LoadError) return err
  const e = err as { code?: string; message?: string; lines?: number }
  if (typeof e?.code === 'string' && e.code.startsWith('CSV_')) return new LoadError(`The CSV could not be read${e.lines ? ` near line ${e.lines}` : ''}: ${e.message ?? e.code}`)
  return err instanceof Error ? err : new Error(String(err))
}

function readHead(path: string, max: number): Promise<Buffer> {
  return readRange(path, 0, max)
}

/**
 * Blank lines at the start or the end of the file (Excel leaves some): Postgres' COPY reads
 * them as rows with missing columns, so such files go to the parser here at once.
 */
async function hasBlankLines(file: LoadFile, head: Buffer): Promise<boolean> {
  const blank = /\n[ \t\r]*\n|\n[ \t\r]+$/
  if (blank.test(head.toString('latin1'))) return true
  if (file.size <= head.length) return false
  const tail = await readRange(file.path, Math.max(0, file.size - 4096), file.size)
  return blank.test(tail.toString('latin1'))
}

async function readRange(path: string, start: number, end: number): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of createReadStream(path, { start, end: end - 1 }) as AsyncIterable<Buffer>) chunks.push(chunk)
  return Buffer.concat(chunks)
}

function looksBinary(head: Buffer): boolean {
  const bom16 = (head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)
  return !bom16 && head.subarray(0, 4096).includes(0)
}

/** A byte order mark decides; else the whole file is UTF-8 or it is Windows-1252. */
export async function detectEncoding(path: string, head: Buffer): Promise<DelimitedEncoding> {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8-bom'
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le'
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be'
  return (await isUtf8File(path)) ? 'utf-8' : 'windows-1252'
}

async function isUtf8File(path: string): Promise<boolean> {
  const stream = createReadStream(path, { highWaterMark: 1024 * 1024 })
  let carry = Buffer.alloc(0)
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const bytes = carry.length ? Buffer.concat([carry, chunk]) : chunk
      // a character cut by the chunk's end is checked with the next chunk
      const whole = withoutCutCharacter(bytes)
      if (!isUtf8(whole)) return false
      carry = Buffer.from(bytes.subarray(whole.length))
    }
    return carry.length === 0
  } finally {
    stream.destroy()
  }
}

function iconvName(encoding: DelimitedEncoding): string {
  return encoding === 'utf-16le' ? 'utf-16le' : encoding === 'utf-16be' ? 'utf-16be' : 'windows-1252'
}

function decode(bytes: Buffer, encoding: DelimitedEncoding): string {
  return encoding === 'utf-8' || encoding === 'utf-8-bom' ? bytes.toString('utf8') : iconv.decode(bytes, iconvName(encoding))
}
