import { randomUUID } from 'node:crypto'
import type { Kysely, Selectable } from 'kysely'
import type { Database, ResourceViewTable } from '../db/schema.js'
import type { Actor } from '../activity/record.js'
import { datasetLabels } from '../search/document.js'
import { nowIso } from '../model/time.js'

/**
 * Resource views in the `resource_view` table. The dict is CKAN's: the columns without `order`,
 * the config's keys at top level, and the resource's dataset as `package_id`.
 */

export type ViewRow = Selectable<ResourceViewTable>
export type ViewDict = Record<string, unknown>

export async function findView(db: Kysely<Database>, id: string): Promise<ViewRow | undefined> {
  return db.selectFrom('resource_view').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function viewExists(db: Kysely<Database>, id: string): Promise<boolean> {
  return (await db.selectFrom('resource_view').select('id').where('id', '=', id).executeTakeFirst()) !== undefined
}

/** The views of a resource, in their order. */
export async function listViews(db: Kysely<Database>, resourceId: string): Promise<ViewRow[]> {
  return db.selectFrom('resource_view').selectAll().where('resource_id', '=', resourceId).orderBy('order').orderBy('id').execute()
}

export function viewDict(row: ViewRow, packageId: string): ViewDict {
  return {
    id: row.id,
    resource_id: row.resource_id,
    title: row.title,
    description: row.description,
    view_type: row.view_type,
    ...row.config,
    package_id: packageId,
  }
}

export interface NewView {
  id?: string
  resource_id: string
  title: string
  description?: string
  view_type: string
  config: Record<string, unknown>
}

/** Appends a view after the resource's last one. */
export async function insertView(db: Kysely<Database>, v: NewView): Promise<ViewRow> {
  const last = await db
    .selectFrom('resource_view')
    .select((eb) => eb.fn.max('order').as('max'))
    .where('resource_id', '=', v.resource_id)
    .executeTakeFirst()
  const order = last?.max === null || last?.max === undefined ? 0 : Number(last.max) + 1
  return db
    .insertInto('resource_view')
    .values({ id: v.id ?? randomUUID(), resource_id: v.resource_id, title: v.title, description: v.description ?? null, view_type: v.view_type, order, config: JSON.stringify(v.config) })
    .returningAll()
    .executeTakeFirstOrThrow()
}

export async function updateView(db: Kysely<Database>, id: string, v: { resource_id?: string; title?: string; description?: string; config: Record<string, unknown> }): Promise<ViewRow> {
  return db
    .updateTable('resource_view')
    .set({
      ...(v.resource_id !== undefined ? { resource_id: v.resource_id } : {}),
      ...(v.title !== undefined ? { title: v.title } : {}),
      ...(v.description !== undefined ? { description: v.description } : {}),
      config: JSON.stringify(v.config),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()
}

/** CKAN's `new/changed/deleted resource view` activity on the dataset: the view's row (config nested) and its package_id. */
export async function recordViewActivity(db: Kysely<Database>, actor: Actor, kind: 'new' | 'changed' | 'deleted', view: ViewRow | { id: string; resource_id: string }, packageId: string): Promise<void> {
  const pkg = await db.selectFrom('package').select(['id', 'state', 'private', 'owner_org', 'creator_user_id']).where('id', '=', packageId).executeTakeFirst()
  if (!pkg) return
  const data = 'view_type' in view ? { ...view, package_id: packageId } : { id: view.id, resource_id: view.resource_id, package_id: packageId }
  await db
    .insertInto('activity')
    .values({ id: randomUUID(), timestamp: nowIso(), user_id: actor.id, object_id: packageId, activity_type: `${kind} resource view`, data: JSON.stringify(data), permission_labels: datasetLabels(pkg) })
    .execute()
}
