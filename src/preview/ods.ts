import { Readable } from 'node:stream'
import { odfDate, odfTime } from './cells.js'
import { PreviewFailure } from './failure.js'
import { CellRow, RowCollector } from './rows.js'
import { MAX_COLUMNS } from './table.js'
import { scanXml, type XmlHandlers, type XmlScan } from './xml.js'
import type { CellMode, SheetPreview } from './xlsx.js'
import type { Zip } from './zip.js'

/**
 * The first sheet of an ODS, streamed from content.xml. Cells are shown as their `text:p`
 * paragraphs, which ODF stores as displayed (numbers in the document's locale and format), except
 * dates, given as ISO from office:date-value.
 *
 * Sheet names: ODS has no workbook index; each sheet is a `table:table` in content.xml, in order,
 * and the first sheet can be most of the file. When the rows are in before content.xml ends,
 * settings.xml is asked first: LibreOffice, the usual producer, lists every sheet there (its
 * `Tables` map). Without that list, content.xml is read again from the start and searched as
 * plain text for the table start tags (inflating is what it costs) for at most NAMES_SCAN_MAX
 * characters; a file bigger than that from a producer writing no settings lists the sheets found
 * in that much only.
 */

/** XML characters of content.xml read for the first sheet's rows (styles come first and can be large). */
const SCAN_MAX = 32 * 1024 * 1024
/** Characters of content.xml searched for the sheets' names when settings.xml does not list them. */
const NAMES_SCAN_MAX = 8 * 1024 * 1024
const SETTINGS_MAX = 4 * 1024 * 1024
/** ODS repeats cover whole sheets (16384 columns, 1048576 rows); this bounds a repeated non-empty row. */
const ROW_REPEAT_CAP = 1000

export async function readOds(zip: Zip, maxRows: number): Promise<SheetPreview> {
  if (!zip.has('content.xml')) throw new PreviewFailure('unreadable', 'ods-content-missing')
  const collector = new RowCollector<string>(maxRows + 1)
  const first = { name: '', tag: 'table:table', done: false }
  const sink: OdsRowSink = (cells, empty, repeat) => collector.add(cells, empty, empty ? repeat : Math.min(repeat, ROW_REPEAT_CAP))
  const end = await scanXml(
    await zip.open('content.xml'),
    odsRowHandlers('display', MAX_COLUMNS + 1, first, sink, () => collector.full),
    SCAN_MAX,
  ).catch((err: unknown) => {
    // a broken tail after the rows were read (a truncated download) still leaves a preview
    if (first.done && collector.rows.length > 0) return 'budget' as const
    throw err
  })
  if (end === 'budget' && !first.done && collector.rows.length > 0) collector.more = true
  const sheets = first.tag === '' ? [] : [first.name]
  let names = sheets
  if (end !== 'end') {
    const listed = await settingsNames(zip)
    if (listed.includes(sheets[0])) names = [...sheets, ...listed.filter((n) => !sheets.includes(n))]
    else {
      const found = await tableNames(zip, first.tag || 'table:table')
      if (found.length >= sheets.length) names = found
    }
  }
  return { records: collector.rows, more: collector.more, sheets: names, sheet: sheets[0] ?? '' }
}

/** A row of the first sheet as met, `repeat` times (ODS writes runs of equal rows once); `empty` when no cell has content. */
export type OdsRowSink = (cells: string[], empty: boolean, repeat: number) => void

/**
 * The first sheet: its name and start tag as written (`tag` is '' until one is met), and whether
 * its rows were all read (`done`), filled in as the scan goes.
 */
export interface OdsFirstSheet {
  name: string
  tag: string
  done: boolean
}

/**
 * XML handlers for content.xml handing each row of the first sheet to `sink`; the scan stops at
 * the end of that sheet, or when `full()` says so after a row. Cell text by `mode` (see CellMode):
 * `display` is the cell's paragraphs, as ODF stores them shown; `plain` the typed value
 * (office:value, date-value, time-value, boolean-value) where there is one.
 */
export function odsRowHandlers(mode: CellMode, columnCap: number, first: OdsFirstSheet, sink: OdsRowSink, full: () => boolean = () => false): (scan: XmlScan) => XmlHandlers {
  first.tag = ''
  return (scan) => {
    let tables = 0
    let tableDepth = 0
    let row: CellRow<string> | null = null
    let rowRepeat = 1
    let cell: OdsCell | null = null
    let paragraph: string[] | null = null
    let annotation = 0
    const finish = (): void => {
      first.done = true
      scan.stop()
    }
    return {
      open(name, attrs, qname) {
        if (name === 'table') {
          tableDepth++
          // a table nested in a cell (rare) is not a sheet
          if (tableDepth === 1 && ++tables === 1) {
            first.name = attrs.name ?? ''
            first.tag = qname
          }
          return
        }
        if (first.done || tables !== 1 || tableDepth !== 1) return
        if (name === 'table-row') {
          row = new CellRow<string>('', columnCap)
          rowRepeat = repeatOf(attrs['number-rows-repeated'])
        } else if (row && (name === 'table-cell' || name === 'covered-table-cell')) {
          cell = {
            repeat: repeatOf(attrs['number-columns-repeated']),
            type: attrs['value-type'] ?? '',
            date: attrs['date-value'] ?? '',
            time: attrs['time-value'] ?? '',
            value: attrs.value ?? attrs['boolean-value'] ?? '',
            paragraphs: [],
          }
        } else if (cell) {
          if (name === 'annotation') annotation++
          else if (annotation > 0) return
          else if (name === 'p' || name === 'h') paragraph = []
          else if (paragraph && name === 's') paragraph.push(' '.repeat(Math.min(repeatOf(attrs.c), 1000)))
          else if (paragraph && name === 'tab') paragraph.push('\t')
          else if (paragraph && name === 'line-break') paragraph.push('\n')
        }
      },
      text(t) {
        if (paragraph && annotation === 0) paragraph.push(t)
      },
      close(name) {
        if (name === 'table') {
          tableDepth--
          if (tableDepth === 0 && tables === 1) finish()
          return
        }
        if (first.done || tableDepth !== 1) return
        if (cell && name === 'annotation') annotation--
        else if (cell && annotation > 0) return
        else if (paragraph && (name === 'p' || name === 'h')) {
          cell?.paragraphs.push(paragraph.join(''))
          paragraph = null
        } else if (row && cell && (name === 'table-cell' || name === 'covered-table-cell')) {
          const v = mode === 'plain' ? plainText(cell) : cellText(cell)
          row.add(v, cell.repeat, v === '')
          cell = null
        } else if (row && name === 'table-row') {
          sink(row.cells, row.isEmpty, rowRepeat)
          row = null
          if (full()) finish()
        }
      },
    }
  }
}

/**
 * The `name` of every top-level table start tag in content.xml, found by a text search: the
 * element as the XML parser saw it written (`tag`, prefix included), its name attribute under the
 * same prefix. Tags cut between chunks are carried over to the next one.
 */
async function tableNames(zip: Zip, tag: string): Promise<string[]> {
  const prefix = tag.includes(':') ? tag.slice(0, tag.indexOf(':') + 1) : ''
  const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const tagRe = new RegExp(`<(/?)${esc(tag)}(?=[\\s/>])([^>]*)>`, 'g')
  const nameRe = new RegExp(`(?:^|\\s)${esc(prefix)}name\\s*=\\s*(?:"([^"]*)"|'([^']*)')`)
  const names: string[] = []
  let depth = 0
  let carry = ''
  let chars = 0
  const stream = await zip.open('content.xml')
  stream.setEncoding('utf8')
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      const text = carry + chunk
      // keep an unfinished tag for the next chunk
      const lastOpen = text.lastIndexOf('<')
      const cut = lastOpen !== -1 && text.indexOf('>', lastOpen) === -1 ? lastOpen : text.length
      carry = text.slice(cut)
      for (const m of text.slice(0, cut).matchAll(tagRe)) {
        if (m[1] === '/') depth = Math.max(0, depth - 1)
        else {
          if (depth === 0) {
            const n = nameRe.exec(m[2])
            names.push(unescapeXml(n?.[1] ?? n?.[2] ?? ''))
          }
          if (!m[2].trimEnd().endsWith('/')) depth++
        }
      }
      chars += chunk.length
      if (chars > NAMES_SCAN_MAX) break
    }
    return names
  } finally {
    stream.destroy()
  }
}

function unescapeXml(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, e: string) => {
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }
    if (e[0] !== '#') return named[e.toLowerCase()]
    const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1))
    return String.fromCodePoint(code)
  })
}

function repeatOf(value: string | undefined): number {
  const n = Number(value ?? 1)
  return Number.isInteger(n) && n > 0 ? n : 1
}

interface OdsCell {
  repeat: number
  type: string
  date: string
  time: string
  value: string
  paragraphs: string[]
}

function cellText(cell: OdsCell): string {
  if (cell.type === 'date' && cell.date) return odfDate(cell.date)
  if (cell.paragraphs.length > 0) return cell.paragraphs.join('\n')
  return cell.value
}

/** The value behind what a typed cell shows: `881.394` shows 881394 in a Spanish locale, `50%` is 0.5. */
function plainText(cell: OdsCell): string {
  switch (cell.type) {
    case 'float':
    case 'percentage':
    case 'currency': {
      const n = Number(cell.value)
      if (cell.value !== '' && Number.isFinite(n)) return String(n)
      break
    }
    case 'date':
      if (cell.date) return odfDate(cell.date)
      break
    case 'time':
      if (cell.time) return odfTime(cell.time)
      break
    case 'boolean':
      if (cell.value === 'true' || cell.value === 'false') return cell.value.toUpperCase()
      break
  }
  return cellText(cell)
}

/** Sheet names in settings.xml's `Tables` map (LibreOffice's view settings), or none. */
export async function settingsNames(zip: Zip): Promise<string[]> {
  const names: string[] = []
  let settings: string | null
  try {
    settings = await zip.text('settings.xml', SETTINGS_MAX)
  } catch {
    return names
  }
  if (!settings) return names
  await scanXml(
    Readable.from([Buffer.from(settings, 'utf8')], { objectMode: false }),
    (scan) => {
      let depth = 0
      let tablesDepth = -1
      return {
        open(name, attrs) {
          depth++
          if (name === 'config-item-map-named' && attrs.name === 'Tables') tablesDepth = depth
          else if (tablesDepth !== -1 && depth === tablesDepth + 1 && name === 'config-item-map-entry' && attrs.name && !names.includes(attrs.name)) names.push(attrs.name)
        },
        close() {
          if (depth === tablesDepth) scan.stop()
          depth--
        },
      }
    },
    SETTINGS_MAX,
  ).catch(() => 'end' as const)
  return names
}
