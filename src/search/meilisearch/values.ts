/**
 * How values are stored in Meilisearch attributes: strings encoded so filters compare them
 * exactly (`e.*`, `x.*`, `v.*`, `w.*`), dates as epoch milliseconds (`n.*`).
 */

const HIGH = 'ghijklmnopqrstuv'
const LOW = '0123456789abcdef'

/**
 * A string as two characters per UTF-8 byte: high nibble g–v, low nibble 0–9a–f. Lowercase only
 * (Meilisearch lowercases filter values), quote-free (no escaping in filters), order-preserving
 * (byte order = code point order = COLLATE "C"), and prefixes map to prefixes.
 */
export function encodeValue(s: string): string {
  let out = ''
  for (const b of Buffer.from(s, 'utf8')) out += HIGH[b >> 4] + LOW[b & 15]
  return out
}

export function decodeValue(s: string): string {
  const bytes: number[] = []
  for (let i = 0; i + 1 < s.length; i += 2) bytes.push((HIGH.indexOf(s[i]) << 4) | LOW.indexOf(s[i + 1]))
  return Buffer.from(bytes).toString('utf8')
}

/** Greater than every encoded string that starts with the same prefix. */
export const AFTER = 'w'

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?(Z|[+-]00:?00)?$/

/** An ISO 8601 UTC timestamp (as documents and Solr date terms write it) as epoch ms, or null when it is not one. */
export function epochMs(iso: string): number | null {
  if (!iso) return null
  const m = ISO.exec(iso.trim())
  if (!m) return null
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = ''] = m
  const base = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}Z`)
  if (Number.isNaN(base)) return null
  return base + (frac ? Math.floor(Number(`0${frac}`) * 1000) : 0)
}
