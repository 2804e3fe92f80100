import type { TestApp } from '../helpers/app.js'

/** A caller of the test's writes; `token: null` is anonymous. */
export interface Actor {
  id: string
  name: string
  token: string | null
}

/** A dataset write through the real action (which records its activity); returns the dataset's id. */
export async function datasetWrite(app: TestApp, actor: Actor, action: 'package_create' | 'package_update' | 'package_patch' | 'package_delete', body: Record<string, unknown>): Promise<string> {
  const result = await app.ok(action, body, { token: actor.token })
  const ref = String(result?.id ?? body.id)
  const row = await app.db.kysely
    .selectFrom('package')
    .select('id')
    .where((eb) => eb.or([eb('id', '=', ref), eb('name', '=', ref)]))
    .executeTakeFirstOrThrow()
  return row.id
}

/** An organization or group write through the real action; returns its id. */
export async function groupWrite(app: TestApp, actor: Actor, action: string, body: Record<string, unknown>): Promise<string> {
  const result = await app.ok(action, body, { token: actor.token })
  return String(result.id)
}

/** Activity keys in CKAN's order (table columns but revision_id). */
export const ACTIVITY_KEYS = ['id', 'timestamp', 'user_id', 'object_id', 'activity_type', 'data', 'permission_labels']
