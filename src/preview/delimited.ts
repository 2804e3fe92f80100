import { parse, type Options } from 'csv-parse'
import { decodeText, type TextEncodingName } from './decode.js'
import { PreviewFailure } from './failure.js'
import { readUpTo, type Head } from './source.js'
import { shapeTable, type Table } from './table.js'

/** The most of a CSV read for a preview, whatever the file's size: the rows asked for fit in far less. */
export const CSV_MAX_BYTES = 1 << 20
/** Plain text: the same first lines, a smaller cap. */
export const TEXT_MAX_BYTES = 256 * 1024

export const DELIMITERS = [',', ';', '\t', '|'] as const
export type Delimiter = (typeof DELIMITERS)[number]

const NEWLINE = 0x0a

/** Reads until `lines` newlines have arrived (or `max` bytes, or the end). */
async function readLines(head: Head, lines: number, max: number): Promise<{ bytes: Buffer; complete: boolean }> {
  let newlines = 0
  const { bytes, more } = await readUpTo(head.body, max, (_total, chunk) => {
    for (let i = chunk.indexOf(NEWLINE); i !== -1; i = chunk.indexOf(NEWLINE, i + 1)) newlines++
    return newlines >= lines
  })
  const complete = !more && (head.size === null || bytes.length >= head.size)
  if (bytes.length === 0) throw new PreviewFailure('empty')
  // NUL bytes outside UTF-16 text: a binary file under a text label (a zip called .csv)
  const bom16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)
  if (!bom16 && bytes.subarray(0, 4096).includes(0)) throw new PreviewFailure('unreadable', 'binary')
  // stop at the last line needed: a first chunk of a megabyte holds thousands of lines, not worth decoding and parsing
  let seen = 0
  for (let i = bytes.indexOf(NEWLINE); i !== -1; i = bytes.indexOf(NEWLINE, i + 1)) {
    if (++seen === lines) return i + 1 < bytes.length ? { bytes: bytes.subarray(0, i + 1), complete: false } : { bytes, complete }
  }
  // a prefix ends with a cut line: drop it (and with it any character cut in half)
  if (complete) return { bytes, complete }
  const last = bytes.lastIndexOf(NEWLINE)
  return { bytes: last === -1 ? bytes : bytes.subarray(0, last + 1), complete }
}

export interface DelimitedTable extends Table {
  encoding: TextEncodingName
  delimiter: Delimiter
}

export async function previewDelimited(head: Head, format: 'csv' | 'tsv', maxRows: number): Promise<DelimitedTable> {
  // header + rows + one more to know there are more; twice that in newlines leaves room for quoted line breaks
  const wanted = maxRows + 2
  const { bytes, complete } = await readLines(head, wanted * 2 + 16, CSV_MAX_BYTES)
  const { text, encoding } = decodeText(bytes, complete)
  const delimiter = format === 'tsv' ? '\t' : detectDelimiter(text)
  const records = await parseRecords(text, { delimiter, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, to: wanted }, complete)
  const table = shapeTable(records, maxRows, !complete)
  return { ...table, encoding, delimiter }
}

/**
 * csv-parse's stream API, fed one string: unlike the sync API it hands over the complete records
 * when the text ends inside a quoted field (a prefix cut in a multi-line cell), instead of failing.
 */
function parseRecords(text: string, options: Options, complete: boolean): Promise<string[][]> {
  return new Promise((resolve, reject) => {
    const records: string[][] = []
    const parser = parse(options)
    parser.on('data', (r: string[]) => records.push(r))
    parser.on('error', () => (records.length > 0 ? resolve(records) : reject(new PreviewFailure('unreadable', 'csv'))))
    if (complete) {
      parser.on('end', () => resolve(records))
      parser.end(text)
    } else {
      parser.write(text, () => {
        resolve(records)
        parser.destroy()
      })
    }
  })
}

/**
 * The delimiter whose field count is the same on most of the first lines (quotes respected), with
 * more than one field; ties go to more fields, then to the order `,` `;` tab `|`. A Latin-1 export
 * with decimal commas (`1,5;2,25`) has a steady `;` count and an unsteady `,` one.
 */
export function detectDelimiter(text: string): Delimiter {
  const sample = text.slice(0, 64 * 1024)
  let best: Delimiter = ','
  let bestScore = [0, 0]
  for (const d of DELIMITERS) {
    const counts = fieldCounts(sample, d, 50)
    if (counts.length === 0) continue
    const freq = new Map<number, number>()
    for (const c of counts) freq.set(c, (freq.get(c) ?? 0) + 1)
    let mode = 1
    let modeFreq = 0
    for (const [c, f] of freq) if (f > modeFreq || (f === modeFreq && c > mode)) [mode, modeFreq] = [c, f]
    if (mode <= 1) continue
    const score = [modeFreq / counts.length, mode]
    if (score[0] > bestScore[0] || (score[0] === bestScore[0] && score[1] > bestScore[1])) {
      best = d
      bestScore = score
    }
  }
  return best
}

/** Fields per line for `delimiter`, quote-aware, blank lines skipped, at most `maxLines` lines. */
function fieldCounts(text: string, delimiter: string, maxLines: number): number[] {
  const counts: number[] = []
  let fields = 1
  let inQuotes = false
  let blank = true
  for (let i = 0; i < text.length && counts.length < maxLines; i++) {
    const ch = text[i]
    if (ch === '"') {
      inQuotes = !inQuotes
      blank = false
    } else if (inQuotes) continue
    else if (ch === delimiter) {
      fields++
      blank = false
    } else if (ch === '\n') {
      if (!blank) counts.push(fields)
      fields = 1
      blank = true
    } else if (ch !== '\r') blank = false
  }
  if (!blank && counts.length < maxLines) counts.push(fields)
  return counts
}

export interface TextPreview {
  text: string
  truncated: boolean
  encoding: TextEncodingName
}

/** The first `maxRows` lines of a plain text file. */
export async function previewText(head: Head, maxRows: number): Promise<TextPreview> {
  const { bytes, complete } = await readLines(head, maxRows + 1, TEXT_MAX_BYTES)
  const { text, encoding } = decodeText(bytes, complete)
  const lines = text.split(/\r?\n/)
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop()
  const shown = lines.slice(0, maxRows)
  return { text: shown.join('\n'), truncated: !complete || lines.length > maxRows, encoding }
}
