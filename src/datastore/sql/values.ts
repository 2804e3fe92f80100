/**
 * datastore_search_sql's values: Postgres' text output turned into what CKAN's `convert`
 * answers (numbers as numbers, JSON parsed, arrays as lists, timestamps as Python's isoformat),
 * by the column's type name.
 */

const NUMERIC = new Set(['int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'oid'])

export interface TypeInfo {
  typname: string
  /** the element type's name, for arrays */
  elem: string | null
}

export function convertValue(text: string | null, type: TypeInfo): unknown {
  if (text === null) return null
  if (type.elem !== null) return parseArray(text).map((v) => convertValue(v, { typname: type.elem!, elem: null }))
  return convertScalar(text, type.typname)
}

function convertScalar(text: string, typname: string): unknown {
  if (NUMERIC.has(typname)) {
    const n = Number(text)
    return Number.isFinite(n) ? n : text
  }
  if (typname === 'bool') return text === 't'
  if (typname === 'json' || typname === 'jsonb') return JSON.parse(text) as unknown
  if (typname === 'timestamp' || typname === 'timestamptz') return isoformat(text)
  return text
}

/** `2020-01-02 03:04:05.5+00` → `2020-01-02T03:04:05.500000+00:00` (datetime.isoformat). */
function isoformat(text: string): string {
  const m = /^(\d{4,}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d+))?([+-]\d\d)?(?::?(\d\d))?$/.exec(text)
  if (!m) return text
  const [, date, time, frac, tzh, tzm] = m
  return `${date}T${time}${frac ? `.${frac.padEnd(6, '0')}` : ''}${tzh ? `${tzh}:${tzm ?? '00'}` : ''}`
}

/** A one-dimensional (or nested) Postgres array literal, elements as text or null. */
export function parseArray(text: string): (string | null)[] {
  // a lower bound given (`[0:1]={a,b}`) does not change the elements
  const body = text.replace(/^\[[^\]]*\]=/, '')
  const out: (string | null)[] = []
  let i = 1
  const n = body.length - 1
  while (i < n) {
    if (body[i] === ',') {
      i++
      continue
    }
    if (body[i] === '"') {
      let v = ''
      i++
      while (i < n && body[i] !== '"') {
        if (body[i] === '\\') i++
        v += body[i++]
      }
      i++
      out.push(v)
    } else if (body[i] === '{') {
      // nested dimension: kept as its text (CKAN's lists of lists are rare enough)
      let depth = 0
      const start = i
      do {
        if (body[i] === '{') depth++
        else if (body[i] === '}') depth--
        i++
      } while (i < n && depth > 0)
      out.push(body.slice(start, i))
    } else {
      let j = i
      while (j < n && body[j] !== ',') j++
      const v = body.slice(i, j)
      out.push(v === 'NULL' ? null : v)
      i = j
    }
  }
  return out
}
