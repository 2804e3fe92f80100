import { isoText, plainNumber } from '../../../preview/cells.js'
import { openXlsSheet, type SheetJsCell } from '../../../preview/xls.js'
import { PreviewFailure } from '../../../preview/failure.js'
import { sheetjsSlots } from '../../../preview/spreadsheet.js'
import { MAX_SHEET_COLUMNS, RowQueue, sourceFromBatches, type SheetRowSource } from './sheet-rows.js'

/**
 * Loading a binary Excel file (or XLSB, or the HTML and SpreadsheetML files saved as .xls) goes
 * through SheetJS, which parses the whole workbook in memory: hence a cap well under the loader's
 * own, which the other formats, streamed, do not need. BIFF8 holds at most 65,536 rows; real XLS
 * files rarely pass a few MB.
 */
export const XLS_LOAD_MAX_BYTES = 32 * 1024 * 1024

export async function xlsRowSource(bytes: Buffer, format: 'xls' | 'xlsb'): Promise<SheetRowSource> {
  if (bytes.length > XLS_LOAD_MAX_BYTES) throw new PreviewFailure('too-large', `xls-over-${XLS_LOAD_MAX_BYTES / 1024 / 1024}mb`)
  const book = await sheetjsSlots.run(async () => openXlsSheet(bytes, { cellText: false }))
  const queue = new RowQueue()
  async function* batches(): AsyncGenerator<string[][], void> {
    const range = book.range
    if (!range) return
    const lastCol = Math.min(range.e.c, range.s.c + MAX_SHEET_COLUMNS - 1)
    for (let r = range.s.r; r <= range.e.r; r++) {
      const row: string[] = []
      for (let c = range.s.c; c <= lastCol; c++) {
        const cell = book.cell(r, c)
        row.push(cell ? plainCell(cell, book.date1904) : '')
      }
      while (row.length > 0 && row[row.length - 1] === '') row.pop()
      queue.add(row, row.length === 0, 1)
      while (queue.length >= 1000) yield queue.take()
    }
    while (queue.length > 0) yield queue.take()
  }
  const info = { format, sheet: book.sheet, sheets: book.sheets }
  return sourceFromBatches(queue, batches(), info, () => undefined)
}

/** A SheetJS cell as data: see plainNumber; booleans TRUE/FALSE, error values empty. */
function plainCell(cell: SheetJsCell, date1904: boolean): string {
  switch (cell.t) {
    case 'n':
      return typeof cell.v === 'number' ? plainNumber(cell.v, typeof cell.z === 'string' ? cell.z : null, date1904) : ''
    case 'b':
      return cell.v ? 'TRUE' : 'FALSE'
    case 'd':
      return cell.v instanceof Date ? isoText(cell.v, cell.v.getUTCHours() + cell.v.getUTCMinutes() + cell.v.getUTCSeconds() !== 0) : String(cell.v ?? '')
    case 'e':
    case 'z':
      return ''
    default:
      return cell.v === undefined || cell.v === null ? '' : String(cell.v)
  }
}
