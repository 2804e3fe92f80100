import { sql, type Kysely } from 'kysely'
import type { Database, GroupRow, MemberTable } from '../db/schema.js'
import { IntegrityError, ValidationError } from '../errors.js'
import { extraIdErrors, isUuid, nameError, unicodeSafe } from './validators.js'
import { findGroup } from './group-dict.js'

/**
 * Organization/group input checked with CKAN's rules and messages (default_create_group_schema,
 * default_update_group_schema in ckan/logic/schema.py). Every field error is collected before one
 * ValidationError is thrown, as navl does.
 */

/** A member to save: the referenced object's id and the capacity (CKAN's default is 'public'). */
export interface MemberRef {
  id: string
  capacity: string
}

export interface ExtraInput {
  key: string
  value: string | null
  /** CKAN's `deleted` flag: remove this key if the group has it. */
  deleted: boolean
}

/** Validated input; a key left undefined was not given (kept on update). */
export interface GroupInput {
  id?: string
  name?: string
  title?: string
  description?: string
  image_url?: string
  type?: string
  approval_status?: string
  state?: string
  extras?: ExtraInput[]
  users?: MemberRef[]
  groups?: MemberRef[]
  packages?: MemberRef[]
}

export interface GroupValidateOptions {
  mode: 'create' | 'update'
  sysadmin: boolean
  /** The group being updated. */
  existing?: GroupRow
}

/** The group schema's top-level keys: an extra may not reuse one (extra_key_not_in_root_schema). */
const ROOT_KEYS = new Set(['id', 'name', 'title', 'description', 'image_url', 'image_display_url', 'type', 'state', 'created', 'is_organization', 'approval_status', 'extras', '__extras', '__junk', 'packages', 'users', 'groups'])

const TEXT_FIELDS = ['title', 'description', 'image_url', 'type', 'approval_status'] as const

type Errors = Record<string, unknown>
type Dict = Record<string, unknown>

function isDict(v: unknown): v is Dict {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

/** navl's not_empty: false and 0 are values; null, "", [] and {} are not. */
function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return true
  if (Array.isArray(v)) return v.length === 0
  return isDict(v) && Object.keys(v).length === 0
}

function pythonType(v: unknown): string {
  if (typeof v === 'string') return 'str'
  if (typeof v === 'boolean') return 'bool'
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float'
  return Array.isArray(v) ? 'list' : 'dict'
}

/** A sub-schema list (extras, users, groups, packages); undefined when not given. Bad nesting is CKAN's DataError. */
function listOfDicts(field: string, value: unknown, data: Dict): Dict[] | undefined {
  if (value === undefined || value === null) return undefined
  if (Array.isArray(value) && value.length === 0) return []
  if (!Array.isArray(value) || !isDict(value[0])) {
    throw new IntegrityError(`Only lists of dicts can be placed against subschema ('${field}',), not <class '${pythonType(value)}'>`, data)
  }
  if (!value.every(isDict)) throw new IntegrityError('Values in lists need to be dicts', data)
  return value as Dict[]
}

/** Item errors as CKAN lists them: one dict per item, `{}` for the valid ones; nothing when all are valid. */
function itemErrors(errors: Errors, field: string, items: Errors[]): void {
  if (items.some((e) => Object.keys(e).length > 0)) errors[field] = items
}

/** The id of the dataset, user or group named by id or name (CKAN's Model.get: primary key first). */
export async function idOf(db: Kysely<Database>, table: MemberTable['table_name'], ref: string): Promise<string | undefined> {
  const row = await db
    .selectFrom(table)
    .select('id')
    .where((eb) => eb.or([eb('id', '=', ref), eb('name', '=', ref)]))
    .orderBy((eb) => eb('id', '=', ref), 'desc')
    .executeTakeFirst()
  return row?.id
}

/** Ids of every group below this one (its members of type group, recursively). */
async function descendantIds(db: Kysely<Database>, groupId: string): Promise<Set<string>> {
  const { rows } = await sql<{ id: string }>`
    WITH RECURSIVE below(id) AS (
      SELECT m.group_id FROM member m WHERE m.table_id = ${groupId} AND m.table_name = 'group' AND m.state = 'active'
      UNION
      SELECT m.group_id FROM member m JOIN below b ON m.table_id = b.id WHERE m.table_name = 'group' AND m.state = 'active'
    ) SELECT id FROM below`.execute(db)
  return new Set(rows.map((r) => r.id))
}

/** Keeps the first entry per object, as CKAN's group_member_save does. */
function pushUnique(list: MemberRef[], ref: MemberRef): void {
  if (!list.some((m) => m.id === ref.id)) list.push(ref)
}

function capacityOf(item: Dict): string {
  return item.capacity === undefined || item.capacity === null ? 'public' : (unicodeSafe(item.capacity) as string)
}

export async function validateGroup(db: Kysely<Database>, data: Dict, opts: GroupValidateOptions): Promise<GroupInput> {
  const errors: Errors = {}
  const out: GroupInput = {}
  const creating = opts.mode === 'create'

  // id: on create only a sysadmin may choose it; on update it only names the group
  if (creating && data.id !== undefined && data.id !== null) {
    if (!opts.sysadmin) {
      if (data.id) errors.id = ['The input field id was not expected.']
    } else {
      const msgs: string[] = []
      if (!isUuid(data.id)) msgs.push('Invalid id provided')
      if (typeof data.id === 'string' && (await db.selectFrom('group').select('id').where('id', '=', data.id).executeTakeFirst())) msgs.push('Id already exists')
      if (msgs.length > 0) errors.id = msgs
      else out.id = data.id as string
    }
  }

  // name: required on create, kept when omitted on update; unique among all groups, deleted ones too
  if (creating || (data.name !== undefined && data.name !== null)) {
    if (isEmpty(data.name)) errors.name = ['Missing value']
    else {
      const name = unicodeSafe(data.name) as string
      const msgs: string[] = []
      const invalid = nameError(name)
      if (invalid) msgs.push(invalid)
      const selfId = opts.existing?.id ?? (typeof data.id === 'string' && data.id !== '' ? data.id : undefined)
      const clash = await db
        .selectFrom('group')
        .select('id')
        .where('name', '=', name)
        .$if(selfId !== undefined, (q) => q.where('id', '!=', selfId!))
        .executeTakeFirst()
      if (clash) msgs.push('Group name already exists in database')
      if (msgs.length > 0) errors.name = msgs
      else out.name = name
    }
  }

  for (const field of TEXT_FIELDS) {
    if (data[field] !== undefined && data[field] !== null) out[field] = unicodeSafe(data[field]) as string
  }
  // only those who may change the group's state may set it (ignore_not_group_admin)
  if (opts.sysadmin && data.state !== undefined && data.state !== null) out.state = unicodeSafe(data.state) as string

  const extras = listOfDicts('extras', data.extras, data)
  if (extras) {
    const errs: Errors[] = []
    out.extras = []
    for (const e of extras) {
      const err: Errors = {}
      // on create only: group_show's extras carry their ids, and group_patch/update send them back
      const idErrors = creating ? extraIdErrors(e.id, opts.sysadmin) : null
      if (idErrors) err.id = idErrors
      if (isEmpty(e.key)) err.key = ['Missing value']
      else if (ROOT_KEYS.has(unicodeSafe(e.key) as string)) err.key = ['There is a schema field with the same name']
      if (e.value === undefined) err.value = ['Missing value']
      errs.push(err)
      if (Object.keys(err).length === 0) {
        out.extras.push({ key: unicodeSafe(e.key) as string, value: unicodeSafe(e.value), deleted: e.deleted !== undefined && e.deleted !== null })
      }
    }
    itemErrors(errors, 'extras', errs)
  }

  const users = listOfDicts('users', data.users, data)
  if (users) {
    const errs: Errors[] = []
    out.users = []
    for (const u of users) {
      if (isEmpty(u.name)) {
        errs.push({ name: ['Missing value'] })
        continue
      }
      errs.push({})
      // users that do not exist are skipped silently, as in CKAN
      const id = await idOf(db, 'user', unicodeSafe(u.name) as string)
      if (id) pushUnique(out.users, { id, capacity: capacityOf(u) })
    }
    itemErrors(errors, 'users', errs)
  }

  const groups = listOfDicts('groups', data.groups, data)
  if (groups) {
    const errs: Errors[] = []
    out.groups = []
    // on update a parent must not sit below this group (no_loops_in_hierarchy); a new group has nothing below it
    const below = opts.existing ? await descendantIds(db, opts.existing.id) : new Set<string>()
    for (const g of groups) {
      if (isEmpty(g.name)) {
        errs.push({ name: ['Missing value'] })
        continue
      }
      const parent = await findGroup(db, unicodeSafe(g.name) as string)
      const existing = opts.existing
      if (existing && (!parent || parent.id === existing.id || below.has(parent.id) || parent.state !== 'active' || parent.type !== existing.type)) {
        errs.push({ name: ['This parent would create a loop in the hierarchy'] })
        continue
      }
      errs.push({})
      if (parent) pushUnique(out.groups, { id: parent.id, capacity: capacityOf(g) })
    }
    itemErrors(errors, 'groups', errs)
  }

  const packages = listOfDicts('packages', data.packages, data)
  if (packages) {
    const errs: Errors[] = []
    out.packages = []
    for (const p of packages) {
      if (isEmpty(p.id)) {
        errs.push({ id: ['Missing value'] })
        continue
      }
      const id = await idOf(db, 'package', unicodeSafe(p.id) as string)
      if (!id) {
        errs.push({ id: ['Not found: Dataset'] })
        continue
      }
      errs.push({})
      pushUnique(out.packages, { id, capacity: capacityOf(p) })
    }
    itemErrors(errors, 'packages', errs)
  }

  if (Object.keys(errors).length > 0) throw new ValidationError(errors)
  return out
}
