import type { Kysely } from 'kysely'
import type { Database } from '../../src/db/schema.js'
import type { TestApp } from '../helpers/app.js'
import { packageDicts } from '../../src/model/package-dict.js'
import { recordGroupActivity, recordPackageActivities, type ActivityKind } from '../../src/activity/record.js'

/**
 * Dataset writes through the real actions. Until the recording hooks reach this branch, a write
 * that recorded nothing gets its activity recorded here, as the hook would (same dict, same
 * labels); once they land, this does nothing more than the action.
 */

const KIND: Record<string, ActivityKind> = { package_create: 'new', package_update: 'changed', package_patch: 'changed', package_delete: 'deleted' }

export interface Actor {
  id: string
  name: string
  token: string | null
}

async function activityCount(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('activity')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

export async function datasetWrite(app: TestApp, actor: Actor, action: keyof typeof KIND, body: Record<string, unknown>): Promise<string> {
  const db = app.db.kysely
  const before = await activityCount(db)
  const result = await app.ok(action, body, { token: actor.token })
  const ref = String(result?.id ?? body.id)
  const row = await db
    .selectFrom('package')
    .select('id')
    .where((eb) => eb.or([eb('id', '=', ref), eb('name', '=', ref)]))
    .executeTakeFirstOrThrow()
  if ((await activityCount(db)) === before) {
    const [dict] = await packageDicts(db, [row.id], app.config.siteUrl)
    await recordPackageActivities(db, { id: actor.id, name: actor.name }, [{ kind: KIND[action], dict }])
  }
  return row.id
}

/** Organization and group writes: recorded here when the action did not. */
export async function groupWrite(app: TestApp, actor: Actor, action: string, body: Record<string, unknown>): Promise<string> {
  const db = app.db.kysely
  const before = await activityCount(db)
  const result = await app.ok(action, body, { token: actor.token })
  const ref = String(result?.id ?? body.id)
  const group = await db
    .selectFrom('group')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', ref), eb('name', '=', ref)]))
    .executeTakeFirstOrThrow()
  if ((await activityCount(db)) === before) {
    const kind: ActivityKind = action.endsWith('_create') ? 'new' : action.endsWith('_delete') ? 'deleted' : 'changed'
    await recordGroupActivity(db, { id: actor.id, name: actor.name }, kind, group)
  }
  return group.id
}

/** Activity keys in CKAN's order (table columns but revision_id). */
export const ACTIVITY_KEYS = ['id', 'timestamp', 'user_id', 'object_id', 'activity_type', 'data', 'permission_labels']
