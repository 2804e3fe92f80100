import { formatNumber, isDateFormat, serialToIso, sheetjs } from './cells.js'
import { PreviewFailure } from './failure.js'
import type { SheetPreview } from './xlsx.js'

/**
 * Binary Excel (BIFF, in an OLE container) and the other legacy files published as "XLS"
 * (SpreadsheetML 2003 XML, HTML tables) through SheetJS, which reads the whole file: hence the
 * size cap. BIFF8 holds at most 65,536 rows, so a real XLS rarely comes near it.
 */
export const XLS_MAX_BYTES = 64 * 1024 * 1024

/** A SheetJS cell (dense mode). */
export type SheetJsCell = { t: string; v?: unknown; w?: string; z?: string | number }

export interface XlsSheet {
  /** the first visible sheet's name, and every visible sheet's */
  sheet: string
  sheets: string[]
  date1904: boolean
  /** the cells read, null for an empty sheet */
  range: { s: { r: number; c: number }; e: { r: number; c: number } } | null
  /** the whole sheet's range when `sheetRows` cut it short */
  fullRange: { s: { r: number; c: number }; e: { r: number; c: number } } | null
  cell(r: number, c: number): SheetJsCell | undefined
}

/**
 * The first visible sheet of a workbook SheetJS reads whole; the preview and the DataStore loader
 * differ only in `read` (rows kept, formatted text made or not).
 */
export function openXlsSheet(bytes: Buffer, read: { sheetRows?: number; cellText?: boolean }): XlsSheet {
  const XLSX = sheetjs()
  let wb: ReturnType<typeof XLSX.read>
  try {
    wb = XLSX.read(bytes, { type: 'buffer', cellNF: true, cellDates: false, cellHTML: false, cellFormula: false, dense: true, ...read })
  } catch {
    throw new PreviewFailure('unreadable', 'xls')
  }
  if (wb.SheetNames.length === 0) throw new PreviewFailure('empty')
  const hidden = (i: number): boolean => Boolean(wb.Workbook?.Sheets?.[i]?.Hidden)
  const index = Math.max(
    0,
    wb.SheetNames.findIndex((_, i) => !hidden(i)),
  )
  const name = wb.SheetNames[index]
  const ws = wb.Sheets[name]
  const dense = ws?.['!data'] as (SheetJsCell[] | undefined)[] | undefined
  return {
    sheet: name,
    sheets: wb.SheetNames.filter((_, i) => !hidden(i)),
    date1904: Boolean(wb.Workbook?.WBProps?.date1904),
    range: ws?.['!ref'] ? XLSX.utils.decode_range(ws['!ref']) : null,
    fullRange: ws?.['!fullref'] ? XLSX.utils.decode_range(ws['!fullref']) : null,
    cell: (r, c) => (dense ? dense[r]?.[c] : (ws[XLSX.utils.encode_cell({ r, c })] as SheetJsCell | undefined)),
  }
}

export function readXls(bytes: Buffer, maxRows: number): SheetPreview {
  // sheetRows: SheetJS stops storing cells past the rows a preview shows (one more tells there are more)
  const book = openXlsSheet(bytes, { sheetRows: maxRows + 2 })
  const records: string[][] = []
  let more = false
  const range = book.range
  if (range) {
    more = (book.fullRange ?? range).e.r > range.e.r
    for (let r = range.s.r; r <= range.e.r; r++) {
      const row: string[] = []
      for (let c = range.s.c; c <= range.e.c && c <= 256; c++) {
        const cell = book.cell(r, c)
        row.push(cell ? display(cell, book.date1904) : '')
      }
      records.push(row)
    }
  }
  return { records, more, sheets: book.sheets, sheet: book.sheet }
}

function display(cell: SheetJsCell, date1904: boolean): string {
  if (cell.t === 'n' && typeof cell.v === 'number') {
    if (typeof cell.z === 'string' && isDateFormat(cell.z)) return serialToIso(cell.v, date1904)
    return cell.w ?? formatNumber(cell.v, cell.z ?? null, date1904)
  }
  if (cell.t === 'd' && cell.v instanceof Date) return cell.v.toISOString().slice(0, 10)
  if (cell.t === 'z') return ''
  return cell.w ?? (cell.v === undefined || cell.v === null ? '' : String(cell.v))
}
