import { randomUUID } from 'node:crypto'
import type { Kysely, Selectable } from 'kysely'
import type { Database, GroupRow, MemberTable } from '../db/schema.js'
import { ValidationError } from '../errors.js'
import { nowIso } from './time.js'
import type { StoredExtra } from './group-dict.js'
import type { ExtraInput, GroupInput, MemberRef } from './group-validate.js'

/** Writes for organizations and groups (CKAN's group_dict_save, group_member_save, delete and purge). */

export type MemberRow = Selectable<MemberTable>
export type MemberKind = MemberTable['table_name']

/**
 * Extras after an update. Omitted extras are kept, as in CKAN; an empty list clears them (CKAN
 * ignores `[]`, which leaves no way to remove the last extra). Keys keep their id across updates.
 */
export function mergeExtras(old: StoredExtra[], given: ExtraInput[] | undefined): StoredExtra[] {
  if (given === undefined) return old
  const ids = new Map(old.map((e) => [e.key, e.id]))
  // keys not given are dropped; a key given twice keeps its last value
  const out = new Map<string, StoredExtra>()
  for (const e of given) {
    if (e.deleted && ids.has(e.key)) out.delete(e.key)
    else out.set(e.key, { id: ids.get(e.key) ?? randomUUID(), key: e.key, value: e.value })
  }
  return [...out.values()]
}

export async function insertGroup(db: Kysely<Database>, input: GroupInput, kind: { isOrganization: boolean; type: string }): Promise<GroupRow> {
  return db
    .insertInto('group')
    .values({
      id: input.id ?? randomUUID(),
      name: input.name!,
      title: input.title ?? '',
      description: input.description ?? '',
      image_url: input.image_url ?? '',
      type: input.type || kind.type,
      is_organization: kind.isOrganization,
      approval_status: input.approval_status ?? 'approved',
      state: input.state ?? 'active',
      created: nowIso(),
      extras: JSON.stringify(mergeExtras([], input.extras ?? [])),
    })
    .returningAll()
    .executeTakeFirstOrThrow()
}

/** Column changes of an update; `type` and `is_organization` never change here. */
export async function updateGroupRow(db: Kysely<Database>, group: GroupRow, input: GroupInput): Promise<GroupRow> {
  return db
    .updateTable('group')
    .set({
      name: input.name ?? group.name,
      title: input.title ?? group.title,
      description: input.description ?? group.description,
      image_url: input.image_url ?? group.image_url,
      approval_status: input.approval_status ?? group.approval_status,
      state: input.state ?? group.state,
      extras: JSON.stringify(mergeExtras(group.extras as unknown as StoredExtra[], input.extras)),
    })
    .where('id', '=', group.id)
    .returningAll()
    .executeTakeFirstOrThrow()
}

/**
 * Replaces the group's members of one kind with `refs` (CKAN's group_member_save): rows are keyed
 * by (object, capacity), so a changed capacity retires the old row and adds a new one. `undefined`
 * means "not given": nothing changes in a partial update (patch), everything goes otherwise.
 */
export async function saveMembers(db: Kysely<Database>, groupId: string, tableName: MemberKind, refs: MemberRef[] | undefined, partial: boolean): Promise<void> {
  if (refs === undefined && partial) return
  const wanted = new Map((refs ?? []).map((r) => [`${r.id}\n${r.capacity}`, r]))
  const rows = await db.selectFrom('member').select(['id', 'table_id', 'capacity']).where('group_id', '=', groupId).where('table_name', '=', tableName).execute()
  const have = new Set<string>()
  const keep: string[] = []
  const drop: string[] = []
  for (const row of rows) {
    const key = `${row.table_id}\n${row.capacity}`
    have.add(key)
    ;(wanted.has(key) ? keep : drop).push(row.id)
  }
  if (keep.length > 0) await db.updateTable('member').set({ state: 'active' }).where('id', 'in', keep).execute()
  if (drop.length > 0) await db.updateTable('member').set({ state: 'deleted' }).where('id', 'in', drop).execute()
  const fresh = [...wanted.entries()].filter(([key]) => !have.has(key))
  if (fresh.length > 0) {
    await db
      .insertInto('member')
      .values(fresh.map(([, r]) => ({ id: randomUUID(), group_id: groupId, table_name: tableName, table_id: r.id, capacity: r.capacity, state: 'active' })))
      .execute()
  }
}

/** The membership of an object in a group, the active row first when there are several. */
export async function findMember(db: Kysely<Database>, groupId: string, tableName: MemberKind, tableId: string): Promise<MemberRow | undefined> {
  return db.selectFrom('member').selectAll().where('group_id', '=', groupId).where('table_name', '=', tableName).where('table_id', '=', tableId).orderBy('state').limit(1).executeTakeFirst()
}

/** member_create's write: reactivates and re-capacitates an existing row, or adds one. */
export async function upsertMember(db: Kysely<Database>, groupId: string, tableName: MemberKind, tableId: string, capacity: string, existing?: MemberRow): Promise<MemberRow> {
  const row = existing ?? (await findMember(db, groupId, tableName, tableId))
  if (row) {
    return db.updateTable('member').set({ state: 'active', capacity }).where('id', '=', row.id).returningAll().executeTakeFirstOrThrow()
  }
  return db.insertInto('member').values({ id: randomUUID(), group_id: groupId, table_name: tableName, table_id: tableId, capacity, state: 'active' }).returningAll().executeTakeFirstOrThrow()
}

/**
 * An organization keeps its datasets unless the site allows unowned ones, in which case they are
 * released first (CKAN checks every dataset not deleted, private and draft ones included).
 */
async function releaseDatasets(db: Kysely<Database>, org: GroupRow, allowUnowned: boolean, verb: 'deleted' | 'purged'): Promise<void> {
  const { n } = await db
    .selectFrom('package')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('owner_org', '=', org.id)
    .where('state', '!=', 'deleted')
    .executeTakeFirstOrThrow()
  if (Number(n) === 0) return
  if (!allowUnowned) throw ValidationError.message(`Organization cannot be ${verb} while it still has datasets`)
  await db.updateTable('package').set({ owner_org: null }).where('owner_org', '=', org.id).where('state', '!=', 'deleted').execute()
}

/** Soft delete: state `deleted`, and every membership to or from the group retired. */
export async function deleteGroup(db: Kysely<Database>, group: GroupRow, allowUnowned: boolean): Promise<void> {
  if (group.is_organization) await releaseDatasets(db, group, allowUnowned, 'deleted')
  await db
    .updateTable('member')
    .set({ state: 'deleted' })
    .where((eb) => eb.or([eb('group_id', '=', group.id), eb('table_id', '=', group.id)]))
    .where('state', '=', 'active')
    .execute()
  await db.updateTable('group').set({ state: 'deleted' }).where('id', '=', group.id).execute()
}

/** Hard delete. Deleted datasets still pointing at a purged organization become unowned (the foreign key's ON DELETE SET NULL). */
export async function purgeGroup(db: Kysely<Database>, group: GroupRow, allowUnowned: boolean): Promise<void> {
  if (group.is_organization) await releaseDatasets(db, group, allowUnowned, 'purged')
  // rows naming the group as member (group_id rows go with the foreign key's cascade)
  await db.deleteFrom('member').where('table_id', '=', group.id).where('table_name', '=', 'group').execute()
  await db.deleteFrom('group').where('id', '=', group.id).execute()
}
