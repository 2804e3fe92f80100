/**
 * Rows of a tabular file, whatever its format: the loader's one input. A source reads its file
 * from the start on each `openRowSource` (a load that must be redone with other column types opens
 * it again), streams its rows with bounded memory, and gives every cell as text; the loader's type
 * guessing reads ISO dates and plain numbers (`1234.5`), anything else stays text.
 */
export interface RowSource {
  /** the first row, as written (the loader makes column names of them) */
  headers: string[]
  /** every following row; a row may be shorter or longer than `headers` */
  rows: AsyncIterable<string[]>
  /** what was detected, for the load's log: encoding, delimiter, sheet… */
  info: Record<string, unknown>
  /**
   * Set by a text format Postgres can parse itself (CSV, TSV): the loader first hands the bytes
   * to COPY … (FORMAT csv), several times faster than parsing them here, and falls back to `rows`
   * when Postgres refuses the file (ragged rows, blank lines, stray bytes).
   */
  direct?: DirectCopy
}

export interface DirectCopy {
  path: string
  /** first byte after a byte order mark */
  start: number
  delimiter: string
  /** Postgres' name for the file's encoding */
  encoding: 'UTF8' | 'WIN1252'
}

/** A fetched file on local disk (src/datastore/load/fetch.ts). */
export interface LoadFile {
  path: string
  size: number
}
