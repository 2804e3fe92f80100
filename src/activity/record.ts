import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database, GroupRow } from '../db/schema.js'
import type { PackageDict } from '../model/package-dict.js'
import { packageDicts } from '../model/package-dict.js'
import { groupTableRow } from '../model/group-dict.js'
import { datasetLabels } from '../search/document.js'
import { nowIso } from '../model/time.js'

/**
 * Writing activities (CKAN's activity plugin subscriptions), always inside the transaction of the
 * write they describe: an activity exists exactly when its change committed. One row per write,
 * never collapsed, as CKAN.
 */

/** Who wrote: the activity's user_id and, for datasets, `data.actor`. */
export interface Actor {
  id: string
  name: string
}

export type ActivityKind = 'new' | 'changed' | 'deleted'

/** Postgres takes at most 65,535 parameters per statement: 7 per row. */
const ROWS_PER_INSERT = 5000

/**
 * One activity per dataset dict, taken after the write. A `changed` on a dataset whose state is
 * deleted is stored as `deleted package`, as CKAN does. Labels freeze who may read it.
 */
export async function recordPackageActivities(db: Kysely<Database>, actor: Actor, entries: Array<{ kind: ActivityKind; dict: PackageDict }>): Promise<void> {
  if (entries.length === 0) return
  const timestamp = nowIso()
  const rows = entries.map(({ kind, dict }) => ({
    id: randomUUID(),
    timestamp,
    user_id: actor.id,
    object_id: String(dict.id),
    activity_type: `${dict.state === 'deleted' ? 'deleted' : kind} package`,
    data: JSON.stringify({ package: dict, actor: actor.name }),
    permission_labels: datasetLabels({
      id: String(dict.id),
      state: String(dict.state),
      private: dict.private === true,
      owner_org: (dict.owner_org as string | null) ?? null,
      creator_user_id: (dict.creator_user_id as string | null) ?? null,
    }),
  }))
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT)
    await db
      .insertInto('activity')
      .values(rows.slice(i, i + ROWS_PER_INSERT))
      .execute()
}

/** Activities for datasets written set-based (bulk load, bulk_update_*): their dicts are read once, after the write. */
export async function recordPackageActivitiesByIds(db: Kysely<Database>, actor: Actor, kind: ActivityKind | ((id: string) => ActivityKind), ids: string[], siteUrl: string): Promise<void> {
  if (ids.length === 0) return
  const dicts = await packageDicts(db, ids, siteUrl)
  await recordPackageActivities(
    db,
    actor,
    dicts.map((dict) => ({ kind: typeof kind === 'function' ? kind(String(dict.id)) : kind, dict })),
  )
}

/** CKAN keeps the group's table row in `data.group` (no extras, members or actor). */
export async function recordGroupActivity(db: Kysely<Database>, actor: Actor, kind: ActivityKind, group: GroupRow): Promise<void> {
  const what = group.is_organization ? 'organization' : 'group'
  await db
    .insertInto('activity')
    .values({
      id: randomUUID(),
      timestamp: nowIso(),
      user_id: actor.id,
      object_id: group.id,
      activity_type: `${group.state === 'deleted' ? 'deleted' : kind} ${what}`,
      data: JSON.stringify({ group: groupTableRow(group) }),
      permission_labels: null,
    })
    .execute()
}

/** `new user` / `changed user`: CKAN records the user as both actor and object, with empty data. */
export async function recordUserActivity(db: Kysely<Database>, kind: 'new' | 'changed', userId: string): Promise<void> {
  await db
    .insertInto('activity')
    .values({ id: randomUUID(), timestamp: nowIso(), user_id: userId, object_id: userId, activity_type: `${kind} user`, data: '{}', permission_labels: null })
    .execute()
}

/**
 * The action's caller as the activity's actor, or null when activities are off. A write without a
 * user (never through the API) is recorded as CKAN records resource views then: "not logged in".
 */
export function actorOf(ctx: { caller: { user: { id: string; name: string } | null }; config: { activityStreamsEnabled: boolean } }): Actor | null {
  if (!ctx.config.activityStreamsEnabled) return null
  const user = ctx.caller.user
  return user ? { id: user.id, name: user.name } : { id: 'not logged in', name: '' }
}
