import { LoadError } from './errors.js'
import { openDelimited } from './csv.js'
import { SheetLoadError } from './sheets/index.js'
import { openSheetFile } from './sheets/open-file.js'
import type { LoadFile, RowSource } from './row-source.js'

export type RowSourceOpener = (file: LoadFile) => Promise<RowSource>

/** Formats the loader reads, by resource format (lower case). */
const OPENERS: Record<string, RowSourceOpener> = {
  csv: (file) => openDelimited(file, 'csv'),
  tsv: (file) => openDelimited(file, 'tsv'),
  xlsx: openSpreadsheet,
  xls: openSpreadsheet,
  ods: openSpreadsheet,
}

/**
 * The first sheet of an XLSX, ODS or XLS file, by what its bytes are (portals label XLSX files
 * "XLS" and the reverse); a CSV published under a spreadsheet's label is read as the CSV it is.
 * The sheet readers' errors (a corrupt zip, a file too large for SheetJS) are the file's: final.
 */
async function openSpreadsheet(file: LoadFile): Promise<RowSource> {
  let sheet
  try {
    sheet = await openSheetFile(file.path)
  } catch (err) {
    throw err instanceof SheetLoadError ? new LoadError(err.message) : err
  }
  if (!sheet) return openDelimited(file, 'csv')
  const { rows } = sheet
  async function* finalErrors(): AsyncGenerator<string[]> {
    try {
      yield* rows
    } catch (err) {
      throw err instanceof SheetLoadError ? new LoadError(err.message) : err
    }
  }
  return { headers: sheet.headers, rows: { [Symbol.asyncIterator]: finalErrors }, info: sheet.info }
}

export function rowSourceFormats(): string[] {
  return Object.keys(OPENERS)
}

/** The rows of `file` read as `format`; LoadError for a format no reader knows or a file without rows. */
export async function openRowSource(format: string, file: LoadFile): Promise<RowSource> {
  const open = OPENERS[format.trim().toLowerCase()]
  if (!open) throw new LoadError(`Format "${format}" cannot be loaded into the DataStore`)
  if (file.size === 0) throw new LoadError('The file is empty')
  return open(file)
}
