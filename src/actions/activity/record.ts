import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema.js'
import { NotFound } from '../../errors.js'

/** One activity as the detail actions read it: `seq` orders it among equal timestamps and is never shown. */
export interface ActivityRecord {
  id: string
  timestamp: string
  user_id: string
  object_id: string
  activity_type: string
  data: Record<string, unknown>
  permission_labels: string[] | null
  seq: string
}

export type ActivityDict = Omit<ActivityRecord, 'seq'>

const COLUMNS = ['id', 'timestamp', 'user_id', 'object_id', 'activity_type', 'data', 'permission_labels', 'seq'] as const

export async function requireActivity(db: Kysely<Database>, id: string): Promise<ActivityRecord> {
  const row = await db.selectFrom('activity').select(COLUMNS).where('id', '=', id).executeTakeFirst()
  if (!row) throw new NotFound()
  return row as ActivityRecord
}

/** The activity of the same object just before this one (CKAN's activity_diff), ties broken by write order. */
export async function previousActivity(db: Kysely<Database>, activity: ActivityRecord): Promise<ActivityRecord | undefined> {
  const row = await db
    .selectFrom('activity')
    .select(COLUMNS)
    .where('object_id', '=', activity.object_id)
    .where((eb) => eb.or([eb('timestamp', '<', activity.timestamp), eb.and([eb('timestamp', '=', activity.timestamp), eb('seq', '<', activity.seq)])]))
    .orderBy('timestamp', 'desc')
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst()
  return row as ActivityRecord | undefined
}

/** CKAN's activity dict: every column but seq, in the table's order. */
export function activityDict(row: ActivityRecord): ActivityDict {
  return { id: row.id, timestamp: row.timestamp, user_id: row.user_id, object_id: row.object_id, activity_type: row.activity_type, data: row.data, permission_labels: row.permission_labels }
}
