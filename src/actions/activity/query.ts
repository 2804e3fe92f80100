import { sql, type Expression, type ExpressionBuilder, type Kysely, type RawBuilder, type SqlBool } from 'kysely'
import type { Database } from '../../db/schema.js'
import { RawJson } from '../../cache/read-cache.js'
import type { Window } from './params.js'

/**
 * One page of an activity stream in one query, newest first, ordered by (timestamp, seq) so equal
 * timestamps page without gaps or repeats. `data` stays JSON text from Postgres to the answer: a
 * page can hold 100 whole dataset dicts, and parsing them only to serialise them again would be
 * most of the request's work.
 */

export type Where = (eb: ExpressionBuilder<Database, 'activity'>) => Expression<SqlBool>

/** A set of objects (a query selecting `id`) whose activities a stream holds: an organization's datasets. */
export interface Objects {
  objects: RawBuilder<{ id: string }>
}

export type Scope = Where | Objects

export interface StreamFilter {
  /** the caller's labels (null: sysadmin, unfiltered); only a dataset's own activities (types ending in "package" or "resource view") are filtered */
  labels: string[] | null
  /** user ids whose activities are left out */
  hiddenUserIds: string[]
  types?: string[] | null
  excludeTypes?: string[] | null
}

/** Who may read a dataset's activity (its own, or one of its resource views'): its frozen labels share one with the caller's (Postgres `&&`). */
export function labelFilter(labels: string[] | null): Where | null {
  if (labels === null) return null
  return (eb) => eb.or([eb.and([eb('activity.activity_type', 'not like', '%package'), eb('activity.activity_type', 'not like', '%resource view')]), sql<SqlBool>`activity.permission_labels && ${sql.val(labels)}::text[]`])
}

function filters(filter: StreamFilter, window: Window): Where[] {
  const out: Where[] = []
  if (filter.hiddenUserIds.length > 0) out.push((eb) => eb('activity.user_id', 'not in', filter.hiddenUserIds))
  // an empty list filters nothing, as in CKAN
  if (filter.types && filter.types.length > 0) out.push((eb) => eb('activity.activity_type', 'in', filter.types!))
  else if (filter.excludeTypes && filter.excludeTypes.length > 0) out.push((eb) => eb('activity.activity_type', 'not in', filter.excludeTypes!))
  const labels = labelFilter(filter.labels)
  if (labels) out.push(labels)
  if (window.after !== null) out.push((eb) => eb('activity.timestamp', '>', window.after!))
  if (window.before !== null) out.push((eb) => eb('activity.timestamp', '<', window.before!))
  return out
}

export interface ActivityRowText {
  id: string
  timestamp: string
  user_id: string
  object_id: string
  activity_type: string
  data: string
  permission_labels: string[] | null
}

/** CKAN's activity dict (every column but seq), with `data` spliced in as the JSON it is. */
export function activityJson(row: ActivityRowText): string {
  const s = JSON.stringify
  return `{"id":${s(row.id)},"timestamp":${s(row.timestamp)},"user_id":${s(row.user_id)},"object_id":${s(row.object_id)},"activity_type":${s(row.activity_type)},"data":${row.data},"permission_labels":${s(row.permission_labels)}}`
}

export function selectActivityText(db: Kysely<Database>) {
  return db.selectFrom('activity').select(['activity.id', 'activity.timestamp', 'activity.user_id', 'activity.object_id', 'activity.activity_type', sql<string>`activity.data::text`.as('data'), 'activity.permission_labels'])
}

/**
 * The page of activities matching any of `scopes` (each one an indexed condition: object_id = …,
 * user_id = …). `after` alone reads upwards from it (the page right after), then answers newest
 * first, as CKAN's pager expects. Several scopes are read as a union of per-scope pages so each
 * keeps its index.
 */
export async function listActivities(db: Kysely<Database>, scopes: Scope[], filter: StreamFilter, window: Window): Promise<RawJson> {
  const upwards = window.after !== null && window.before === null
  const dir = upwards ? 'asc' : 'desc'
  const conds = filters(filter, window)
  const matching = (scope: Where) =>
    db
      .selectFrom('activity')
      .select(['activity.id', 'activity.timestamp', 'activity.seq'])
      .where((eb) => eb.and([scope(eb), ...conds.map((c) => c(eb))]))
      .orderBy('activity.timestamp', dir)
      .orderBy('activity.seq', dir)
  // The page is chosen on ids first, and only its rows' data read: rows skipped by the offset
  // would otherwise have their (toasted) data read and converted too.
  let page
  const [only] = scopes
  if (scopes.length === 1 && typeof only === 'function') {
    page = matching(only).clearSelect().select('activity.id').offset(window.offset).limit(window.limit)
  } else {
    // Each scope's first offset+limit rows hold the union's page. A set of objects is read per
    // object through the (object_id, timestamp) index, so a quiet organization on a busy site
    // costs one index probe per dataset rather than a walk through everyone's activities.
    const reach = window.offset + window.limit
    // each part is its own scope: the same aliases serve them all
    const parts = scopes.map((scope) =>
      typeof scope === 'function'
        ? db.selectFrom(matching(scope).limit(reach).as('s')).select(['s.id', 's.timestamp', 's.seq'])
        : db
            .selectFrom(sql<{ id: string }>`(${scope.objects})`.as('o'))
            .innerJoinLateral(
              (eb) =>
                eb
                  .selectFrom('activity')
                  .select(['activity.id', 'activity.timestamp', 'activity.seq'])
                  .where((e) => e.and([e('activity.object_id', '=', sql.ref<string>('o.id')), ...conds.map((c) => c(e))]))
                  .orderBy('activity.timestamp', dir)
                  .orderBy('activity.seq', dir)
                  .limit(reach)
                  .as('s'),
              (join) => join.onTrue(),
            )
            .select(['s.id', 's.timestamp', 's.seq']),
    )
    const union = parts.slice(1).reduce((q, part) => q.union(part), parts[0])
    page = db.selectFrom(union.as('page')).select('page.id').orderBy('page.timestamp', dir).orderBy('page.seq', dir).offset(window.offset).limit(window.limit)
  }
  const rows: ActivityRowText[] = await selectActivityText(db).where('activity.id', 'in', page).orderBy('activity.timestamp', dir).orderBy('activity.seq', dir).execute()
  if (upwards) rows.reverse()
  return new RawJson(`[${rows.map(activityJson).join(',')}]`)
}
