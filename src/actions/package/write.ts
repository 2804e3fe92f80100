import { sql } from 'kysely'
import { addViewsToDatasetResources } from '../../resource-views/default-views.js'
import type { ActionContext } from '../context.js'
import { isSysadmin } from '../context.js'
import type { PackageRow } from '../../db/schema.js'
import { NotFound, ValidationError } from '../../errors.js'
import { validatePackage } from '../../model/package-validate.js'
import { findPackageRow, insertPackage, isNameConflict, nameInUse, updatePackageRows } from '../../model/package-save.js'
import { packageDict, type PackageDict } from '../../model/package-dict.js'
import { nowIso } from '../../model/time.js'
import { ownerOrgError } from '../../auth/authz.js'
import { actorOf, recordPackageActivities } from '../../activity/record.js'
import { enqueueChangedLoads } from '../../datastore/load/auto.js'

/**
 * The dataset write paths shared by package_* and resource_* actions: validation, rows and the
 * resulting dict in one transaction, so a failure leaves nothing half-written.
 */

/** A lost race on the unique name (Postgres 23505) becomes CKAN's validation error. */
export async function withNameConflict<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    if (isNameConflict(err)) throw nameInUse()
    throw err
  }
}

export async function createPackage(ctx: ActionContext, data: Record<string, unknown>): Promise<PackageDict> {
  return withNameConflict(() =>
    ctx.transaction(async (tx) => {
      const input = await validatePackage(tx.db, data, {
        mode: 'create',
        sysadmin: isSysadmin(tx),
        createUnownedDataset: tx.config.createUnownedDataset,
        ownerOrgCheck: (orgId) => ownerOrgError(tx, orgId, null),
      })
      const id = await insertPackage(tx.db, input, tx.caller.user?.id ?? null)
      const dict = (await packageDict(tx.db, id, tx.config.siteUrl))!
      const actor = actorOf(tx)
      if (actor) await recordPackageActivities(tx.db, actor, [{ kind: 'new', dict }])
      // CKAN's package_create_default_resource_views (as the system: the creator may add views anyway)
      if ((dict.resources as unknown[]).length > 0) await addViewsToDatasetResources(tx, dict, { datastore: false, authorize: false })
      // tabular files go to the DataStore: the load is queued with the dataset, or not at all
      await enqueueChangedLoads(tx.db, tx.config, null, dict)
      return dict
    }),
  )
}

function withoutModified(d: PackageDict): string {
  const { metadata_modified: _m, resources, ...rest } = d
  const res = (resources as Record<string, unknown>[]).map(({ metadata_modified: _r, ...r }) => r)
  return JSON.stringify({ ...rest, resources: res })
}

/** The dataset to update, locked for the transaction; 404 with CKAN's message when unknown. */
export async function lockPackage(ctx: ActionContext, idOrName: string): Promise<PackageRow> {
  const row = await findPackageRow(ctx.db, idOrName, true)
  if (!row) throw new NotFound('Package was not found.')
  return row
}

/**
 * package_update on an already-located dataset. metadata_modified moves only when the dataset
 * dict actually changed (CKAN's no-op detection), or to the value a sysadmin supplied.
 */
export async function updateLockedPackage(
  ctx: ActionContext,
  existing: PackageRow,
  data: Record<string, unknown>,
  /** The dataset's current dict, when the caller already loaded it in this transaction (not mutated since). */
  current?: PackageDict,
): Promise<PackageDict> {
  const input = await validatePackage(ctx.db, data, {
    mode: 'update',
    sysadmin: isSysadmin(ctx),
    existing: { id: existing.id, name: existing.name, owner_org: existing.owner_org, private: existing.private },
    createUnownedDataset: ctx.config.createUnownedDataset,
    ownerOrgCheck: (orgId) => ownerOrgError(ctx, orgId, existing),
  })
  const before = current ?? (await packageDict(ctx.db, existing.id, ctx.config.siteUrl))!
  // no row changed: the dict is the one read before (not rendered again)
  const changed = await updatePackageRows(ctx.db, existing, input)
  let after = changed ? (await packageDict(ctx.db, existing.id, ctx.config.siteUrl))! : before
  // CKAN re-indexes on every update, and clients rely on it (package_patch {id} after an
  // out-of-band change, such as derived harvest extras): no row trigger fired, so queue it here
  if (!changed) await sql`SELECT abierto_search_enqueue(${existing.id})`.execute(ctx.db)
  // A show dict sent back carries the stored metadata_modified: only a different value is a
  // sysadmin's explicit choice (harvest/load); otherwise the usual bump applies.
  const explicit = input.metadata_modified !== undefined && input.metadata_modified !== existing.metadata_modified ? input.metadata_modified : undefined
  const modified = explicit ?? (changed && withoutModified(before) !== withoutModified(after) ? nowIso() : null)
  if (modified && modified !== after.metadata_modified) {
    await ctx.db.updateTable('package').set({ metadata_modified: modified }).where('id', '=', existing.id).execute()
    after = { ...after, metadata_modified: modified }
  }
  // one activity per update call, changed or not, as CKAN
  const actor = actorOf(ctx)
  if (actor) await recordPackageActivities(ctx.db, actor, [{ kind: 'changed', dict: after }])
  await enqueueChangedLoads(ctx.db, ctx.config, before, after)
  return after
}

export async function updatePackage(ctx: ActionContext, idOrName: string, data: Record<string, unknown>): Promise<PackageDict> {
  return withNameConflict(() =>
    ctx.transaction(async (tx) => {
      const existing = await lockPackage(tx, idOrName)
      return updateLockedPackage(tx, existing, { ...data, id: existing.id })
    }),
  )
}

/** `id` or `name` identifies the dataset for package_update; neither → CKAN's string error. */
export function packageRef(data: Record<string, unknown>): string {
  const ref = (typeof data.id === 'string' && data.id) || (typeof data.name === 'string' && data.name) || null
  if (!ref) throw new ValidationError({ id: 'Missing value' })
  return ref
}
