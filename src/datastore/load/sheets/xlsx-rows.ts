import { openXlsxBook, scanSharedStrings, sheetRowHandlers } from '../../../preview/xlsx.js'
import { xmlChunks } from '../../../preview/xml.js'
import type { Zip } from '../../../preview/zip.js'
import { SharedStrings } from './shared-strings.js'
import { MAX_SHEET_COLUMNS, RowQueue, sourceFromBatches, xmlBatches, type SheetRowSource } from './sheet-rows.js'

/**
 * Every row of an XLSX's first sheet. The shared strings come first (a row can point anywhere in
 * them), then the sheet's XML is inflated and parsed a chunk at a time, each chunk's rows handed
 * on before the next is read. Takes over `zip`: closed when the rows end or the source is closed.
 */
export async function xlsxRowSource(zip: Zip): Promise<SheetRowSource> {
  const strings = new SharedStrings()
  const cleanup = (): void => {
    strings.close()
    zip.close()
  }
  try {
    const book = await openXlsxBook(zip)
    if (book.sharedStringsPart) await scanSharedStrings(zip, book.sharedStringsPart, Infinity, (s) => void strings.add(s))
    const queue = new RowQueue()
    const handlers = sheetRowHandlers(book, 'plain', MAX_SHEET_COLUMNS, (cells, empty, repeat) => {
      if (empty) return
      queue.add(
        cells.map((c) => (typeof c === 'string' ? c : strings.get(c.sst))),
        false,
        repeat,
      )
    })
    const sheet = await zip.open(book.sheetPart)
    return await sourceFromBatches(queue, xmlBatches(queue, xmlChunks(sheet, handlers, Infinity)), { format: 'xlsx', sheet: book.sheet, sheets: book.sheets, sharedStrings: strings.count, sharedStringsOnDisk: strings.spilled }, cleanup)
  } catch (err) {
    cleanup()
    throw err
  }
}
