import { fileRandomAccess } from './file-access.js'
import { openSheetRows } from './index.js'
import type { SheetRowSource } from './sheet-rows.js'

/**
 * openSheetRows over a local file (the loader's download): the file stays open while the rows are
 * read and is closed when they end, fail or are given up, or when close() is called. null: the
 * bytes are text (a CSV under a spreadsheet's label), for the CSV reader.
 */
export async function openSheetFile(path: string): Promise<SheetRowSource | null> {
  const ra = await fileRandomAccess(path)
  let source: SheetRowSource | null
  try {
    source = await openSheetRows(ra)
  } catch (err) {
    await ra.close()
    throw err
  }
  if (!source) {
    await ra.close()
    return null
  }
  const { rows, close } = source
  let closed = false
  const release = async (): Promise<void> => {
    if (closed) return
    closed = true
    await ra.close()
  }
  async function* fileRows(): AsyncGenerator<string[]> {
    try {
      yield* rows
    } finally {
      await release()
    }
  }
  return {
    ...source,
    rows: { [Symbol.asyncIterator]: fileRows },
    async close() {
      await close()
      await release()
    },
  }
}
