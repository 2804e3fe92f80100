import { formatNumber, isDateFormat, serialToIso, sheetjs } from './cells.js'
import { PreviewFailure } from './failure.js'
import type { SheetPreview } from './xlsx.js'

/**
 * Binary Excel (BIFF, in an OLE container) and the other legacy files published as "XLS"
 * (SpreadsheetML 2003 XML, HTML tables) through SheetJS, which reads the whole file: hence the
 * size cap. BIFF8 holds at most 65,536 rows, so a real XLS rarely comes near it.
 */
export const XLS_MAX_BYTES = 64 * 1024 * 1024

export function readXls(bytes: Buffer, maxRows: number): SheetPreview {
  const XLSX = sheetjs()
  let wb: ReturnType<typeof XLSX.read>
  try {
    // sheetRows: SheetJS stops storing cells past the rows a preview shows (one more tells there are more)
    wb = XLSX.read(bytes, { type: 'buffer', sheetRows: maxRows + 2, cellNF: true, cellDates: false, cellHTML: false, cellFormula: false, dense: true })
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
  const date1904 = Boolean(wb.Workbook?.WBProps?.date1904)
  const records: string[][] = []
  let more = false
  if (ws?.['!ref']) {
    const range = XLSX.utils.decode_range(ws['!ref'])
    const full = ws['!fullref'] ? XLSX.utils.decode_range(ws['!fullref']) : range
    more = full.e.r > range.e.r
    const dense = ws['!data'] as ({ t: string; v?: unknown; w?: string; z?: string | number }[] | undefined)[] | undefined
    for (let r = range.s.r; r <= range.e.r; r++) {
      const row: string[] = []
      for (let c = range.s.c; c <= range.e.c && c <= 256; c++) {
        const cell = dense ? dense[r]?.[c] : (ws[XLSX.utils.encode_cell({ r, c })] as { t: string; v?: unknown; w?: string; z?: string | number } | undefined)
        row.push(cell ? display(cell, date1904) : '')
      }
      records.push(row)
    }
  }
  return { records, more, sheets: wb.SheetNames.filter((_, i) => !hidden(i)), sheet: name }
}

function display(cell: { t: string; v?: unknown; w?: string; z?: string | number }, date1904: boolean): string {
  if (cell.t === 'n' && typeof cell.v === 'number') {
    if (typeof cell.z === 'string' && isDateFormat(cell.z)) return serialToIso(cell.v, date1904)
    return cell.w ?? formatNumber(cell.v, cell.z ?? null, date1904)
  }
  if (cell.t === 'd' && cell.v instanceof Date) return cell.v.toISOString().slice(0, 10)
  if (cell.t === 'z') return ''
  return cell.w ?? (cell.v === undefined || cell.v === null ? '' : String(cell.v))
}
