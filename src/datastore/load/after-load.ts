import type { Kysely } from 'kysely'
import type { FastifyBaseLogger } from 'fastify'
import type { ActionRunner } from '../../actions/runner.js'
import type { Database } from '../../db/schema.js'
import type { SearchIndexer } from '../../search/indexer.js'

/** The default views action, when the views part is present (CKAN's xloader_hook calls it the same way). */
const DEFAULT_VIEWS_ACTION = 'resource_create_default_resource_views'

export interface AfterLoadDeps {
  db: Kysely<Database>
  runner: ActionRunner
  indexer?: SearchIndexer
  log: FastifyBaseLogger
}

/**
 * What follows a load outside its transaction: the search index takes the resource's new
 * `datastore_active`, and the resource gets the views of data in the DataStore (datatables_view),
 * as xloader asks CKAN to create them, with a sysadmin's rights as xloader's site user has.
 */
export function afterLoadHook(deps: AfterLoadDeps): (resourceId: string) => Promise<void> {
  return async (resourceId) => {
    await deps.indexer?.flushFresh(10, deps.log)
    if (!deps.runner.registry.get(DEFAULT_VIEWS_ACTION)) return
    const user = await deps.db.selectFrom('user').selectAll().where('sysadmin', '=', true).where('state', '=', 'active').orderBy('created').executeTakeFirst()
    if (!user) return
    const caller = { user }
    const resource = (await deps.runner.run('resource_show', { id: resourceId }, caller, deps.log)) as Record<string, unknown>
    const dataset = await deps.runner.run('package_show', { id: resource.package_id }, caller, deps.log)
    await deps.runner.run(DEFAULT_VIEWS_ACTION, { resource, package: dataset, create_datastore_views: true }, caller, deps.log)
  }
}
