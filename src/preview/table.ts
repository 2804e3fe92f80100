import { PreviewFailure } from './failure.js'

/** Wider tables are cut: a preview is for reading, and real exports carry thousands of empty styled columns. */
export const MAX_COLUMNS = 200

export interface Table {
  columns: string[]
  rows: string[][]
  truncated: boolean
}

const isEmptyRow = (row: string[]): boolean => row.every((c) => c === '')

/**
 * Header plus at most `maxRows` rows, all of one width: the widest non-empty extent among them
 * (a header shorter than its data gets '' names rather than hiding columns). Leading empty rows
 * are skipped (spreadsheets often start lower down); `records` may hold one row more than shown,
 * which is how a reader says more exist.
 */
export function shapeTable(records: string[][], maxRows: number, moreAfter: boolean): Table {
  let first = 0
  while (first < records.length && isEmptyRow(records[first])) first++
  if (first === records.length) throw new PreviewFailure('empty')
  const header = records[first]
  const body = records.slice(first + 1)
  let truncated = moreAfter || body.length > maxRows
  const rows = body.slice(0, maxRows)
  if (!truncated) while (rows.length > 0 && isEmptyRow(rows[rows.length - 1])) rows.pop()
  let width = 0
  for (const row of [header, ...rows]) {
    for (let i = row.length - 1; i >= width; i--) {
      if (row[i] !== '') {
        width = i + 1
        break
      }
    }
  }
  if (width > MAX_COLUMNS) {
    width = MAX_COLUMNS
    truncated = true
  }
  const fit = (row: string[]): string[] => (row.length >= width ? row.slice(0, width) : [...row, ...new Array<string>(width - row.length).fill('')])
  return { columns: fit(header), rows: rows.map(fit), truncated }
}
