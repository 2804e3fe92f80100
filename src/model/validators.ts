/** CKAN's field validators (ckan/logic/validators.py) as small pure functions returning a message or null. */

const NAME_RE = /^[a-z0-9_-]*$/
const RESERVED_NAMES = new Set(['new', 'edit', 'search'])
const UUID_RE = /^(urn:uuid:)?\{?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\}?$/i
// WHATWG's valid e-mail address, as CKAN's email_validator uses
const EMAIL_RE = /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/
const TAG_RE = /^[\p{L}\p{M}\p{N}_ \-.]*$/u

export const MIN_TAG_LENGTH = 2
export const MAX_TAG_LENGTH = 100

/** name_validator: for datasets, groups and organizations. */
export function nameError(value: unknown): string | null {
  if (typeof value !== 'string') return 'Names must be strings'
  if (RESERVED_NAMES.has(value)) return 'That name cannot be used'
  if (value.length < 2) return 'Must be at least 2 characters long'
  if (value.length > 100) return 'Name must be a maximum of 100 characters long'
  if (!NAME_RE.test(value)) return 'Must be purely lowercase alphanumeric (ascii) characters and these symbols: -_'
  return null
}

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_RE.test(value)
}

/**
 * email_validator, with one improvement over CKAN: a list of valid addresses separated by ";" or
 * "," passes (real catalogues publish contact lists so; CKAN rejects the whole dataset).
 */
export function emailError(value: string): string | null {
  if (value === '') return null
  const valid = value.split(/\s*[;,]\s*/).every((part) => EMAIL_RE.test(part))
  return valid ? null : `Email ${value} is not a valid format`
}

/** Tag messages, in CKAN's order (length first, then characters). */
export function tagErrors(name: string): string[] {
  const errors: string[] = []
  if (name.length < MIN_TAG_LENGTH) errors.push(`Tag "${name}" length is less than minimum ${MIN_TAG_LENGTH}`)
  if (name.length > MAX_TAG_LENGTH) errors.push(`Tag "${name}" length is more than maximum ${MAX_TAG_LENGTH}`)
  if (!TAG_RE.test(name)) errors.push(`Tag "${name}" can only contain alphanumeric characters, spaces (" "), hyphens ("-"), underscores ("_") or dots (".")`)
  return errors
}

/** unicode_safe: strings pass; other values are JSON-encoded, null stays null. */
export function unicodeSafe(value: unknown): string | null {
  if (value === null || value === undefined) return null
  if (typeof value === 'string') return value
  return JSON.stringify(value)
}

/** int_validator: ints, digit strings and whole floats; "" and null → null; otherwise undefined (invalid). */
export function toInt(value: unknown): number | null | undefined {
  if (value === null || value === '') return null
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined
  if (typeof value === 'string' && /^\s*-?\d+(\.0*)?\s*$/.test(value)) return Math.trunc(Number(value))
  return undefined
}

/** Python's truth value of a JSON value: what CKAN's `if value:` tests. */
function pyTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false
  if (Array.isArray(value)) return value.length > 0
  if (typeof value === 'object') return Object.keys(value).length > 0
  return true
}

/**
 * The `id` of one extra (CKAN's default_extras_schema: ignore_missing, empty_if_not_sysadmin,
 * uuid_validator): others may not send one (an empty value passes), a sysadmin's must be a UUID.
 */
export function extraIdErrors(value: unknown, sysadmin: boolean): string[] | null {
  if (value === undefined || value === null) return null
  if (!sysadmin) return pyTruthy(value) ? ['The input field id was not expected.'] : null
  return isUuid(value) ? null : ['Invalid id provided']
}
