/**
 * Column names from a file's header row. Accents and spaces are kept ("Población total" is a
 * fine Postgres identifier, quoted); what the DataStore refuses is made valid: blank headers,
 * duplicates, a leading underscore (reserved for `_id` and `_full_text`), double quotes, control
 * characters, and more than 63 bytes (Postgres would cut the name silently, and two long headers
 * could become one). The header as written is kept in the field's `info.label`.
 */

/** Postgres' NAMEDATALEN - 1: identifiers are cut at 63 bytes, not characters. */
export const MAX_NAME_BYTES = 63

export interface ColumnName {
  id: string
  /** the header as written; absent for a blank one */
  label?: string
}

export function columnNames(headers: string[]): ColumnName[] {
  const used = new Set<string>()
  return headers.map((raw, i) => {
    const original = raw ?? ''
    let base = cleanName(original)
    if (base === '') base = `column_${i + 1}`
    let id = cutToBytes(base, MAX_NAME_BYTES)
    for (let n = 2; used.has(id.toLowerCase()); n++) {
      const suffix = `_${n}`
      id = cutToBytes(base, MAX_NAME_BYTES - Buffer.byteLength(suffix)) + suffix
    }
    // case-insensitively unique: clients (and CKAN's own field lookups) often lower-case names
    used.add(id.toLowerCase())
    return original.trim() === '' ? { id } : { id, label: original }
  })
}

function cleanName(header: string): string {
  return (
    header
      // control characters (line breaks in a quoted header, tabs) become spaces
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001f\u007f]+/g, ' ')
      .replace(/"/g, "'")
      .replace(/\s+/g, ' ')
      .trim()
      .replace(/^_+/, '')
      .trim()
  )
}

/** The longest prefix of `s` within `max` UTF-8 bytes, never cutting a character (or a surrogate pair) in two. */
export function cutToBytes(s: string, max: number): string {
  if (Buffer.byteLength(s) <= max) return s
  let bytes = 0
  let out = ''
  for (const ch of s) {
    const n = Buffer.byteLength(ch)
    if (bytes + n > max) break
    bytes += n
    out += ch
  }
  return out.trimEnd()
}
