import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database } from '../../src/db/schema.js'
import { nowIso } from '../../src/model/time.js'

/** Inserts an organization (or group) row directly, so dataset tests don't depend on group actions. */
export async function insertGroup(db: Kysely<Database>, name: string, opts: { organization?: boolean; title?: string; state?: string } = {}): Promise<string> {
  const id = randomUUID()
  const isOrg = opts.organization ?? true
  await db
    .insertInto('group')
    .values({ id, name, title: opts.title ?? name.toUpperCase(), type: isOrg ? 'organization' : 'group', is_organization: isOrg, created: nowIso(), state: opts.state ?? 'active' })
    .execute()
  return id
}
