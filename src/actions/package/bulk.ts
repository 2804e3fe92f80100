import { defineAction, type AnyAction } from '../define.js'
import { hasGroupPermission } from '../../auth/authz.js'
import { NotAuthorized } from '../../errors.js'
import type { PackageUpdate } from '../../db/schema.js'
import { actorOf, recordPackageActivitiesByIds } from '../../activity/record.js'

/**
 * bulk_update_private / bulk_update_public / bulk_update_delete: change many datasets of one
 * organization at once (CKAN's _bulk_update_dataset). Only the organization's admins (and
 * sysadmins); datasets of other organizations in the list are left alone.
 */
function bulkAction(name: string, what: string, change: PackageUpdate): AnyAction {
  return defineAction({
    name,
    description: `Make the given datasets of an organization ${what}. Needs admin rights on the organization; datasets it does not own are skipped. Returns null. :param datasets: list of dataset ids (or names). :param org_id: the organization's id or name.`,
    sideEffectFree: false,
    params: {
      type: 'object',
      required: ['datasets', 'org_id'],
      additionalProperties: true,
      properties: {
        datasets: { type: 'array', items: { type: 'string' }, description: 'dataset ids or names' },
        org_id: { type: 'string', description: 'id or name of the organization' },
      },
    },
    auth: async (ctx, p) => {
      const org = await ctx.db
        .selectFrom('group')
        .select('id')
        .where('is_organization', '=', true)
        .where((eb) => eb.or([eb('id', '=', p.org_id), eb('name', '=', p.org_id)]))
        .executeTakeFirst()
      if (!org || !(await hasGroupPermission(ctx, org.id, 'update'))) throw new NotAuthorized()
    },
    handler: async (ctx, p) => {
      if (p.datasets.length === 0) return null
      await ctx.transaction(async (tx) => {
        const org = await tx.db
          .selectFrom('group')
          .select('id')
          .where('is_organization', '=', true)
          .where((eb) => eb.or([eb('id', '=', p.org_id), eb('name', '=', p.org_id)]))
          .executeTakeFirstOrThrow()
        const ids = await tx.db
          .selectFrom('package')
          .select('id')
          .where('owner_org', '=', org.id)
          .where((eb) => eb.or([eb('id', 'in', p.datasets), eb('name', 'in', p.datasets)]))
          .execute()
        if (ids.length === 0) return
        const list = ids.map((r) => r.id)
        await tx.db.updateTable('package').set(change).where('id', 'in', list).execute()
        // a deleted dataset leaves its groups, as package_delete does
        if (change.state === 'deleted') {
          await tx.db.updateTable('member').set({ state: 'deleted' }).where('table_name', '=', 'package').where('table_id', 'in', list).execute()
        }
        // one per dataset, as CKAN's bulk actions send one package_update signal each
        const actor = actorOf(tx)
        if (actor) await recordPackageActivitiesByIds(tx.db, actor, 'changed', list, tx.config.siteUrl)
      })
      return null
    },
  })
}

export const bulkUpdatePrivate = bulkAction('bulk_update_private', 'private', { private: true })
export const bulkUpdatePublic = bulkAction('bulk_update_public', 'public', { private: false })
export const bulkUpdateDelete = bulkAction('bulk_update_delete', 'deleted', { state: 'deleted' })
