/**
 * The two CSV spellings CKAN's DataStore answers with, byte for byte: rows as Postgres'
 * `COPY ... csv` prints them (datastore_search records_format csv/tsv, and the dump's rows), and
 * the dump's header line as Python's csv writer prints it (`\r\n`-terminated, unlike the rows).
 */

/** One row as `COPY (FORMAT csv, DELIMITER d)` prints it: NULL bare, the empty string quoted. */
export function copyCsvRow(values: readonly (string | null)[], delimiter: string): string {
  let line = ''
  for (let i = 0; i < values.length; i++) {
    if (i > 0) line += delimiter
    const v = values[i]
    if (v === null) continue
    const quote = v === '' || (values.length === 1 && v === '\\.') || v.includes(delimiter) || v.includes('"') || v.includes('\n') || v.includes('\r')
    line += quote ? `"${v.replace(/"/g, '""')}"` : v
  }
  return `${line}\n`
}

/** A header row as Python's csv.writer (QUOTE_MINIMAL, excel or excel-tab dialect) prints it. */
export function pythonCsvRow(values: readonly string[], delimiter: string): string {
  const cells = values.map((v) => (v.includes(delimiter) || v.includes('"') || v.includes('\n') || v.includes('\r') || (values.length === 1 && v === '') ? `"${v.replace(/"/g, '""')}"` : v))
  return `${cells.join(delimiter)}\r\n`
}
