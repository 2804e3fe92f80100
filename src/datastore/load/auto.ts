import type { Kysely } from 'kysely'
import type { Config } from '../../config.js'
import type { Database } from '../../db/schema.js'
import { submitLoad } from './status.js'

/**
 * xloader's automatic submit: a resource is loaded when it is created, or when its file or link
 * changes, and its format is one the loader reads (DATASTORE_LOAD_FORMATS). The jobs are queued in
 * the write's transaction, so a write that rolls back queues nothing. Resources written through
 * the DataStore API (url_type datastore) are never loaded from a file.
 */

type ResourceDict = Record<string, unknown>

export function loadableFormat(resource: ResourceDict, config: Config): boolean {
  const format = typeof resource.format === 'string' ? resource.format.trim().toLowerCase() : ''
  return format !== '' && config.datastore.loadFormats.includes(format)
}

function hasFile(resource: ResourceDict): boolean {
  if (resource.url_type === 'datastore') return false
  if (resource.url_type === 'upload') return true
  return typeof resource.url === 'string' && /^https?:\/\//i.test(resource.url.trim())
}

/** The file behind the resource differs: another link, or another upload (a new file has another hash). */
function fileChanged(before: ResourceDict, after: ResourceDict): boolean {
  if (before.url !== after.url || (before.url_type ?? '') !== (after.url_type ?? '')) return true
  if (after.url_type === 'upload' && (before.hash !== after.hash || before.size !== after.size)) return true
  // a format the loader did not read before: the same file is now loadable
  return !sameFormat(before, after)
}

function sameFormat(a: ResourceDict, b: ResourceDict): boolean {
  const f = (r: ResourceDict) => (typeof r.format === 'string' ? r.format.trim().toLowerCase() : '')
  return f(a) === f(b)
}

/** The resources of `after` that are new or have a new file (`before`: the dataset as it was, null when created) and the loader reads. */
export function changedLoads(config: Config, before: { resources?: unknown } | null, after: { resources?: unknown; state?: unknown }): Array<{ id: string; url: string | null }> {
  if (!config.datastore.autoLoad || after.state === 'deleted') return []
  const old = new Map<unknown, ResourceDict>()
  for (const r of (Array.isArray(before?.resources) ? before.resources : []) as ResourceDict[]) old.set(r.id, r)
  const out: Array<{ id: string; url: string | null }> = []
  for (const r of (Array.isArray(after.resources) ? after.resources : []) as ResourceDict[]) {
    if (typeof r.id !== 'string' || !loadableFormat(r, config) || !hasFile(r)) continue
    const prev = old.get(r.id)
    if (prev && !fileChanged(prev, r)) continue
    out.push({ id: r.id, url: typeof r.url === 'string' ? r.url : null })
  }
  return out
}

/** Queues a load for each resource of `after` that is new or has a new file (`before`: the dataset as it was, null when created). */
export async function enqueueChangedLoads(db: Kysely<Database>, config: Config, before: { resources?: unknown } | null, after: { resources?: unknown; state?: unknown }): Promise<void> {
  for (const r of changedLoads(config, before, after)) await submitLoad(db, r)
}
