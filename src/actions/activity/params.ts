import { ValidationError } from '../../errors.js'
import { isSysadmin, type ActionContext } from '../context.js'

/**
 * CKAN's activity list schemas (default_activity_list_schema, default_dashboard_activity_list_schema),
 * parsed here rather than by ajv so that every bad field is reported at once, in CKAN's words: an
 * empty limit takes the default, `after`/`before` take any float, one string is "Not a list", and
 * include_hidden_activity never fails.
 */

/** Paging params shared by every list. */
export const PAGING_PARAMS = {
  offset: { description: 'where to start (default 0)' },
  limit: { description: 'how many (default ACTIVITY_LIST_LIMIT, 31; above ACTIVITY_LIST_LIMIT_MAX, 100, or 0: the maximum)' },
  after: { description: 'only activities newer than this UTC epoch time in seconds (exclusive); alone, the page right after it, newest first' },
  before: { description: 'only activities older than this UTC epoch time in seconds (exclusive)' },
} as const

export const FILTER_PARAMS = {
  include_hidden_activity: { description: "sysadmins only (ignored for others): include the activities of HIDE_ACTIVITY_FROM_USERS (the site's harvest and command line users)" },
  activity_types: { description: 'only these activity types (a list: repeat the parameter in a query string)' },
} as const

export const EXCLUDE_PARAM = {
  exclude_activity_types: { description: 'leave these activity types out (not with activity_types)' },
} as const

export interface Window {
  offset: number
  limit: number
  /** naive UTC ISO timestamps, exclusive bounds */
  after: string | null
  before: string | null
}

export interface ListParams extends Window {
  includeHidden: boolean
  types: string[] | null
  excludeTypes: string[] | null
}

type Errors = Record<string, string[]>

/** Epoch seconds (number or numeric string) → naive UTC ISO with microseconds, or an error. */
export function epochToIso(value: unknown): string | null | Error {
  if (value === undefined || value === null) return null
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value.trim()) : NaN
  // CKAN's datetime.fromtimestamp: years 1..9999 (beyond, Python overflows with a 500)
  if (!Number.isFinite(n) || n < -62135596800 || n >= 253402300800) return new Error('Must be a float timestamp')
  const micros = Math.round(n * 1e6)
  const ms = Math.floor(micros / 1000)
  const frac = ((micros % 1_000_000) + 1_000_000) % 1_000_000
  const base = new Date(ms).toISOString().slice(0, 19)
  return `${base}.${String(frac).padStart(6, '0')}`
}

function readTypes(value: unknown, field: string, errors: Errors): string[] | null {
  if (value === undefined || value === null) return null
  if (!Array.isArray(value)) {
    errors[field] = ['Not a list']
    return null
  }
  const bad = value.find((v) => typeof v !== 'string')
  if (bad !== undefined) {
    errors[field] = [`Not a string: ${String(bad)}`]
    return null
  }
  return value as string[]
}

/** CKAN's natural_number_validator (int_validator first): null for a missing or blank value. */
function naturalNumber(value: unknown, field: string, errors: Errors): number | null {
  if (value === undefined || value === null) return null
  let n: number
  if (typeof value === 'number' || typeof value === 'boolean') n = Number(value)
  else if (typeof value === 'string') {
    const s = value.trim()
    if (s === '') return null
    n = /^[+-]?\d+$/.test(s) ? Number(s) : NaN
  } else n = NaN
  if (!Number.isSafeInteger(n)) errors[field] = ['Invalid integer']
  else if (n < 0) errors[field] = ['Must be a natural number']
  else return n
  return null
}

/** CKAN's boolean_validator: true only for true and its usual spellings, never an error. */
function readFlag(value: unknown): boolean {
  if (typeof value === 'boolean') return value
  if (typeof value === 'string') return ['true', 'yes', 't', 'y', '1'].includes(value.toLowerCase())
  if (typeof value === 'number') return value === 1
  return false
}

/** The page to read: the configured default limit, clamped to the maximum; 0 means the maximum (CKAN: unlimited). */
export function readWindow(ctx: ActionContext, p: Record<string, unknown>, errors: Errors): Window {
  const { default: byDefault, max } = ctx.config.activityListLimit
  const offset = naturalNumber(p.offset, 'offset', errors) ?? 0
  const asked = naturalNumber(p.limit, 'limit', errors) ?? byDefault
  const window: Window = { offset, limit: asked === 0 || asked > max ? max : asked, after: null, before: null }
  for (const key of ['after', 'before'] as const) {
    const iso = epochToIso(p[key])
    if (iso instanceof Error) errors[key] = [iso.message]
    else window[key] = iso
  }
  return window
}

/** Everything a list action takes; throws CKAN's field errors, all at once. */
export function readListParams(ctx: ActionContext, p: Record<string, unknown>): ListParams {
  const errors: Errors = {}
  const window = readWindow(ctx, p, errors)
  const types = readTypes(p.activity_types, 'activity_types', errors)
  const excludeTypes = readTypes(p.exclude_activity_types, 'exclude_activity_types', errors)
  if (Object.keys(errors).length > 0) throw new ValidationError(errors)
  // ignore_not_sysadmin: silently dropped for everyone else
  const includeHidden = isSysadmin(ctx) && readFlag(p.include_hidden_activity)
  return { ...window, includeHidden, types, excludeTypes }
}
