import type { Config } from '../../config.js'
import { ValidationError } from '../../errors.js'

/** The dashboard's paging params, validated as CKAN's default_dashboard_activity_list_schema. */
export interface Page {
  offset: number
  limit: number
  /** epoch seconds, exclusive bounds */
  after?: number
  before?: number
}

export const PAGE_PARAMS = {
  offset: { type: 'integer', minimum: 0, default: 0, description: 'activities to skip (default 0)' },
  limit: { type: 'integer', minimum: 0, description: 'page size (default ACTIVITY_LIST_LIMIT; above ACTIVITY_LIST_LIMIT_MAX, or 0, means that maximum)' },
  after: { type: ['number', 'string', 'null'], description: 'only activities newer than this UTC epoch time in seconds: the page right after it' },
  before: { type: ['number', 'string', 'null'], description: 'only activities older than this UTC epoch time in seconds' },
} as const

/** datetime's range: a bound outside it could not be compared with a timestamp. */
const MIN_EPOCH = -62135596800
const MAX_EPOCH = 253402300799

function epoch(value: unknown): number | null | undefined {
  if (value === undefined || value === null) return undefined
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value.trim()) : NaN
  return Number.isFinite(n) && n >= MIN_EPOCH && n <= MAX_EPOCH ? n : null
}

/**
 * `limit` defaults to the configured list limit and is clamped to the maximum; `0`, which CKAN
 * takes as "no limit", is clamped too (the documented improvement). `after`/`before` are UTC.
 */
export function readPage(config: Config, p: { offset?: number; limit?: number; after?: unknown; before?: unknown }): Page {
  const { default: dflt, max } = config.activityListLimit
  const limit = p.limit === undefined ? Math.min(dflt, max) : p.limit === 0 ? max : Math.min(p.limit, max)
  const after = epoch(p.after)
  const before = epoch(p.before)
  const errors: Record<string, string[]> = {}
  if (after === null) errors.after = ['Must be a float timestamp']
  if (before === null) errors.before = ['Must be a float timestamp']
  if (Object.keys(errors).length > 0) throw new ValidationError(errors)
  return { offset: p.offset ?? 0, limit, after: after ?? undefined, before: before ?? undefined }
}
