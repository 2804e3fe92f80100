import { odsRowHandlers, settingsNames, type OdsFirstSheet } from '../../../preview/ods.js'
import { PreviewFailure } from '../../../preview/failure.js'
import { xmlChunks } from '../../../preview/xml.js'
import type { Zip } from '../../../preview/zip.js'
import { MAX_SHEET_COLUMNS, RowQueue, sourceFromBatches, xmlBatches, type SheetRowSource } from './sheet-rows.js'

/**
 * Every row of an ODS's first sheet, from content.xml parsed a chunk at a time. Cells give their
 * typed values (office:value and friends), not the locale's display. The scan ends with the first
 * sheet: the sheets after it are never inflated. Takes over `zip`.
 */
export async function odsRowSource(zip: Zip): Promise<SheetRowSource> {
  try {
    if (!zip.has('content.xml')) throw new PreviewFailure('unreadable', 'ods-content-missing')
    const queue = new RowQueue()
    const first: OdsFirstSheet = { name: '', tag: '', done: false }
    const handlers = odsRowHandlers('plain', MAX_SHEET_COLUMNS, first, (cells, empty, repeat) => queue.add(cells, empty, repeat))
    const content = await zip.open('content.xml')
    const info: Record<string, unknown> = { format: 'ods' }
    const source = await sourceFromBatches(queue, xmlBatches(queue, xmlChunks(content, handlers, Infinity)), info, () => zip.close())
    // the first sheet's name is known once its start tag was read, which the header needed
    info.sheet = first.name
    // the others only where LibreOffice lists them (settings.xml): content.xml is not read past the first
    const listed = await settingsNames(zip).catch((): string[] => [])
    if (listed.includes(first.name)) info.sheets = listed
    return source
  } catch (err) {
    zip.close()
    throw err
  }
}
