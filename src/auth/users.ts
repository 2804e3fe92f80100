import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database, UserRow } from '../db/schema.js'
import { nowIso } from '../model/time.js'

/** Creates the user as a sysadmin, or promotes an existing one. */
export async function ensureSysadmin(db: Kysely<Database>, name: string): Promise<UserRow> {
  const existing = await db.selectFrom('user').selectAll().where('name', '=', name).executeTakeFirst()
  if (existing) {
    if (existing.sysadmin && existing.state === 'active') return existing
    return db.updateTable('user').set({ sysadmin: true, state: 'active' }).where('id', '=', existing.id).returningAll().executeTakeFirstOrThrow()
  }
  return db
    .insertInto('user')
    .values({ id: randomUUID(), name, fullname: null, email: null, password_hash: null, about: null, image_url: null, sysadmin: true, created: nowIso(), last_active: null, plugin_extras: null })
    .returningAll()
    .executeTakeFirstOrThrow()
}

export async function findUser(db: Kysely<Database>, idOrName: string): Promise<UserRow | undefined> {
  return db
    .selectFrom('user')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
    .executeTakeFirst()
}

/** Names of the active sysadmins, sorted. */
export async function listSysadmins(db: Kysely<Database>): Promise<string[]> {
  const rows = await db.selectFrom('user').select('name').where('sysadmin', '=', true).where('state', '=', 'active').orderBy('name').execute()
  return rows.map((r) => r.name)
}

/** Takes sysadmin rights away; false when there is no such user. */
export async function removeSysadmin(db: Kysely<Database>, name: string): Promise<boolean> {
  const res = await db.updateTable('user').set({ sysadmin: false }).where('name', '=', name).executeTakeFirst()
  return Number(res.numUpdatedRows) > 0
}

/** The sysadmin harvests and `abierto load` write as (CKAN's site user). Created on first use; never promotes an existing account. */
export async function harvestUser(db: Kysely<Database>): Promise<UserRow> {
  const name = 'harvest'
  const found = await db.selectFrom('user').selectAll().where('name', '=', name).executeTakeFirst()
  if (found) {
    if (!found.sysadmin || found.state !== 'active') throw new Error(`the user "${name}" exists and is not an active sysadmin: harvests cannot write as it`)
    return found
  }
  await db
    .insertInto('user')
    .values({ id: randomUUID(), name, fullname: 'Harvester', email: null, password_hash: null, about: null, image_url: null, sysadmin: true, created: nowIso(), last_active: null, plugin_extras: null })
    .onConflict((oc) => oc.doNothing())
    .execute()
  return db.selectFrom('user').selectAll().where('name', '=', name).executeTakeFirstOrThrow()
}
