import { PreviewFailure } from '../../../preview/failure.js'
import type { RandomAccess } from '../../../preview/source.js'
import { textKind } from '../../../preview/spreadsheet.js'
import { openZip } from '../../../preview/zip.js'
import { odsRowSource } from './ods-rows.js'
import { XLS_LOAD_MAX_BYTES, xlsRowSource } from './xls-rows.js'
import { xlsxRowSource } from './xlsx-rows.js'
import type { SheetRowSource } from './sheet-rows.js'

export type { SheetRowSource } from './sheet-rows.js'
export { fileRandomAccess } from './file-access.js'

/** Why a spreadsheet could not be loaded, in words for the load's log and error. */
export class SheetLoadError extends Error {
  override name = 'SheetLoadError'
}

/**
 * Every row of a spreadsheet's first (visible) sheet, by what its bytes are rather than its label
 * (portals call XLSX files "XLS" and the reverse): a zip is XLSX or ODS by its parts and streamed;
 * OLE files (BIFF), XLSB and markup go to SheetJS under a size cap. null: the bytes are plain text
 * (a CSV published as a spreadsheet, which happens), for the CSV loader to read.
 */
export async function openSheetRows(ra: RandomAccess): Promise<SheetRowSource | null> {
  const source = await sniffAndOpen(ra)
  if (!source) return null
  if (source.headers.length === 0) {
    await source.close()
    throw new SheetLoadError(`The sheet "${String(source.info.sheet ?? '')}" has no rows`)
  }
  const { rows } = source
  // a file that breaks off midway (a truncated upload, a corrupt zip entry) fails while its rows are read
  async function* readable(): AsyncGenerator<string[]> {
    try {
      yield* rows
    } catch (err) {
      throw asLoadError(err)
    }
  }
  return { ...source, rows: { [Symbol.asyncIterator]: readable } }
}

async function sniffAndOpen(ra: RandomAccess): Promise<SheetRowSource | null> {
  try {
    if (ra.size === 0) throw new PreviewFailure('empty')
    const magic = await ra.read(0, Math.min(ra.size, 512))
    if (magic.length >= 4 && magic.readUInt32BE(0) === 0x504b0304) {
      const zip = await openZip(ra)
      if (zip.has('content.xml') && !zip.has('[Content_Types].xml')) return await odsRowSource(zip)
      if (zip.has('[Content_Types].xml') && !zip.has('xl/workbook.bin')) return await xlsxRowSource(zip)
      const xlsb = zip.has('xl/workbook.bin')
      zip.close()
      if (!xlsb) throw new PreviewFailure('unsupported', 'zip')
      return await xlsRowSource(await whole(ra), 'xlsb')
    }
    const ole = magic.length >= 8 && magic.readUInt32BE(0) === 0xd0cf11e0 && magic.readUInt32BE(4) === 0xa1b11ae1
    if (!ole) {
      const kind = textKind(magic)
      if (kind === 'delimited') return null
      if (kind !== 'markup') throw new PreviewFailure('unreadable', 'unknown-format')
    }
    return await xlsRowSource(await whole(ra), 'xls')
  } catch (err) {
    throw asLoadError(err)
  }
}

function asLoadError(err: unknown): unknown {
  if (err instanceof SheetLoadError) return err
  if (err instanceof PreviewFailure) return new SheetLoadError(message(err), { cause: err })
  // yauzl's and zlib's own errors: a damaged file
  if (err instanceof Error) return new SheetLoadError(`The spreadsheet could not be read (${err.message})`, { cause: err })
  return err
}

async function whole(ra: RandomAccess): Promise<Buffer> {
  if (ra.size > XLS_LOAD_MAX_BYTES) throw new PreviewFailure('too-large', 'xls')
  return ra.read(0, ra.size)
}

function message(err: PreviewFailure): string {
  switch (err.reason) {
    case 'empty':
      return 'The spreadsheet is empty: it has no sheets'
    case 'too-large':
      return `The spreadsheet is too large to load: XLS and XLSB files are read whole, up to ${XLS_LOAD_MAX_BYTES / 1024 / 1024} MB (save it as XLSX, ODS or CSV)`
    case 'unsupported':
      return 'The file is a zip archive but not a spreadsheet (XLSX or ODS)'
    default:
      if (err.detail === 'encrypted') return 'The spreadsheet is encrypted (password protected)'
      if (err.detail === 'unknown-format') return 'The file is not a spreadsheet this loader reads (XLSX, ODS, XLS)'
      return `The spreadsheet could not be read (${err.detail ?? err.reason})`
  }
}
