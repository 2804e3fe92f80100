/**
 * The few validators of CKAN's view schemas, each deciding one key: keep it (maybe converted),
 * drop it, or refuse it with CKAN's message. `undefined` is a key that was not sent.
 */

export type RuleResult = { value: unknown } | { drop: true } | { error: string }
export type KeyRule = (value: unknown) => RuleResult

const DROP: RuleResult = { drop: true }

function blank(v: unknown): boolean {
  return v === undefined || v === null || v === ''
}

/** CKAN's unicode_safe: text stays text, anything else becomes its text. */
export function asText(v: unknown): string {
  if (typeof v === 'string') return v
  if (v !== null && typeof v === 'object') return JSON.stringify(v)
  return String(v)
}

/** CKAN's not_empty: absent, null and falsy values are "Missing value". */
export function isEmptyValue(v: unknown): boolean {
  if (v === undefined || v === null || v === '' || v === false || v === 0) return true
  if (Array.isArray(v)) return v.length === 0
  if (typeof v === 'object') return Object.keys(v).length === 0
  return false
}

/** [ignore_empty, unicode_safe] */
export const ignoreEmptyText: KeyRule = (v) => (blank(v) ? DROP : { value: asText(v) })

/** [ignore_missing] */
export const ignoreMissing: KeyRule = (v) => (v === undefined || v === null ? DROP : { value: v })

/** [default(x)] */
export function defaultValue(x: unknown): KeyRule {
  return (v) => ({ value: blank(v) ? x : v })
}

/** CKAN's boolean_validator: anything but true-ish text is false. */
export function toBoolean(v: unknown): boolean {
  if (typeof v === 'boolean') return v
  if (typeof v === 'number') return v !== 0
  if (typeof v === 'string') return ['true', 'yes', 't', 'y', '1'].includes(v.toLowerCase())
  return false
}

/** [default(x), boolean_validator] */
export function booleanWithDefault(x: boolean): KeyRule {
  return (v) => ({ value: blank(v) ? x : toBoolean(v) })
}

/** CKAN's int_validator, then natural_number_validator. */
export function naturalNumber(v: unknown): RuleResult {
  let n: number
  if (typeof v === 'number' && Number.isInteger(v)) n = v
  else if (typeof v === 'string' && /^\s*[-+]?\d+\s*$/.test(v)) n = Number(v)
  else return { error: 'Invalid integer' }
  if (!Number.isSafeInteger(n)) return { error: 'Invalid integer' }
  if (n < 0) return { error: 'Must be a natural number' }
  return { value: n }
}

/** [default(x), natural_number_validator] */
export function naturalWithDefault(x: number): KeyRule {
  return (v) => (blank(v) ? { value: x } : naturalNumber(v))
}

/** CKAN's convert_to_list_if_string. */
export function listIfString(v: unknown): unknown[] {
  if (typeof v === 'string') return [v]
  if (Array.isArray(v)) return v
  return v === undefined || v === null ? [] : [v]
}
