import { randomUUID } from 'node:crypto'
import type { Kysely, Updateable } from 'kysely'
import type { Database, UserRow, UserTable } from '../../db/schema.js'
import { hashPassword } from '../../auth/passwords.js'
import { nowIso } from '../../model/time.js'
import { uniqueViolation, type UserInput } from './validate.js'

/** The columns a validated input sets (the password hashed here, never stored as given). */
async function columns(input: UserInput): Promise<Updateable<UserTable>> {
  const { password, password_hash, plugin_extras, id: _id, ...rest } = input
  const cols: Updateable<UserTable> = { ...rest }
  if (password !== undefined) cols.password_hash = await hashPassword(password)
  else if (password_hash !== undefined) cols.password_hash = password_hash
  if (plugin_extras !== undefined) cols.plugin_extras = plugin_extras === null ? null : JSON.stringify(plugin_extras)
  return cols
}

export async function insertUser(db: Kysely<Database>, input: UserInput): Promise<UserRow> {
  const cols = await columns(input)
  try {
    return await db
      .insertInto('user')
      .values({
        id: input.id ?? randomUUID(),
        name: input.name!,
        fullname: cols.fullname ?? null,
        email: cols.email ?? null,
        password_hash: cols.password_hash ?? null,
        about: cols.about ?? null,
        image_url: cols.image_url ?? null,
        sysadmin: cols.sysadmin ?? false,
        state: cols.state ?? 'active',
        activity_streams_email_notifications: cols.activity_streams_email_notifications ?? false,
        created: nowIso(),
        last_active: null,
        plugin_extras: (cols.plugin_extras as string | null | undefined) ?? null,
      })
      .returningAll()
      .executeTakeFirstOrThrow()
  } catch (err) {
    throw uniqueViolation(err, input) ?? err
  }
}

export async function updateUserRow(db: Kysely<Database>, user: UserRow, input: UserInput): Promise<UserRow> {
  const cols = await columns(input)
  if (Object.keys(cols).length === 0) return user
  try {
    return await db.updateTable('user').set(cols).where('id', '=', user.id).returningAll().executeTakeFirstOrThrow()
  } catch (err) {
    throw uniqueViolation(err, input) ?? err
  }
}
