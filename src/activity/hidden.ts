import type { Kysely } from 'kysely'
import type { Database } from '../db/schema.js'
import { SITE_USER_ID, type Config } from '../config.js'

/**
 * ckan.hide_activity_from_users as ids: the named users that exist, plus the command line's site
 * user, which is never stored and always has the same id.
 */
export async function hiddenActivityUserIds(db: Kysely<Database>, config: Config): Promise<string[]> {
  const names = config.hideActivityFromUsers
  if (names.length === 0) return []
  const rows = await db.selectFrom('user').select('id').where('name', 'in', names).execute()
  const ids = rows.map((r) => r.id)
  if (names.includes('abierto-cli')) ids.push(SITE_USER_ID)
  return ids
}
