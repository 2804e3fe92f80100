import path from 'node:path/posix'
import { Readable } from 'node:stream'
import { formatCode, formatNumber, plainNumber } from './cells.js'
import { PreviewFailure } from './failure.js'
import { CellRow, RowCollector } from './rows.js'
import { MAX_COLUMNS } from './table.js'
import { scanXml, type XmlHandlers, type XmlScan } from './xml.js'
import type { Zip } from './zip.js'

/**
 * The first sheet of an XLSX, streamed: workbook.xml for the sheet names and order, its rels for
 * the sheet's part, styles.xml for which cells are dates, then the sheet's XML until the rows are
 * in, and sharedStrings.xml only as far as the highest string index those rows use (strings are
 * stored in order of first use, so that is near its start).
 */

/** Small parts (workbook, rels) read whole. */
const PART_MAX = 8 * 1024 * 1024
/** XML characters scanned in a sheet, its styles or its shared strings before giving up on reading further. */
const SCAN_MAX = 32 * 1024 * 1024

export interface SheetPreview {
  records: string[][]
  more: boolean
  sheets: string[]
  sheet: string
}

interface Workbook {
  sheets: { name: string; rid: string; hidden: boolean }[]
  date1904: boolean
}

/** A cell whose text is entry `sst` of the shared strings, resolved once the rows are in. */
export type Cell = string | { sst: number }

/** Where the first sheet's parts are and how its cells are formatted: what reading its rows needs. */
export interface XlsxBook {
  /** the first visible sheet */
  sheet: string
  /** visible sheets' names, the first one included even when hidden */
  sheets: string[]
  sheetPart: string
  sharedStringsPart: string | null
  formats: Formats
  date1904: boolean
}

/** The workbook's index, relationships and styles: the small parts read before the first sheet's rows. */
export async function openXlsxBook(zip: Zip): Promise<XlsxBook> {
  const workbookPart = (await officeDocument(zip)) ?? 'xl/workbook.xml'
  const workbook = await readWorkbook(zip, workbookPart)
  if (workbook.sheets.length === 0) throw new PreviewFailure('empty')
  const rels = await readRels(zip, workbookPart)
  const first = workbook.sheets.find((s) => !s.hidden) ?? workbook.sheets[0]
  const sheetPart = rels.byId.get(first.rid)
  if (!sheetPart || !zip.has(sheetPart)) throw new PreviewFailure('unreadable', 'xlsx-sheet-missing')
  const styles = rels.byType.get('styles')
  const formats = styles ? await readStyles(zip, styles) : { xfFormats: [], custom: new Map<number, string>() }
  const sharedStringsPart = rels.byType.get('sharedStrings') ?? null
  return {
    sheet: first.name,
    sheets: workbook.sheets.filter((s) => !s.hidden || s === first).map((s) => s.name),
    sheetPart,
    sharedStringsPart: sharedStringsPart && zip.has(sharedStringsPart) ? sharedStringsPart : null,
    formats,
    date1904: workbook.date1904,
  }
}

/**
 * How cell values become text: `display` as the page shows them (numbers under their format),
 * `plain` as data to load (numbers as written, no grouping or rounding; time-of-day formats as
 * HH:MM:SS; error values empty). Dates are ISO either way.
 */
export type CellMode = 'display' | 'plain'

/** A row of the sheet as met: its cells (shared strings still as indices), `repeat` times; `empty` when no cell has content. */
export type SheetRowSink = (cells: Cell[], empty: boolean, repeat: number) => void

/**
 * XML handlers for the first sheet's rows, each handed to `sink` in order (rows the file leaves
 * out as empty rows). The scan stops at the end of sheetData, or when `full()` says so after a row.
 */
export function sheetRowHandlers(book: XlsxBook, mode: CellMode, columnCap: number, sink: SheetRowSink, full: () => boolean = () => false): (scan: XmlScan) => XmlHandlers {
  return (scan) => {
    let inData = false
    let nextRow = 0
    let row: CellRow<Cell> | null = null
    let nextCol = 0
    let cell: { col: number; type: string; style: number } | null = null
    let text: string[] | null = null
    let value = ''
    let inline = ''
    let inPhonetic = 0
    return {
      open(name, attrs) {
        if (name === 'sheetData') inData = true
        else if (!inData) return
        else if (name === 'row') {
          const r = Number(attrs.r)
          // rows left out of the file are empty rows
          if (Number.isInteger(r) && r - 1 > nextRow) sink([], true, r - 1 - nextRow)
          nextRow = Number.isInteger(r) ? r : nextRow + 1
          row = new CellRow<Cell>('', columnCap)
          nextCol = 0
        } else if (name === 'c') {
          const col = attrs.r ? columnIndex(attrs.r) : nextCol
          cell = { col: col ?? nextCol, type: attrs.t ?? 'n', style: Number(attrs.s ?? 0) }
          value = ''
          inline = ''
        } else if (cell && name === 'v') text = []
        else if (cell && name === 'rPh') inPhonetic++
        else if (cell && name === 't' && inPhonetic === 0) text = []
      },
      text(t) {
        text?.push(t)
      },
      close(name) {
        if (!inData) return
        if (name === 'sheetData') {
          inData = false
          scan.stop()
        } else if (name === 'v' && text) {
          value = text.join('')
          text = null
        } else if (name === 't' && text) {
          inline += text.join('')
          text = null
        } else if (name === 'rPh') inPhonetic--
        else if (name === 'c' && cell && row) {
          const v = cellValue(cell.type, cell.style, value, inline, book.formats, book.date1904, mode)
          if (v !== '') row.at(cell.col, v)
          nextCol = cell.col + 1
          cell = null
        } else if (name === 'row' && row) {
          sink(row.cells, row.isEmpty, 1)
          row = null
          if (full()) scan.stop()
        }
      },
    }
  }
}

export async function readXlsx(zip: Zip, maxRows: number): Promise<SheetPreview> {
  const book = await openXlsxBook(zip)
  const collector = new RowCollector<Cell>(maxRows + 1)
  let maxSst = -1
  const sink: SheetRowSink = (cells, empty, repeat) => {
    for (const c of cells) if (typeof c === 'object') maxSst = Math.max(maxSst, c.sst)
    collector.add(cells, empty, repeat)
  }
  await scanXml(
    await zip.open(book.sheetPart),
    sheetRowHandlers(book, 'display', MAX_COLUMNS + 1, sink, () => collector.full),
    SCAN_MAX,
  ).then((end) => {
    // a sheet cut by the scan budget has more than was read
    if (end === 'budget' && collector.rows.length > 0) collector.more = true
  })

  const strings = maxSst >= 0 && book.sharedStringsPart ? await readSharedStrings(zip, book.sharedStringsPart, maxSst) : []
  const records = collector.rows.map((r) => r.map((c) => (typeof c === 'string' ? c : (strings[c.sst] ?? ''))))
  return { records, more: collector.more, sheets: book.sheets, sheet: book.sheet }
}

/** `AB12` → 27; null when the reference has no column letters. */
export function columnIndex(ref: string): number | null {
  let col = 0
  let i = 0
  for (; i < ref.length; i++) {
    const c = ref.charCodeAt(i)
    if (c >= 65 && c <= 90) col = col * 26 + (c - 64)
    else if (c >= 97 && c <= 122) col = col * 26 + (c - 96)
    else break
  }
  return i === 0 ? null : col - 1
}

export interface Formats {
  /** numFmtId of each cellXfs entry, by style index */
  xfFormats: number[]
  custom: Map<number, string>
}

function cellValue(type: string, style: number, value: string, inline: string, formats: Formats, date1904: boolean, mode: CellMode): Cell {
  switch (type) {
    case 's': {
      const i = Number(value)
      return value !== '' && Number.isInteger(i) ? { sst: i } : ''
    }
    case 'inlineStr':
      return inline
    case 'str':
      return value
    case 'e':
      return mode === 'plain' ? '' : value
    case 'b':
      return value === '1' ? 'TRUE' : value === '0' ? 'FALSE' : value
    case 'd':
      return value.endsWith('T00:00:00') || value.endsWith('T00:00:00Z') ? value.slice(0, 10) : value.replace('T', ' ').replace(/Z$/, '')
    default: {
      if (value === '') return inline
      const n = Number(value)
      if (!Number.isFinite(n)) return value
      const id = formats.xfFormats[style] ?? 0
      if (mode === 'plain') return plainNumber(n, formatCode(id, formats.custom), date1904)
      return formatNumber(n, formatCode(id, formats.custom) ?? id, date1904)
    }
  }
}

async function officeDocument(zip: Zip): Promise<string | null> {
  const rels = await zip.text('_rels/.rels', PART_MAX)
  if (!rels) return null
  let target: string | null = null
  await scanXml(
    toStream(rels),
    () => ({
      open(name, attrs) {
        if (name === 'Relationship' && attrs.Type?.endsWith('/officeDocument') && attrs.Target) target ??= resolvePart('', attrs.Target)
      },
    }),
    PART_MAX,
  )
  return target
}

async function readWorkbook(zip: Zip, part: string): Promise<Workbook> {
  const xml = await zip.text(part, PART_MAX)
  if (xml === null) throw new PreviewFailure('unreadable', 'xlsx-workbook-missing')
  const wb: Workbook = { sheets: [], date1904: false }
  await scanXml(
    toStream(xml),
    () => ({
      open(name, attrs) {
        if (name === 'workbookPr') wb.date1904 = attrs.date1904 === '1' || attrs.date1904 === 'true'
        else if (name === 'sheet') wb.sheets.push({ name: attrs.name ?? '', rid: attrs.id ?? '', hidden: attrs.state === 'hidden' || attrs.state === 'veryHidden' })
      },
    }),
    PART_MAX,
  )
  return wb
}

/** A part's relationships: targets by id, and by the last word of their type (styles, sharedStrings). */
async function readRels(zip: Zip, part: string): Promise<{ byId: Map<string, string>; byType: Map<string, string> }> {
  const relsPart = path.join(path.dirname(part), '_rels', `${path.basename(part)}.rels`)
  const xml = await zip.text(relsPart, PART_MAX)
  const byId = new Map<string, string>()
  const byType = new Map<string, string>()
  // parts the rels leave out are looked for under their conventional names (some writers skip them)
  const conventional = (): void => {
    for (const type of ['sharedStrings', 'styles']) if (!byType.has(type) && zip.has(`xl/${type}.xml`)) byType.set(type, `xl/${type}.xml`)
  }
  if (xml === null) {
    conventional()
    return { byId, byType }
  }
  await scanXml(
    toStream(xml),
    () => ({
      open(name, attrs) {
        if (name !== 'Relationship' || !attrs.Target || attrs.TargetMode === 'External') return
        const target = resolvePart(path.dirname(part), attrs.Target)
        if (attrs.Id) byId.set(attrs.Id, target)
        const type = attrs.Type?.slice(attrs.Type.lastIndexOf('/') + 1)
        if (type && !byType.has(type)) byType.set(type, target)
      },
    }),
    PART_MAX,
  )
  conventional()
  return { byId, byType }
}

/** A relationship target: relative to the part's folder, or absolute from the package root. */
function resolvePart(dir: string, target: string): string {
  return target.startsWith('/') ? path.normalize(target).slice(1) : path.normalize(path.join(dir, target))
}

async function readStyles(zip: Zip, part: string): Promise<Formats> {
  const formats: Formats = { xfFormats: [], custom: new Map() }
  if (!zip.has(part)) return formats
  await scanXml(
    await zip.open(part),
    (scan) => {
      let inCellXfs = false
      return {
        open(name, attrs) {
          if (name === 'numFmt' && attrs.numFmtId && attrs.formatCode !== undefined) formats.custom.set(Number(attrs.numFmtId), attrs.formatCode)
          else if (name === 'cellXfs') inCellXfs = true
          else if (inCellXfs && name === 'xf') formats.xfFormats.push(Number(attrs.numFmtId ?? 0))
        },
        close(name) {
          if (name === 'cellXfs') scan.stop()
        },
      }
    },
    SCAN_MAX,
  )
  return formats
}

/** Shared strings 0…`upTo`: each `si`'s text runs, without phonetic guides. */
async function readSharedStrings(zip: Zip, part: string, upTo: number): Promise<string[]> {
  const strings: string[] = []
  await scanSharedStrings(zip, part, SCAN_MAX, (s) => strings.push(s) > upTo)
  return strings
}

/** Each shared string in order, to `each` until it returns true or `maxChars` of XML were read. */
export async function scanSharedStrings(zip: Zip, part: string, maxChars: number, each: (text: string) => boolean | void): Promise<void> {
  if (!zip.has(part)) return
  await scanXml(
    await zip.open(part),
    (scan) => {
      let current: string[] | null = null
      let inT = false
      let inPhonetic = 0
      return {
        open(name) {
          if (name === 'si') current = []
          else if (name === 'rPh') inPhonetic++
          else if (name === 't' && inPhonetic === 0) inT = true
        },
        text(t) {
          if (inT) current?.push(t)
        },
        close(name) {
          if (name === 't') inT = false
          else if (name === 'rPh') inPhonetic--
          else if (name === 'si' && current) {
            const text = current.join('')
            current = null
            if (each(text) === true) scan.stop()
          }
        },
      }
    },
    maxChars,
  )
}

function toStream(text: string): Readable {
  return Readable.from([Buffer.from(text, 'utf8')], { objectMode: false })
}
