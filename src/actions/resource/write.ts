import type { ActionContext } from '../context.js'
import { NotFound, ValidationError } from '../../errors.js'
import { packageDict, type PackageDict } from '../../model/package-dict.js'
import type { PackageRow } from '../../db/schema.js'
import { lockPackage, updateLockedPackage } from '../package/write.js'

/**
 * Resource writes go through package_update with an edited resources list, as CKAN does, so they
 * bump the dataset's metadata_modified and share its validation and transaction.
 */
export async function reviseResources(
  ctx: ActionContext,
  packageRef: string,
  edit: (resources: Record<string, unknown>[], dataset: PackageDict) => { resources: Record<string, unknown>[]; index: number | null },
): Promise<{ dataset: PackageDict; resource: Record<string, unknown> | null }> {
  return ctx.transaction(async (tx) => {
    const row: PackageRow = await lockPackage(tx, packageRef)
    const current = (await packageDict(tx.db, row.id, tx.config.siteUrl))!
    const { resources, index } = edit(structuredClone(current.resources as Record<string, unknown>[]), current)
    let dataset: PackageDict
    try {
      dataset = await updateLockedPackage(tx, row, { ...current, id: row.id, resources }, current)
    } catch (err) {
      // CKAN reports a resource's errors for that resource alone, not nested in the dataset's
      if (err instanceof ValidationError && index !== null && Array.isArray(err.fields.resources)) {
        const own = (err.fields.resources as Record<string, unknown>[])[index]
        if (own && Object.keys(own).length > 0) throw new ValidationError(own)
      }
      throw err
    }
    const list = dataset.resources as Record<string, unknown>[]
    return { dataset, resource: index === null ? null : (list[index] ?? null) }
  })
}

/** The active resource's dataset id; 404 "Resource was not found." otherwise. */
export async function resourcePackageId(ctx: ActionContext, resourceId: string): Promise<string> {
  const row = await ctx.db.selectFrom('resource').select('package_id').where('id', '=', resourceId).where('state', '=', 'active').executeTakeFirst()
  if (!row) throw new NotFound('Resource was not found.')
  return row.package_id
}
