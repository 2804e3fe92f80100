import type { Kysely } from 'kysely'
import type { Config } from '../config.js'
import type { Database } from '../db/schema.js'
import type { PackageDict } from '../model/package-dict.js'
import { recordViewActivity, insertView } from '../resource-views/store.js'
import { defaultConfig, defaultViewTypes } from '../resource-views/view-types.js'
import { changedLoads } from '../datastore/load/auto.js'
import { submitLoads } from '../datastore/load/status.js'
import type { Actor } from '../activity/record.js'

/** A dataset written set-based: created or updated, its dict after the write and (updated) its resources before. */
export interface WrittenDataset {
  created: boolean
  before: { resources?: unknown } | null
  after: PackageDict
}

/**
 * What package_create and package_update do besides the rows and the activity, for datasets
 * written set-based (the harvest import, `abierto load`), in the write's transaction:
 * - package_create's default views (ckan.views.default_views) on a created dataset's resources,
 *   made as the system; package_update makes none. Types needing the DataStore wait for the loader.
 * - xloader's automatic submit: resources that are new or have a new file of a format the loader
 *   reads are queued for the DataStore (all with two statements).
 */
export async function afterBulkWrite(db: Kysely<Database>, config: Config, actor: Actor | null, written: WrittenDataset[]): Promise<void> {
  const types = defaultViewTypes(config.defaultViews, false)
  const loads: Array<{ id: string; url: string | null }> = []
  for (const { created, before, after } of written) {
    loads.push(...changedLoads(config, created ? null : before, after))
    if (!created || types.length === 0) continue
    for (const r of (Array.isArray(after.resources) ? after.resources : []) as Record<string, unknown>[]) {
      if (typeof r.id !== 'string') continue
      // most resources (a PDF, a CSV not loaded yet) have no default view: no query for them
      for (const type of types.filter((t) => t.canView(r))) {
        const view = await insertView(db, { resource_id: r.id, title: type.defaultTitle, description: '', view_type: type.name, config: defaultConfig(type) })
        if (actor) await recordViewActivity(db, actor, 'new', view, String(after.id))
      }
    }
  }
  await submitLoads(db, loads)
}
