/**
 * Column types from a sample of a file's values, conservatively: a column is typed only when
 * every non-empty value of the sample reads the same way in Postgres, and only as one of
 *   int8 (integers without leading zeros: "007" is a code and stays text), numeric, date (ISO
 *   YYYY-MM-DD), timestamp (ISO date and time, no zone), else text.
 * Decimal commas ("1,5"), local dates ("31/12/2020"), booleans and anything with a zone stay
 * text: reading them one way would be wrong for another file. Empty cells are NULL and fit
 * any type; a column with no value at all is text.
 */

export type GuessedType = 'int8' | 'numeric' | 'date' | 'timestamp' | 'text'

const INTEGER = /^[+-]?(0|[1-9]\d*)$/
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d{1,3})?$/
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const ISO_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(:(\d{2})(\.\d{1,6})?)?$/

const INT8_MAX = 9223372036854775807n
const INT8_MIN = -9223372036854775808n

/** The narrowest type `value` (trimmed, non-empty) reads as. */
export function valueType(value: string): GuessedType {
  if (INTEGER.test(value)) {
    if (value.length < 19) return 'int8'
    const n = BigInt(value)
    return n <= INT8_MAX && n >= INT8_MIN ? 'int8' : 'numeric'
  }
  if (DECIMAL.test(value)) {
    // a leading zero before more digits ("0012.5") is a code too
    return /^[+-]?0\d/.test(value) ? 'text' : 'numeric'
  }
  let m = ISO_DATE.exec(value)
  if (m) return validDate(+m[1], +m[2], +m[3]) ? 'date' : 'text'
  m = ISO_TIMESTAMP.exec(value)
  if (m) return validDate(+m[1], +m[2], +m[3]) && +m[4] < 24 && +m[5] < 60 && (m[7] === undefined || +m[7] < 60) ? 'timestamp' : 'text'
  return 'text'
}

function validDate(y: number, mo: number, d: number): boolean {
  if (y < 1 || mo < 1 || mo > 12 || d < 1) return false
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)
  return d <= [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1]
}

/** The type holding both: int8 ⊂ numeric, date ⊂ timestamp, anything else meets in text. */
export function widen(a: GuessedType | null, b: GuessedType): GuessedType {
  if (a === null || a === b) return b
  if ((a === 'int8' && b === 'numeric') || (a === 'numeric' && b === 'int8')) return 'numeric'
  if ((a === 'date' && b === 'timestamp') || (a === 'timestamp' && b === 'date')) return 'timestamp'
  return 'text'
}

/** Accumulates a sample's values column by column. */
export class TypeGuesser {
  private readonly types: (GuessedType | null)[]

  constructor(columns: number) {
    this.types = new Array<GuessedType | null>(columns).fill(null)
  }

  add(row: readonly string[]): void {
    const n = Math.min(row.length, this.types.length)
    for (let i = 0; i < n; i++) {
      const t = this.types[i]
      if (t === 'text') continue
      const v = row[i].trim()
      if (v === '') continue
      this.types[i] = widen(t, valueType(v))
    }
  }

  result(): GuessedType[] {
    return this.types.map((t) => t ?? 'text')
  }
}
