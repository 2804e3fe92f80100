import { readFileSync } from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import yazl from 'yazl'
import { memoryRandomAccess, type RandomAccess } from '../../src/preview/source.js'

// tests run from dist/test/datastore; the fixtures stay in the source tree
const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures/datastore')

export function fixture(name: string): Buffer {
  return readFileSync(path.join(dir, name))
}

/** A RandomAccess over `bytes` that counts the bytes its reads and streams delivered. */
export function countingAccess(bytes: Buffer): { ra: RandomAccess; read: () => number } {
  const inner = memoryRandomAccess(bytes)
  let total = 0
  return {
    ra: {
      size: inner.size,
      async read(start, end) {
        const b = await inner.read(start, end)
        total += b.length
        return b
      },
      async stream(start, end) {
        // in 16 KiB pieces, as a file or an HTTP body arrives, so what was pulled is what was read
        const whole = await inner.read(start, end)
        const pieces = (function* () {
          for (let i = 0; i < whole.length; i += 16 * 1024) {
            const piece = whole.subarray(i, i + 16 * 1024)
            total += piece.length
            yield piece
          }
        })()
        return Readable.from(pieces, { objectMode: false, highWaterMark: 16 * 1024 })
      },
    },
    read: () => total,
  }
}

/** A zip made of `entries`, the generated ones streamed into it (a big sheet is never held as one string). */
export async function zipOf(entries: [string, string | Iterable<string>][]): Promise<Buffer> {
  const z = new yazl.ZipFile()
  for (const [name, body] of entries) {
    if (typeof body === 'string') z.addBuffer(Buffer.from(body), name, { compress: name !== 'mimetype' })
    else z.addReadStream(Readable.from(body), name)
  }
  z.end()
  const chunks: Buffer[] = []
  for await (const c of z.outputStream as AsyncIterable<Buffer>) chunks.push(c)
  return Buffer.concat(chunks)
}

const NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'

/** An XLSX whose sheets are given as XML (their sheetData's rows), with optional shared strings and hidden sheets. */
export function xlsxOf(sheets: { name: string; rows: string | Iterable<string>; hidden?: boolean }[], sharedStrings?: Iterable<string>): Promise<Buffer> {
  const rels = sheets.map((_, i) => `<Relationship Id="rId${i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`)
  if (sharedStrings) rels.push('<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>')
  const entries: [string, string | Iterable<string>][] = [
    ['[Content_Types].xml', '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'],
    ['xl/workbook.xml', `<workbook ${NS}><sheets>${sheets.map((s, i) => `<sheet name="${s.name}" sheetId="${i + 1}" r:id="rId${i + 1}"${s.hidden ? ' state="hidden"' : ''}/>`).join('')}</sheets></workbook>`],
    ['xl/_rels/workbook.xml.rels', `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${rels.join('')}</Relationships>`],
  ]
  sheets.forEach((s, i) => {
    const rows = s.rows
    entries.push([
      `xl/worksheets/sheet${i + 1}.xml`,
      typeof rows === 'string'
        ? `<worksheet ${NS}><sheetData>${rows}</sheetData></worksheet>`
        : (function* () {
            yield `<worksheet ${NS}><sheetData>`
            yield* rows
            yield '</sheetData></worksheet>'
          })(),
    ])
  })
  if (sharedStrings) {
    const strings = sharedStrings
    entries.push([
      'xl/sharedStrings.xml',
      (function* () {
        yield `<sst ${NS}>`
        for (const s of strings) yield `<si><t>${s}</t></si>`
        yield '</sst>'
      })(),
    ])
  }
  return zipOf(entries)
}

/** Reads a source's rows to the end. */
export async function allRows(rows: AsyncIterable<string[]>): Promise<string[][]> {
  const out: string[][] = []
  for await (const r of rows) out.push(r)
  return out
}
