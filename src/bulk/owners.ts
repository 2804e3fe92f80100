import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema.js'
import { ValidationError } from '../errors.js'
import { validateGroup, type GroupInput } from '../model/group-validate.js'
import { insertGroup } from '../model/group-save.js'
import { foreignId } from './stable-id.js'
import { isUuid } from '../model/validators.js'

export interface GroupRef {
  id: string
  name: string
  is_organization: boolean
  state: string
}

/** An organization or group a line needs that does not exist yet: validated, created once a dataset needing it is accepted. */
interface Pending {
  ref: GroupRef
  input: GroupInput
  created: Promise<void> | null
}

type Dict = Record<string, unknown>

const isDict = (v: unknown): v is Dict => v !== null && typeof v === 'object' && !Array.isArray(v)

/**
 * The organizations and groups a load refers to, read once and kept in memory (there are few),
 * with the ones the load creates. A line's organization comes from its `organization` object,
 * else its `owner_org`; its groups from `groups`. Unknown ones are validated by the group rules
 * (validateGroup, as a sysadmin) keeping the file's id, name, title, description and image url,
 * and created — committed at once, outside the batches' transactions, so concurrent batches see
 * them — only when a dataset that needs them has passed validation.
 */
export class OwnerRegistry {
  private readonly byId = new Map<string, GroupRef>()
  private readonly byName = new Map<string, GroupRef>()
  private readonly pending = new Map<string, Pending>()
  /** validations under way, by name: a concurrent batch asking for the same one waits for it */
  private readonly resolving = new Map<string, Promise<Pending>>()

  private constructor(private readonly db: Kysely<Database>) {}

  static async load(db: Kysely<Database>): Promise<OwnerRegistry> {
    const registry = new OwnerRegistry(db)
    for (const g of await db.selectFrom('group').select(['id', 'name', 'is_organization', 'state']).execute()) registry.remember(g)
    return registry
  }

  private remember(g: GroupRef): void {
    this.byId.set(g.id, g)
    this.byName.set(g.name, g)
  }

  /** By id, then by name (CKAN's Group.get); groups still to be created count. */
  find(idOrName: string): GroupRef | undefined {
    return this.byId.get(idOrName) ?? this.byName.get(idOrName)
  }

  /**
   * Resolves the organization and groups `data` names, pointing `data.owner_org` (and each group's
   * id) at their ids. Unknown ones are validated and become pending. Returns the pending ones the
   * line needs, for `create`. Throws ValidationError (owner_org / groups) for an invalid one.
   */
  async resolve(data: Dict): Promise<Pending[]> {
    const needs: Pending[] = []
    // owner_org alone names the organization by id or name; an unknown one is created under that name (and id, if a UUID)
    const org = isDict(data.organization)
      ? data.organization
      : typeof data.owner_org === 'string' && data.owner_org !== ''
        ? ((this.find(data.owner_org) as Dict | undefined) ?? { id: isUuid(data.owner_org) ? data.owner_org : undefined, name: data.owner_org })
        : null
    if (org) {
      const ref = await this.resolveOne(org, true, needs).catch(rename('owner_org'))
      if (ref) data.owner_org = ref.id
    }
    if (Array.isArray(data.groups)) {
      for (const g of data.groups) {
        if (!isDict(g)) continue
        const ref = await this.resolveOne(g, false, needs).catch(rename('groups'))
        // the dataset names it by id: the file's id may have been translated
        if (ref) g.id = ref.id
      }
    }
    return needs
  }

  /** Creates the pending groups an accepted line needs (each once, even if asked concurrently). */
  async create(needs: Pending[]): Promise<void> {
    for (const p of needs) {
      p.created ??= (async () => {
        await insertGroup(this.db, p.input, { isOrganization: p.ref.is_organization, type: p.ref.is_organization ? 'organization' : 'group' })
        this.pending.delete(p.ref.name)
      })()
      await p.created
    }
  }

  private async resolveOne(raw: Dict, isOrganization: boolean, needs: Pending[]): Promise<GroupRef | undefined> {
    const id = foreignId(raw.id)
    const known = (typeof id === 'string' && this.byId.get(id)) || (typeof raw.name === 'string' && this.byName.get(raw.name)) || undefined
    if (known) {
      const p = this.pending.get(known.name)
      if (p) needs.push(p)
      return known
    }
    // a group given by id alone that does not exist: nothing to create it from (the rules skip it)
    if (typeof raw.name !== 'string' || raw.name === '') return undefined
    const name = raw.name
    let resolving = this.resolving.get(name)
    if (!resolving) {
      resolving = (async () => {
        const input = await validateGroup(
          this.db,
          { id, name, title: raw.title, description: raw.description, image_url: raw.image_url, ...(typeof raw.type === 'string' && raw.type ? { type: raw.type } : {}) },
          { mode: 'create', sysadmin: true },
        )
        const ref: GroupRef = { id: input.id ?? randomUUID(), name, is_organization: isOrganization, state: 'active' }
        const p: Pending = { ref, input: { ...input, id: ref.id }, created: null }
        this.pending.set(name, p)
        this.remember(ref)
        return p
      })()
      this.resolving.set(name, resolving)
      // a rejected one is asked again by the next line that names it (it may differ)
      resolving.catch(() => undefined).finally(() => this.resolving.delete(name))
    }
    const p = await resolving
    needs.push(p)
    return p.ref
  }
}

function rename(field: string) {
  return (err: unknown): never => {
    if (!(err instanceof ValidationError)) throw err
    const messages = Object.entries(err.fields).flatMap(([key, msgs]) => (Array.isArray(msgs) ? msgs : [msgs]).map((m) => `${key}: ${String(m)}`))
    throw new ValidationError({ [field]: messages })
  }
}
