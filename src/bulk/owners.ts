import type { Kysely } from 'kysely'
import type { Database } from '../db/schema.js'
import { ValidationError } from '../errors.js'
import { validateGroup } from '../model/group-validate.js'
import { insertGroup } from '../model/group-save.js'
import { foreignId } from './stable-id.js'

export interface GroupRef {
  id: string
  name: string
  is_organization: boolean
  state: string
}

type Dict = Record<string, unknown>

const isDict = (v: unknown): v is Dict => v !== null && typeof v === 'object' && !Array.isArray(v)

/**
 * The organizations and groups a load refers to, read once and kept in memory (there are few),
 * with the ones the load creates. A line's organization comes from its `organization` object,
 * else its `owner_org`; its groups from `groups`. Unknown ones are created with the file's id,
 * name, title, description and image url, by the group rules (validateGroup) as a sysadmin.
 */
export class OwnerRegistry {
  private readonly byId = new Map<string, GroupRef>()
  private readonly byName = new Map<string, GroupRef>()

  static async load(db: Kysely<Database>): Promise<OwnerRegistry> {
    const registry = new OwnerRegistry()
    for (const g of await db.selectFrom('group').select(['id', 'name', 'is_organization', 'state']).execute()) registry.remember(g)
    return registry
  }

  private remember(g: GroupRef): void {
    this.byId.set(g.id, g)
    this.byName.set(g.name, g)
  }

  private forget(g: GroupRef): void {
    this.byId.delete(g.id)
    this.byName.delete(g.name)
  }

  /** By id, then by name (CKAN's Group.get). */
  find(idOrName: string): GroupRef | undefined {
    return this.byId.get(idOrName) ?? this.byName.get(idOrName)
  }

  /**
   * Creates the organization and groups `data` names that do not exist yet, and points
   * `data.owner_org` at the organization's id. Returns what it created, for `undo` should the
   * dataset be rejected. Throws ValidationError (owner_org / groups) when one cannot be created.
   */
  async ensure(db: Kysely<Database>, data: Dict): Promise<GroupRef[]> {
    const created: GroupRef[] = []
    try {
      const org = isDict(data.organization) ? data.organization : typeof data.owner_org === 'string' && data.owner_org !== '' ? { name: data.owner_org } : null
      if (org) {
        const ref = await this.ensureOne(db, org, true, created).catch((err: unknown) => {
          throw err instanceof ValidationError ? new ValidationError({ owner_org: messages(err) }) : err
        })
        if (ref) data.owner_org = ref.id
      }
      if (Array.isArray(data.groups)) {
        for (const g of data.groups) {
          if (!isDict(g)) continue
          const ref = await this.ensureOne(db, g, false, created).catch((err: unknown) => {
            throw err instanceof ValidationError ? new ValidationError({ groups: messages(err) }) : err
          })
          // the dataset names it by id: the file's id may have been translated
          if (ref) g.id = ref.id
        }
      }
      return created
    } catch (err) {
      await this.undo(db, created)
      throw err
    }
  }

  /** Removes groups `ensure` created for a dataset that was then rejected (nothing refers to them yet). */
  async undo(db: Kysely<Database>, created: GroupRef[]): Promise<void> {
    if (created.length === 0) return
    await db.deleteFrom('group').where('id', 'in', created.map((g) => g.id)).execute()
    for (const g of created) this.forget(g)
  }

  /** Forgets groups created inside a transaction that was rolled back. */
  rolledBack(created: GroupRef[]): void {
    for (const g of created) this.forget(g)
  }

  private async ensureOne(db: Kysely<Database>, raw: Dict, isOrganization: boolean, created: GroupRef[]): Promise<GroupRef | undefined> {
    const id = foreignId(raw.id)
    const known = (typeof id === 'string' && this.byId.get(id)) || (typeof raw.name === 'string' && this.byName.get(raw.name)) || undefined
    if (known) return known
    // a group given by id alone that does not exist: nothing to create it from (the rules skip it)
    if (typeof raw.name !== 'string' || raw.name === '') return undefined
    const input = await validateGroup(
      db,
      { id, name: raw.name, title: raw.title, description: raw.description, image_url: raw.image_url, ...(typeof raw.type === 'string' && raw.type ? { type: raw.type } : {}) },
      { mode: 'create', sysadmin: true },
    )
    const row = await insertGroup(db, input, { isOrganization, type: isOrganization ? 'organization' : 'group' })
    const ref = { id: row.id, name: row.name, is_organization: row.is_organization, state: row.state }
    this.remember(ref)
    created.push(ref)
    return ref
  }
}

function messages(err: ValidationError): string[] {
  return Object.entries(err.fields).flatMap(([field, msgs]) => (Array.isArray(msgs) ? msgs : [msgs]).map((m) => `${field}: ${String(m)}`))
}
