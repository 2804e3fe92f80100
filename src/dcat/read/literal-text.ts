/**
 * The text of a typed literal as ckanext-dcat hands it on. rdflib, its RDF library, parses a
 * literal of a known XSD type into a Python value and prints that value back, so
 * "2012-05-10T21:04"^^xsd:dateTime reaches CKAN as "2012-05-10T21:04:00" and "Z" as "+00:00".
 * Harvested dates must read the same in Abierto as in CKAN, or re-harvests and clients diverge.
 * Only the types DCAT values carry are covered; a lexical form that does not parse is kept as
 * written, as rdflib keeps it.
 */
import type { Literal } from 'n3'

const XSD = 'http://www.w3.org/2001/XMLSchema#'

const INTEGER_TYPES = new Set(
  ['integer', 'int', 'long', 'short', 'byte', 'nonNegativeInteger', 'positiveInteger', 'nonPositiveInteger', 'negativeInteger', 'unsignedLong', 'unsignedInt', 'unsignedShort', 'unsignedByte'].map((t) => `${XSD}${t}`),
)

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?)?(Z|[+-]\d{2}:?\d{2})?$/
const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T[\d:.]+)?(?:Z|[+-]\d{2}:?\d{2})?$/

function validDay(y: string, m: string, d: string): boolean {
  const month = Number(m)
  const day = Number(d)
  if (month < 1 || month > 12 || day < 1) return false
  return day <= new Date(Date.UTC(Number(y), month, 0)).getUTCDate()
}

// Python's datetime.isoformat(): seconds always, microseconds only when not zero, offset as ±HH:MM
function dateTime(text: string): string | null {
  const m = DATE_TIME.exec(text)
  if (!m) return null
  const [, y, mo, d, h = '00', mi = '00', s = '00', fraction, zone] = m
  if (!validDay(y, mo, d) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null
  const micro = (fraction ?? '').slice(0, 6).padEnd(6, '0')
  let out = `${y}-${mo}-${d}T${h}:${mi}:${s}${/^0*$/.test(micro) ? '' : `.${micro}`}`
  if (zone) {
    const offset = zone === 'Z' ? '+00:00' : `${zone.slice(0, 3)}:${zone.slice(-2)}`
    out += offset === '-00:00' ? '+00:00' : offset
  }
  return out
}

function date(text: string): string | null {
  const m = DATE.exec(text)
  return m && validDay(m[1], m[2], m[3]) ? `${m[1]}-${m[2]}-${m[3]}` : null
}

function integer(text: string): string | null {
  const t = text.trim()
  return /^[+-]?\d+$/.test(t) ? BigInt(t).toString() : null
}

function boolean(text: string): string | null {
  const t = text.trim().toLowerCase()
  if (t === 'true' || t === '1') return 'true'
  if (t === 'false' || t === '0') return 'false'
  return null
}

/** The literal's text, canonical for the XSD types rdflib normalises. */
export function literalText(lit: Literal): string {
  const type = lit.datatype?.value
  if (!type || !type.startsWith(XSD)) return lit.value
  let out: string | null = null
  if (type === `${XSD}dateTime`) out = dateTime(lit.value)
  else if (type === `${XSD}date`) out = date(lit.value)
  else if (type === `${XSD}boolean`) out = boolean(lit.value)
  else if (INTEGER_TYPES.has(type)) out = integer(lit.value)
  return out ?? lit.value
}
