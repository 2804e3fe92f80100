import { sql, type Kysely } from 'kysely'
import type { Database, KeyValue } from '../db/schema.js'
import { IntegrityError, ValidationError } from '../errors.js'
import { asBool } from '../actions/params.js'
import { parseIsoDate } from './time.js'
import { emailError, extraIdErrors, isUuid, nameError, tagErrors, toInt, unicodeSafe } from './validators.js'
import { cleanFormat, guessFormat } from './formats.js'
import { setOwn } from '../lookup.js'

/** Free-text columns that `package_update` resets to null when omitted (CKAN's remove_if_not_provided). */
export const TEXT_FIELDS = ['title', 'notes', 'url', 'version', 'author', 'author_email', 'maintainer', 'maintainer_email', 'license_id'] as const
export type TextField = (typeof TEXT_FIELDS)[number]

/** Keys of the dataset schema; an extra may not reuse one (extra_key_not_in_root_schema). */
const ROOT_KEYS = new Set([
  'id',
  'name',
  'title',
  'author',
  'author_email',
  'maintainer',
  'maintainer_email',
  'license_id',
  'notes',
  'url',
  'version',
  'state',
  'type',
  'owner_org',
  'private',
  '__extras',
  '__junk',
  'resources',
  'tags',
  'tag_string',
  'plugin_data',
  'extras',
  'save',
  'return_to',
  'relationships_as_object',
  'relationships_as_subject',
  'groups',
])

/** Resource columns; every other key of a resource dict is kept as a free extra. */
const RESOURCE_COLUMNS = new Set(['id', 'url', 'format', 'description', 'name', 'hash', 'mimetype', 'mimetype_inner', 'size', 'resource_type', 'url_type', 'cache_url', 'cache_last_updated', 'created', 'last_modified', 'metadata_modified'])
/** Keys dropped from resource input: read-only or computed (CKAN ignores them too). */
const RESOURCE_IGNORED = new Set(['package_id', 'position', 'state', 'extras', 'revision_timestamp', 'tracking_summary', 'revision_id'])

export interface ResourceInput {
  id?: string
  /** Column values given in the input; omitted ones are decided by the saver (create vs update). */
  columns: Partial<{
    url: string
    format: string
    description: string | null
    name: string | null
    hash: string
    mimetype: string | null
    mimetype_inner: string | null
    size: number | null
    resource_type: string | null
    url_type: string | null
    cache_url: string | null
    cache_last_updated: string | null
    created: string
    last_modified: string | null
  }>
  extras: Record<string, unknown>
}

export interface TagInput {
  name: string
  vocabulary_id: string | null
}

export interface PackageInput {
  id?: string
  name?: string
  text: Partial<Record<TextField, string | null>>
  /** undefined: not given (kept on update); null: unowned. Always an organization id when set. */
  owner_org?: string | null
  private?: boolean
  state?: string
  type?: string
  metadata_modified?: string
  extras: KeyValue[]
  tags: TagInput[]
  /** undefined: not given (kept on update). */
  resources?: ResourceInput[]
  /** undefined: not given (kept on update). Ids of existing active groups. */
  groups?: string[]
  plugin_data?: Record<string, unknown> | null
  /** Whether a deleted dataset holds `name` (and must give it up); undefined: not known, the saver checks. */
  deletedHoldsName?: boolean
}

export interface ValidateOptions {
  mode: 'create' | 'update'
  sysadmin: boolean
  /** The dataset being updated (its id, current name, owner and existing resource ids). */
  existing?: { id: string; name: string; owner_org: string | null; private: boolean }
  createUnownedDataset: boolean
  /** The caller's right to put the dataset in this organization: null, or the owner_org message. */
  ownerOrgCheck?: (orgId: string) => Promise<string | null>
  /** Where the rules' database facts come from (default: one query each; bulk loads prefetch them per batch). */
  lookups?: PackageLookups
}

/** The database facts the dataset rules depend on. */
export interface PackageLookups {
  packageIdExists(id: string): Promise<boolean>
  /** Whether a dataset other than `exceptId` that is not deleted has this name. */
  nameInUse(name: string, exceptId: string | undefined): Promise<boolean>
  /** A group or organization by id, else by name. */
  group(idOrName: string): Promise<{ id: string; is_organization: boolean; state: string } | undefined>
  vocabularyId(idOrName: string): Promise<string | null>
  /** Which of these resource ids belong to a dataset other than `exceptPackageId`. */
  takenResourceIds(ids: string[], exceptPackageId: string | undefined): Promise<Set<string>>
}

/**
 * Everything the rules will ask the database about this dict, answered by one statement: a
 * package_create asked five to eight questions one round trip each (id, name, organization,
 * groups, resource ids), and round trips are what a write costs most. Questions not foreseen
 * here (vocabularies, a value that changed shape) fall back to `databaseLookups`.
 */
async function prefetchedLookups(db: Kysely<Database>, data: Record<string, unknown>, opts: ValidateOptions): Promise<{ lookups: PackageLookups; harvested: boolean | undefined; deletedHoldsName: boolean | undefined }> {
  const fallback = databaseLookups(db)
  const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null)
  const id = opts.mode === 'create' ? str(data.id) : null
  const name = str(data.name)
  const exceptId = opts.existing?.id ?? null
  const refs = new Set<string>()
  const owner = str(data.owner_org)
  if (owner) refs.add(owner)
  for (const g of Array.isArray(data.groups) ? data.groups : []) {
    const ref = isDict(g) ? (str(g.id) ?? str(g.name)) : null
    if (ref) refs.add(ref)
  }
  const resourceIds = [...new Set((Array.isArray(data.resources) ? data.resources : []).map((r) => (isDict(r) && isUuid(r.id) ? r.id : null)).filter((r): r is string => r !== null))]
  const { rows } = await sql<{
    id_exists: boolean
    name_in_use: boolean
    deleted_holds_name: boolean
    groups: { ref: string; id: string; is_organization: boolean; state: string }[]
    taken: string[]
    harvested: boolean
  }>`
    SELECT
      EXISTS (SELECT 1 FROM package WHERE id = ${id}) AS id_exists,
      EXISTS (SELECT 1 FROM package WHERE name = ${name} AND state != 'deleted' AND (${exceptId}::text IS NULL OR id != ${exceptId})) AS name_in_use,
      EXISTS (SELECT 1 FROM package WHERE name = ${name} AND state = 'deleted' AND id != coalesce(${id ?? exceptId}::text, '')) AS deleted_holds_name,
      coalesce((SELECT json_agg(json_build_object('ref', r.ref, 'id', g.id, 'is_organization', g.is_organization, 'state', g.state))
         FROM unnest(${[...refs]}::text[]) AS r(ref)
         CROSS JOIN LATERAL (SELECT id, is_organization, state FROM "group" WHERE id = r.ref OR name = r.ref ORDER BY id = r.ref DESC LIMIT 1) g), '[]') AS groups,
      ARRAY(SELECT id FROM resource WHERE id = ANY(${resourceIds}::text[]) AND (${exceptId}::text IS NULL OR package_id != ${exceptId})) AS taken,
      EXISTS (SELECT 1 FROM harvest_object WHERE package_id = ${exceptId} AND current = true) AS harvested`.execute(db)
  const facts = rows[0]
  const groups = new Map(facts.groups.map((g) => [g.ref, { id: g.id, is_organization: g.is_organization, state: g.state }]))
  const taken = new Set(facts.taken)
  const prefetchedIds = new Set(resourceIds)
  const lookups: PackageLookups = {
    packageIdExists: async (v) => (v === id ? facts.id_exists : fallback.packageIdExists(v)),
    nameInUse: async (v, except) => (v === name && (except ?? null) === exceptId ? facts.name_in_use : fallback.nameInUse(v, except)),
    group: async (ref) => (refs.has(ref) ? groups.get(ref) : fallback.group(ref)),
    vocabularyId: fallback.vocabularyId,
    takenResourceIds: async (ids, except) => ((except ?? null) === exceptId && ids.every((i) => prefetchedIds.has(i)) ? new Set(ids.filter((i) => taken.has(i))) : fallback.takenResourceIds(ids, except)),
  }
  // the name the dataset will have, when this statement looked at exactly it
  const deletedHoldsName = name !== null && nameError(name) === null ? facts.deleted_holds_name : undefined
  return { lookups, harvested: exceptId !== null ? facts.harvested : undefined, deletedHoldsName }
}

/** The lookups as single queries against `db`. */
export function databaseLookups(db: Kysely<Database>): PackageLookups {
  return {
    packageIdExists: async (id) => (await db.selectFrom('package').select('id').where('id', '=', id).executeTakeFirst()) !== undefined,
    nameInUse: async (name, exceptId) =>
      (await db
        .selectFrom('package')
        .select('id')
        .where('name', '=', name)
        .where('state', '!=', 'deleted')
        .$if(exceptId !== undefined, (q) => q.where('id', '!=', exceptId!))
        .executeTakeFirst()) !== undefined,
    group: (idOrName) => groupIdFor(db, idOrName),
    vocabularyId: async (v) =>
      (
        await db
          .selectFrom('vocabulary')
          .select('id')
          .where((eb) => eb.or([eb('id', '=', v), eb('name', '=', v)]))
          .executeTakeFirst()
      )?.id ?? null,
    takenResourceIds: async (ids, exceptPackageId) => {
      const taken = await db
        .selectFrom('resource')
        .select('id')
        .where('id', 'in', ids)
        .$if(exceptPackageId !== undefined, (q) => q.where('package_id', '!=', exceptPackageId!))
        .execute()
      return new Set(taken.map((t) => t.id))
    },
  }
}

type Errors = Record<string, unknown>

const DERIVED_HARVEST_EXTRAS = new Set(['harvest_object_id', 'harvest_source_id', 'harvest_source_title'])

async function isHarvested(db: Kysely<Database>, packageId: string): Promise<boolean> {
  const row = await db.selectFrom('harvest_object').select('id').where('package_id', '=', packageId).where('current', '=', true).executeTakeFirst()
  return row !== undefined
}

function isDict(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

function listOfDicts(field: string, value: unknown, data: unknown): Record<string, unknown>[] {
  if (value === null || value === undefined || value === '') return []
  if (!Array.isArray(value)) throw new IntegrityError(`Only lists of dicts can be placed against subschema ${field}, not ${typeof value === 'string' ? 'str' : typeof value}`, data)
  if (!value.every(isDict)) throw new IntegrityError('Values in lists need to be dicts', data)
  return value as Record<string, unknown>[]
}

async function groupIdFor(db: Kysely<Database>, idOrName: string): Promise<{ id: string; is_organization: boolean; state: string } | undefined> {
  return db
    .selectFrom('group')
    .select(['id', 'is_organization', 'state'])
    .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
    .orderBy(({ eb }) => eb('id', '=', idOrName), 'desc')
    .executeTakeFirst()
}

function validateResource(raw: Record<string, unknown>, isNew: boolean, errors: Errors): ResourceInput {
  const out: ResourceInput = { columns: {}, extras: {} }
  const c = out.columns
  if (raw.id !== undefined && raw.id !== null && raw.id !== '') {
    if (!isUuid(raw.id)) errors.id = ['Invalid id provided']
    else out.id = raw.id
  }
  for (const key of ['description', 'name', 'resource_type', 'url_type', 'mimetype', 'mimetype_inner', 'cache_url'] as const) {
    if (key in raw) c[key] = unicodeSafe(raw[key])
  }
  if ('url' in raw) c.url = (unicodeSafe(raw.url) ?? '').trim()
  // an upload stores only its file name; the download URL shown by package_show comes back here
  if (raw.url_type === 'upload' && c.url && c.url.includes('/')) c.url = decodeURIComponent(c.url.split('/').pop() ?? '')
  if ('hash' in raw) c.hash = unicodeSafe(raw.hash) ?? ''
  if ('size' in raw) {
    const n = toInt(raw.size)
    if (n === undefined) errors.size = ['Invalid integer']
    else c.size = n
  }
  for (const key of ['created', 'last_modified', 'cache_last_updated'] as const) {
    if (!(key in raw) || raw[key] === null || raw[key] === '') {
      if (key in raw && key !== 'created') c[key] = null
      continue
    }
    const d = parseIsoDate(raw[key])
    if (d === null) errors[key] = ['Date format incorrect']
    else c[key] = d
  }
  const format = unicodeSafe(raw.format) ?? ''
  if (format !== '') c.format = cleanFormat(format)
  else if (isNew && !out.id) {
    const guessed = guessFormat(c.url ?? '')
    c.format = guessed ?? ''
  } else if ('format' in raw) c.format = ''
  for (const [key, value] of Object.entries(raw)) {
    if (RESOURCE_COLUMNS.has(key) || RESOURCE_IGNORED.has(key) || value === undefined) continue
    setOwn(out.extras, key, value)
  }
  return out
}

/**
 * Validates a dataset dict with CKAN's rules and messages (default_create_package_schema /
 * default_update_package_schema). Collects every field error before throwing one ValidationError.
 */
export async function validatePackage(db: Kysely<Database>, data: Record<string, unknown>, opts: ValidateOptions): Promise<PackageInput> {
  const errors: Errors = {}
  const out: PackageInput = { text: {}, extras: [], tags: [] }
  const creating = opts.mode === 'create'
  const prefetched = opts.lookups ? null : await prefetchedLookups(db, data, opts)
  const lookups = opts.lookups ?? prefetched!.lookups

  // id
  if (creating && data.id !== undefined && data.id !== null && data.id !== '') {
    if (!opts.sysadmin) errors.id = ['The input field id was not expected.']
    else if (!isUuid(data.id)) errors.id = ['Invalid id provided']
    else if (await lookups.packageIdExists(data.id)) errors.id = ['Dataset id already exists']
    else out.id = data.id
  }

  // name
  const nameGiven = data.name !== undefined && data.name !== null && data.name !== ''
  if (!nameGiven) {
    if (creating) errors.name = ['Missing value']
  } else {
    const msg = nameError(data.name)
    if (msg) errors.name = [msg]
    else {
      const name = data.name as string
      if (await lookups.nameInUse(name, opts.existing?.id)) errors.name = ['That URL is already in use.']
      else out.name = name
    }
  }

  // free-text columns
  for (const field of TEXT_FIELDS) {
    if (!(field in data)) continue
    let v = unicodeSafe(data[field])
    if ((field === 'author_email' || field === 'maintainer_email') && typeof v === 'string') {
      v = v.trim()
      const msg = emailError(v)
      if (msg) errors[field] = [msg]
    }
    if (field === 'version' && typeof v === 'string' && v.length > 100) errors.version = ['Version must be a maximum of 100 characters long']
    out.text[field] = v
  }
  if (creating && (out.text.title === undefined || out.text.title === null || out.text.title === '')) {
    out.text.title = typeof data.name === 'string' ? data.name : null
  }

  // owner_org
  const ownerGiven = 'owner_org' in data
  if (ownerGiven || creating) {
    const raw = data.owner_org
    if (raw === undefined || raw === null || raw === '') {
      if (!opts.createUnownedDataset) errors.owner_org = ['An organization must be provided']
      else out.owner_org = null
    } else if (typeof raw !== 'string') {
      errors.owner_org = ['Organization does not exist']
    } else {
      const org = await lookups.group(raw)
      if (!org || !org.is_organization || org.state === 'deleted') errors.owner_org = ['Organization does not exist']
      else {
        const denied = opts.ownerOrgCheck ? await opts.ownerOrgCheck(org.id) : null
        if (denied) errors.owner_org = [denied]
        else out.owner_org = org.id
      }
    }
  }

  // private
  if ('private' in data && data.private !== undefined && data.private !== null) {
    out.private = asBool(data.private) ?? false
  }
  const effectiveOwner = out.owner_org !== undefined ? out.owner_org : (opts.existing?.owner_org ?? null)
  if ((out.private ?? opts.existing?.private ?? false) && effectiveOwner === null && !errors.owner_org) {
    errors.private = ["Datasets with no organization can't be private."]
  }

  // state, type, metadata_modified, plugin_data: only a sysadmin may set them freely
  if (typeof data.state === 'string' && data.state !== '' && opts.sysadmin) out.state = data.state
  if (typeof data.type === 'string' && data.type !== '') out.type = data.type
  if (opts.sysadmin && data.metadata_modified !== undefined && data.metadata_modified !== null && data.metadata_modified !== '') {
    const d = parseIsoDate(data.metadata_modified)
    if (d === null) errors.metadata_modified = ['Date format incorrect']
    else out.metadata_modified = d
  }
  if (opts.sysadmin && 'plugin_data' in data) {
    if (data.plugin_data !== null && !isDict(data.plugin_data)) errors.plugin_data = ['Not a dict']
    else out.plugin_data = data.plugin_data as Record<string, unknown> | null
  }

  // extras
  // a show dict sent back carries the harvest extras derived from the current harvest object:
  // they are not the dataset's own, and storing them would duplicate them on the next harvest
  const derived = opts.existing && (prefetched?.harvested ?? (await isHarvested(db, opts.existing.id))) ? DERIVED_HARVEST_EXTRAS : new Set<string>()
  const extrasRaw = listOfDicts('extras', data.extras, data).filter((e) => !derived.has(e.key as string))
  const extraErrors: Errors[] = []
  const seen = new Map<string, number>()
  for (const e of extrasRaw) {
    const err: Errors = {}
    const idErrors = extraIdErrors(e.id, opts.sysadmin)
    if (idErrors) err.id = idErrors
    const key = unicodeSafe(e.key)
    if (key === null || key === '') err.key = ['Missing value']
    else if (ROOT_KEYS.has(key)) err.key = ['There is a schema field with the same name']
    if (!('value' in e) || e.value === undefined) err.value = ['Missing value']
    if (e.deleted !== undefined && asBool(e.deleted) === true) {
      extraErrors.push(err)
      continue
    }
    extraErrors.push(err)
    if (key) seen.set(key, (seen.get(key) ?? 0) + 1)
    if (Object.keys(err).length === 0) out.extras.push({ key: key!, value: unicodeSafe(e.value) ?? '' })
  }
  if (extraErrors.some((e) => Object.keys(e).length > 0)) errors.extras = extraErrors
  const dups = [...seen.entries()].filter(([, n]) => n > 1).map(([k]) => `Duplicate key "${k}"`)
  if (dups.length > 0) errors.extras_validation = dups

  // tags (+ tag_string)
  const tagsRaw = listOfDicts('tags', data.tags, data)
  const tagMessages: string[] = []
  const tagKeys = new Set<string>()
  const vocabCache = new Map<string, string | null>()
  const pushTag = async (name: unknown, vocabulary: unknown) => {
    if (name === undefined || name === null || name === '') {
      tagMessages.push('Missing value')
      return
    }
    const n = unicodeSafe(name)!
    const msgs = tagErrors(n)
    let vocabularyId: string | null = null
    if (vocabulary !== undefined && vocabulary !== null && vocabulary !== '') {
      const v = String(vocabulary)
      if (!vocabCache.has(v)) vocabCache.set(v, await lookups.vocabularyId(v))
      vocabularyId = vocabCache.get(v) ?? null
      if (vocabularyId === null) msgs.push('Tag vocabulary was not found.')
    }
    if (msgs.length > 0) {
      tagMessages.push(msgs.join(', '))
      return
    }
    const k = `${vocabularyId ?? ''}\u0000${n}`
    if (tagKeys.has(k)) return
    tagKeys.add(k)
    out.tags.push({ name: n, vocabulary_id: vocabularyId })
  }
  for (const t of tagsRaw) await pushTag(t.name, t.vocabulary_id)
  if (typeof data.tag_string === 'string') {
    for (const n of data.tag_string
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''))
      await pushTag(n, undefined)
  }
  if (tagMessages.length > 0) errors.tags = tagMessages

  // resources
  if ('resources' in data && data.resources !== undefined && data.resources !== null) {
    const resRaw = listOfDicts('resources', data.resources, data)
    const resErrors: Errors[] = []
    const resources: ResourceInput[] = []
    const ids = new Set<string>()
    for (const r of resRaw) {
      const err: Errors = {}
      const res = validateResource(r, true, err)
      if (res.id) {
        if (ids.has(res.id)) err.id = ['Resource id already exists.']
        ids.add(res.id)
      }
      resErrors.push(err)
      resources.push(res)
    }
    if (ids.size > 0) {
      const takenIds = await lookups.takenResourceIds([...ids], opts.existing?.id)
      resources.forEach((r, i) => {
        if (r.id && takenIds.has(r.id)) resErrors[i].id = ['Resource id already exists.']
      })
    }
    if (resErrors.some((e) => Object.keys(e).length > 0)) errors.resources = resErrors
    out.resources = resources
  }

  // groups: unknown ones are skipped silently, as CKAN does
  if ('groups' in data && data.groups !== undefined && data.groups !== null) {
    const groupsRaw = listOfDicts('groups', data.groups, data)
    const found: string[] = []
    for (const g of groupsRaw) {
      const ref = typeof g.id === 'string' && g.id ? g.id : typeof g.name === 'string' && g.name ? g.name : null
      if (!ref) continue
      const row = await lookups.group(ref)
      if (row && !row.is_organization && row.state === 'active' && !found.includes(row.id)) found.push(row.id)
    }
    out.groups = found
  }

  if (Object.keys(errors).length > 0) throw new ValidationError(errors)
  if (out.name !== undefined && prefetched?.deletedHoldsName !== undefined) out.deletedHoldsName = prefetched.deletedHoldsName
  return out
}
