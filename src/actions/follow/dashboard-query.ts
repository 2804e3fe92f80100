import { sql, type RawBuilder } from 'kysely'
import type { ActionContext } from '../context.js'
import { searchLabels } from '../../auth/authz.js'
import { hiddenActivityUserIds } from '../../activity/hidden.js'
import { DATASET, GROUP, USER, liveFollows } from './kinds.js'
import type { Page } from './dashboard-page.js'

export interface DashboardActivity {
  id: string
  timestamp: string
  user_id: string
  object_id: string
  activity_type: string
  data?: Record<string, unknown>
  permission_labels: string[] | null
  is_new: boolean
}

/**
 * Who and what a user's dashboard is about, CKAN's union: the user and the users they follow (as
 * actors and as objects), the datasets they follow, the groups and organizations they follow and
 * those groups' datasets (public now; a group's by active membership of an active dataset or
 * deleted membership of a deleted one, an organization's by owner_org). Follows of deleted
 * objects are ignored. Also when they last looked (CKAN creates that row with the account).
 */
async function dashboardSources(ctx: ActionContext, userId: string): Promise<{ actors: string[]; objects: string[]; last_viewed: string }> {
  const { rows } = await sql<{ actors: string[]; objects: string[]; last_viewed: string }>`
    WITH followed_users AS (SELECT f.object_id AS id FROM ${liveFollows(USER)} WHERE f.follower_id = ${userId}),
    followed_groups AS (SELECT o.id, o.is_organization FROM ${liveFollows(GROUP)} WHERE f.follower_id = ${userId}),
    objects AS (
      SELECT ${userId}::text AS id
      UNION SELECT id FROM followed_users
      UNION SELECT f.object_id FROM ${liveFollows(DATASET)} WHERE f.follower_id = ${userId}
      UNION SELECT id FROM followed_groups
      UNION SELECT p.id FROM followed_groups g JOIN package p ON p.owner_org = g.id WHERE g.is_organization AND NOT p.private
      UNION SELECT p.id FROM followed_groups g
              JOIN member m ON m.group_id = g.id AND m.table_name = 'package'
              JOIN package p ON p.id = m.table_id AND NOT p.private
             WHERE NOT g.is_organization AND ((m.state = 'active' AND p.state = 'active') OR (m.state = 'deleted' AND p.state = 'deleted')))
    SELECT array(SELECT ${userId}::text UNION SELECT id FROM followed_users) AS actors,
           array(SELECT id FROM objects) AS objects,
           (SELECT coalesce(d.activity_stream_last_viewed, u.created) FROM "user" u LEFT JOIN dashboard d ON d.user_id = u.id WHERE u.id = ${userId}) AS last_viewed`.execute(ctx.db)
  return rows[0]
}

/**
 * One page of a user's dashboard stream, newest first. Hidden users' activities are left out,
 * package activities are filtered by the caller's permission labels (frozen at write time), so a
 * followed private dataset shows only to those who may read it.
 *
 * The sources are read first and passed as arrays, so the planner sees how many there are and
 * how active (per-value statistics of user_id and object_id): a few quiet sources are fetched
 * through their indexes, a dense stream by walking the timeline index until the page is full.
 */
export async function dashboardPage(ctx: ActionContext, userId: string, page: Page, withData: boolean): Promise<DashboardActivity[]> {
  const [labels, hidden, sources] = await Promise.all([searchLabels(ctx), hiddenActivityUserIds(ctx.db, ctx.config), dashboardSources(ctx, userId)])
  const filters: RawBuilder<unknown>[] = []
  if (hidden.length > 0) filters.push(sql`a.user_id <> ALL(${hidden}::text[])`)
  // only package activities carry labels; the others are never filtered by them
  if (labels !== null) filters.push(sql`(a.activity_type NOT LIKE '%package' OR a.permission_labels && ${labels}::text[])`)
  if (page.after !== undefined) filters.push(sql`a.timestamp > (to_timestamp(${page.after}::float8) AT TIME ZONE 'UTC')`)
  if (page.before !== undefined) filters.push(sql`a.timestamp < (to_timestamp(${page.before}::float8) AT TIME ZONE 'UTC')`)
  const where = filters.length > 0 ? sql.join(filters, sql` AND `) : sql`TRUE`
  // `after` alone asks for the page right after it: walk up from it, then show newest first
  const dir = page.after !== undefined && page.before === undefined ? sql`ASC` : sql`DESC`
  // by actor and by object apart, each planned on its own column's statistics (one OR of both
  // misjudged a quiet stream as dense and walked the whole timeline)
  const branch = (column: 'user_id' | 'object_id', ids: string[]) => sql`
    (SELECT a.id, a.timestamp, a.seq FROM activity a WHERE ${sql.ref(`a.${column}`)} = ANY(${ids}::text[]) AND ${where}
      ORDER BY a.timestamp ${dir}, a.seq ${dir} LIMIT ${page.offset + page.limit})`
  const { rows } = await sql<DashboardActivity>`
    WITH picked AS (
      SELECT id, timestamp, seq FROM (${branch('user_id', sources.actors)} UNION ${branch('object_id', sources.objects)}) u
       ORDER BY timestamp ${dir}, seq ${dir} OFFSET ${page.offset} LIMIT ${page.limit})
    SELECT a.id, a.timestamp, a.user_id, a.object_id, a.activity_type, ${withData ? sql`a.data,` : sql``} a.permission_labels,
           (a.user_id <> ${userId} AND a.timestamp > ${sources.last_viewed}::timestamp) AS is_new
      FROM picked JOIN activity a ON a.id = picked.id
     ORDER BY picked.timestamp DESC, picked.seq DESC`.execute(ctx.db)
  return rows
}
