import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely'
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

export interface StreamFilter {
  /** the caller's labels (null: sysadmin, unfiltered); only types ending in "package" are filtered */
  labels: string[] | null
  /** user ids whose activities are left out */
  hiddenUserIds: string[]
  types?: string[] | null
  excludeTypes?: string[] | null
}

/** Who may read a package activity: its frozen labels share one with the caller's (Postgres `&&`). */
export function labelFilter(labels: string[] | null): Where | null {
  if (labels === null) return null
  return (eb) => eb.or([eb('activity.activity_type', 'not like', '%package'), sql<SqlBool>`activity.permission_labels && ${sql.val(labels)}::text[]`])
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
export async function listActivities(db: Kysely<Database>, scopes: Where[], filter: StreamFilter, window: Window): Promise<RawJson> {
  const upwards = window.after !== null && window.before === null
  const dir = upwards ? 'asc' : 'desc'
  const conds = filters(filter, window)
  let rows: ActivityRowText[]
  if (scopes.length === 1) {
    rows = await selectActivityText(db)
      .where((eb) => eb.and([scopes[0](eb), ...conds.map((c) => c(eb))]))
      .orderBy('activity.timestamp', dir)
      .orderBy('activity.seq', dir)
      .offset(window.offset)
      .limit(window.limit)
      .execute()
  } else {
    // each scope's first offset+limit rows hold the union's page
    const reach = window.offset + window.limit
    // wrapped, so each part keeps its own ORDER BY and LIMIT inside the UNION
    const parts = scopes.map((scope, i) =>
      db
        .selectFrom(
          db
            .selectFrom('activity')
            .select(['activity.id', 'activity.timestamp', 'activity.seq'])
            .where((eb) => eb.and([scope(eb), ...conds.map((c) => c(eb))]))
            .orderBy('activity.timestamp', dir)
            .orderBy('activity.seq', dir)
            .limit(reach)
            .as(`s${i}`),
        )
        .selectAll(),
    )
    const union = parts.slice(1).reduce((q, part) => q.union(part), parts[0])
    const page = db.selectFrom(union.as('page')).select('page.id').orderBy('page.timestamp', dir).orderBy('page.seq', dir).offset(window.offset).limit(window.limit)
    rows = await selectActivityText(db).where('activity.id', 'in', page).orderBy('activity.timestamp', dir).orderBy('activity.seq', dir).execute()
  }
  if (upwards) rows.reverse()
  return new RawJson(`[${rows.map(activityJson).join(',')}]`)
}
