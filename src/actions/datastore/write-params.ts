import { ValidationError } from '../../errors.js'
import type { DatastoreResource } from '../../datastore/access.js'

/**
 * What datastore_create, _upsert and _delete share: CKAN's `id` alias of `resource_id`, the
 * read-only rule, and the "list or comma-separated string" parameters.
 */

/** The parameters naming the table and allowing a write to a loaded one. */
export const TARGET_PARAMS = {
  resource_id: { type: 'string' },
  id: { type: 'string', description: 'same as resource_id' },
  force: { type: 'boolean' },
} as const

/** `id` is renamed to `resource_id` (and wins), as CKAN's schemas do. */
export function resourceIdOf(p: { id?: unknown; resource_id?: unknown }): string | undefined {
  for (const v of [p.id, p.resource_id]) if (typeof v === 'string' && v !== '') return v
  return undefined
}

export function requireResourceId(p: { id?: unknown; resource_id?: unknown }): string {
  const id = resourceIdOf(p)
  if (id === undefined) throw new ValidationError({ resource_id: ['Missing value'] })
  return id
}

/** url_types whose table may be written without `force` (CKAN's datastore_rw_resource_url_types). */
const WRITABLE_URL_TYPES = new Set(['datastore'])

/**
 * A table loaded from the resource's file or link is replaced on the next load: writing it
 * directly needs `force`, so the writer knows the change will not last.
 */
export function requireWritable(res: DatastoreResource, force: boolean | undefined): void {
  if (force || WRITABLE_URL_TYPES.has(res.url_type ?? '')) return
  throw new ValidationError({
    'read-only': ['Cannot edit read-only resource because changes made may be lost. Use a resource created for editing e.g. with datastore_create or use "force=True" to ignore this warning.'],
  })
}

/** CKAN's list_of_strings_or_string: a string, or a list of strings and lists. */
export function checkListParam(name: string, value: unknown): void {
  if (value === undefined || value === null || typeof value === 'string') return
  if (!Array.isArray(value)) throw new ValidationError({ [name]: ['Not a list'] })
  for (const x of value) {
    if (typeof x !== 'string' && !Array.isArray(x)) throw new ValidationError({ [name]: [`Neither a string nor a list: ${JSON.stringify(x)}`] })
  }
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

/** The echo CKAN returns: the validated input without `id` (renamed) and without `connection_url`. */
export function echo(p: Record<string, unknown>, resourceId: string): Record<string, unknown> {
  const { id: _id, connection_url: _c, ...rest } = p
  return { ...rest, resource_id: resourceId }
}
