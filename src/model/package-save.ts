import { randomUUID } from 'node:crypto'
import { sql, type Insertable, type Kysely } from 'kysely'
import type { Database, PackageRow, ResourceRow, ResourceTable } from '../db/schema.js'
import type { PackageInput, ResourceInput, TagInput } from './package-validate.js'
import { TEXT_FIELDS } from './package-validate.js'
import { guessMimetype } from './formats.js'
import { nowIso } from './time.js'
import { ValidationError } from '../errors.js'

/** Postgres unique violation on the dataset name: a concurrent create won the race. */
export function isNameConflict(err: unknown): boolean {
  const e = err as { code?: string; constraint?: string }
  return e?.code === '23505' && (e.constraint ?? '').startsWith('package_name')
}

export function nameInUse(): ValidationError {
  return new ValidationError({ name: ['That URL is already in use.'] })
}

/** A deleted dataset's name may be reused: the old row takes its own id as name (CKAN does the same). */
async function freeDeletedName(db: Kysely<Database>, name: string, exceptId: string): Promise<void> {
  await db
    .updateTable('package')
    .set({ name: sql`id` })
    .where('name', '=', name)
    .where('state', '=', 'deleted')
    .where('id', '!=', exceptId)
    .execute()
}

/** The key a tag is known by: its vocabulary (none: '') and name. */
const tagKey = (name: string, vocabularyId: string | null) => `${vocabularyId ?? ''}\u0000${name}`

/**
 * Ids of these tags, created when new, in one statement per attempt. Shared tag rows: reused by
 * (name, vocabulary), never locked (an upsert's DO UPDATE did: every write of a dataset tagged
 * "salud" queued behind the others until commit, and two writers taking the same tags in opposite
 * orders deadlocked into a 500). New tags are inserted in one order for everyone, so two creators
 * of the same new tags cannot deadlock.
 */
async function tagIds(db: Kysely<Database>, tags: TagInput[]): Promise<Map<string, string>> {
  const found = new Map<string, string>()
  let missing = [...tags].sort((a, b) => (a.vocabulary_id ?? '').localeCompare(b.vocabulary_id ?? '') || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  for (let attempt = 0; missing.length > 0; attempt++) {
    const { rows } = await sql<{ id: string; name: string; vocab: string }>`
      WITH want AS (
        SELECT * FROM unnest(${missing.map(() => randomUUID())}::text[], ${missing.map((t) => t.name)}::text[], ${missing.map((t) => t.vocabulary_id ?? '')}::text[])
          WITH ORDINALITY AS w(id, name, vocab, ord)),
      ins AS (
        INSERT INTO tag (id, name, vocabulary_id) SELECT id, name, nullif(vocab, '') FROM want ORDER BY ord
        ON CONFLICT (name, coalesce(vocabulary_id, '')) DO NOTHING RETURNING id, name, coalesce(vocabulary_id, '') AS vocab)
      SELECT id, name, vocab FROM ins UNION ALL
      SELECT t.id, t.name, w.vocab FROM want w JOIN tag t ON t.name = w.name AND coalesce(t.vocabulary_id, '') = w.vocab`.execute(db)
    for (const r of rows) found.set(tagKey(r.name, r.vocab === '' ? null : r.vocab), r.id)
    // a concurrent transaction committed a tag after this statement's snapshot was taken: the
    // next statement sees it (or, if it was purged meanwhile, inserts it)
    missing = missing.filter((t) => !found.has(tagKey(t.name, t.vocabulary_id)))
    if (missing.length > 0 && attempt >= 3) throw new Error(`tag ${missing[0].name} could be neither created nor found`)
  }
  return found
}

/**
 * Makes the dataset's active tags exactly `tags`. Only the rows that differ are written: an
 * update that keeps its tags costs one read, and fires no change or search trigger of its own.
 * `fresh`: the dataset was inserted in this transaction and has no tag rows yet.
 */
async function saveTags(db: Kysely<Database>, packageId: string, tags: TagInput[], fresh = false): Promise<boolean> {
  const current = fresh
    ? []
    : await db.selectFrom('package_tag').innerJoin('tag', 'tag.id', 'package_tag.tag_id').select(['package_tag.tag_id', 'package_tag.state', 'tag.name', 'tag.vocabulary_id']).where('package_tag.package_id', '=', packageId).execute()
  const active = new Map(current.filter((c) => c.state === 'active').map((c) => [tagKey(c.name, c.vocabulary_id), c.tag_id]))
  const unknown = tags.filter((t) => !active.has(tagKey(t.name, t.vocabulary_id)))
  const ids = unknown.length > 0 ? await tagIds(db, unknown) : new Map<string, string>()
  const wanted = new Set(tags.map((t) => active.get(tagKey(t.name, t.vocabulary_id)) ?? ids.get(tagKey(t.name, t.vocabulary_id))!))
  const keep = new Set([...active.values()].filter((id) => wanted.has(id)))
  const drop = current.filter((c) => !keep.has(c.tag_id)).map((c) => c.tag_id)
  if (drop.length > 0) await db.deleteFrom('package_tag').where('package_id', '=', packageId).where('tag_id', 'in', drop).execute()
  const add = [...wanted].filter((id) => !keep.has(id))
  if (add.length > 0)
    await db
      .insertInto('package_tag')
      .values(add.map((tag_id) => ({ package_id: packageId, tag_id, state: 'active' })))
      .execute()
  return drop.length > 0 || add.length > 0
}

/** Returns whether a membership changed. `fresh`: the dataset was inserted in this transaction and has no membership rows yet. */
async function saveGroups(db: Kysely<Database>, packageId: string, groupIds: string[], fresh = false): Promise<boolean> {
  if (fresh) {
    if (groupIds.length > 0)
      await db
        .insertInto('member')
        .values(groupIds.map((gid) => ({ id: randomUUID(), group_id: gid, table_name: 'package', table_id: packageId, capacity: 'public', state: 'active' })))
        .execute()
    return groupIds.length > 0
  }
  const current = await db.selectFrom('member').select(['id', 'group_id', 'state']).where('table_name', '=', 'package').where('table_id', '=', packageId).execute()
  const wanted = new Set(groupIds)
  const drop = current.filter((m) => m.state === 'active' && !wanted.has(m.group_id)).map((m) => m.id)
  if (drop.length) await db.updateTable('member').set({ state: 'deleted' }).where('id', 'in', drop).execute()
  let changed = drop.length > 0
  for (const gid of groupIds) {
    const row = current.find((m) => m.group_id === gid)
    if (row && row.state === 'active') continue
    changed = true
    if (row) await db.updateTable('member').set({ state: 'active', capacity: 'public' }).where('id', '=', row.id).execute()
    else await db.insertInto('member').values({ id: randomUUID(), group_id: gid, table_name: 'package', table_id: packageId, capacity: 'public', state: 'active' }).execute()
  }
  return changed
}

export type ResourceValues = Omit<ResourceRow, 'package_id' | 'position' | 'state' | 'id' | 'metadata_modified' | 'extras'> & { extras: Record<string, unknown> }

export function newResourceValues(r: ResourceInput, now: string): ResourceValues {
  const c = r.columns
  const url = c.url ?? ''
  return {
    url,
    format: c.format ?? '',
    description: c.description ?? null,
    name: c.name ?? null,
    hash: c.hash ?? '',
    // guessed only when the key is absent: an explicit null stays null, as in CKAN
    mimetype: c.mimetype !== undefined ? c.mimetype : guessMimetype(url),
    mimetype_inner: c.mimetype_inner ?? null,
    size: c.size ?? null,
    resource_type: c.resource_type ?? null,
    url_type: c.url_type ?? null,
    cache_url: c.cache_url ?? null,
    cache_last_updated: c.cache_last_updated ?? null,
    created: c.created ?? now,
    last_modified: c.last_modified ?? null,
    extras: keepDatastoreActive(null, r.extras),
  }
}

/** package_update's rule per resource: url/description/resource_type/mimetype(s) reset when omitted, other columns kept, extras replaced. */
export function updatedResourceValues(old: ResourceRow, r: ResourceInput): ResourceValues {
  const c = r.columns
  const url = c.url ?? ''
  const mimetype = c.mimetype !== undefined ? c.mimetype : url !== old.url ? guessMimetype(url) : null
  return {
    url,
    format: c.format ?? old.format,
    description: c.description ?? null,
    name: c.name !== undefined ? c.name : old.name,
    hash: c.hash ?? old.hash,
    mimetype,
    mimetype_inner: c.mimetype_inner ?? null,
    size: c.size !== undefined ? c.size : old.size,
    resource_type: c.resource_type ?? null,
    url_type: c.url_type !== undefined ? c.url_type : old.url_type,
    cache_url: c.cache_url !== undefined ? c.cache_url : old.cache_url,
    cache_last_updated: c.cache_last_updated !== undefined ? c.cache_last_updated : old.cache_last_updated,
    created: c.created ?? old.created,
    last_modified: c.last_modified !== undefined ? c.last_modified : old.last_modified,
    // a deleted resource's table was dropped with it: brought back, it has none
    extras: keepDatastoreActive(old.state === 'active' ? old.extras : null, r.extras),
  }
}

/**
 * The DataStore flag says whether the resource has a table; a dict sent without it (a client
 * that never saw it, a harvest) must not make the table look gone. `false` where the resource
 * never had the flag is the default every dict shows: sending a dict back unchanged changes nothing.
 */
function keepDatastoreActive(old: Record<string, unknown> | null, next: Record<string, unknown>): Record<string, unknown> {
  const oldHas = old !== null && Object.hasOwn(old, 'datastore_active')
  if (!Object.hasOwn(next, 'datastore_active')) return oldHas ? { ...next, datastore_active: old.datastore_active } : next
  if (!oldHas && next.datastore_active === false) {
    const { datastore_active: _default, ...rest } = next
    return rest
  }
  return next
}

export function sameValues(old: ResourceRow, v: ResourceValues): boolean {
  for (const [k, val] of Object.entries(v)) {
    const o = (old as unknown as Record<string, unknown>)[k]
    if (k === 'extras' ? JSON.stringify(sortKeys(o as Record<string, unknown>)) !== JSON.stringify(sortKeys(val as Record<string, unknown>)) : o !== val) return false
  }
  return true
}

function sortKeys(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)))
}

/**
 * Replaces the dataset's active resources with `resources`, in that order: known ids are updated
 * in place, new ones inserted, the rest marked deleted (as CKAN keeps them until purge).
 */
async function saveResources(db: Kysely<Database>, packageId: string, resources: ResourceInput[], now: string, fresh = false): Promise<boolean> {
  const existing = fresh ? [] : await db.selectFrom('resource').selectAll().where('package_id', '=', packageId).execute()
  const byId = new Map(existing.map((r) => [r.id, r]))
  const kept = new Set<string>()
  // new resources go in one statement, after the updates (positions are given, not derived from order)
  const inserts: Insertable<ResourceTable>[] = []
  let rewritten = false
  for (const [position, r] of resources.entries()) {
    const old = r.id ? byId.get(r.id) : undefined
    if (old) {
      kept.add(old.id)
      const values = updatedResourceValues(old, r)
      const changed = old.state !== 'active' || !sameValues(old, values)
      if (!changed && old.position === position) continue
      rewritten = true
      await db
        .updateTable('resource')
        .set({ ...values, extras: JSON.stringify(values.extras), position, state: 'active', ...(changed ? { metadata_modified: now } : {}) })
        .where('id', '=', old.id)
        .execute()
    } else {
      const id = r.id ?? randomUUID()
      kept.add(id)
      const values = newResourceValues(r, now)
      inserts.push({ ...values, extras: JSON.stringify(values.extras), id, package_id: packageId, position, state: 'active', metadata_modified: now })
    }
  }
  if (inserts.length > 0) await db.insertInto('resource').values(inserts).execute()
  const gone = existing.filter((r) => r.state === 'active' && !kept.has(r.id)).map((r) => r.id)
  if (gone.length) await db.updateTable('resource').set({ state: 'deleted', metadata_modified: now }).where('id', 'in', gone).execute()
  return rewritten || inserts.length > 0 || gone.length > 0
}

export async function insertPackage(db: Kysely<Database>, input: PackageInput, creatorUserId: string | null): Promise<string> {
  const id = input.id ?? randomUUID()
  const created = nowIso()
  const name = input.name!
  // an UPDATE matching no row still runs the package table's statement triggers
  if (input.deletedHoldsName !== false) await freeDeletedName(db, name, id)
  await db
    .insertInto('package')
    .values({
      id,
      name,
      title: input.text.title ?? null,
      notes: input.text.notes ?? null,
      url: input.text.url ?? null,
      version: input.text.version ?? null,
      author: input.text.author ?? null,
      author_email: input.text.author_email ?? null,
      maintainer: input.text.maintainer ?? null,
      maintainer_email: input.text.maintainer_email ?? null,
      license_id: input.text.license_id ?? null,
      owner_org: input.owner_org ?? null,
      private: input.private ?? false,
      state: input.state ?? 'active',
      type: input.type ?? 'dataset',
      creator_user_id: creatorUserId,
      metadata_created: created,
      metadata_modified: input.metadata_modified ?? nowIso(),
      extras: JSON.stringify(input.extras),
      plugin_data: input.plugin_data ? JSON.stringify(input.plugin_data) : null,
    })
    .execute()
  await saveTags(db, id, input.tags, true)
  if (input.resources) await saveResources(db, id, input.resources, created, true)
  if (input.groups) await saveGroups(db, id, input.groups, true)
  return id
}

/**
 * Applies package_update semantics to an existing dataset. Does not touch metadata_modified:
 * the caller bumps it only when the resulting dict differs (CKAN's no-op detection). Returns
 * whether any row changed: when none did, the dataset's dict is the one it had (a loader sending
 * back what it read writes nothing, and the caller need not render the dict again).
 */
export async function updatePackageRows(db: Kysely<Database>, existing: PackageRow, input: PackageInput): Promise<boolean> {
  if (input.name && input.name !== existing.name && input.deletedHoldsName !== false) await freeDeletedName(db, input.name, existing.id)
  const text: Record<string, string | null> = {}
  for (const f of TEXT_FIELDS) text[f] = input.text[f] ?? null
  if (text.title === null || text.title === '') text.title = null
  const values = {
    ...text,
    name: input.name ?? existing.name,
    owner_org: input.owner_org !== undefined ? input.owner_org : existing.owner_org,
    private: input.private ?? existing.private,
    state: input.state ?? existing.state,
    extras: JSON.stringify(input.extras),
    ...(input.plugin_data !== undefined ? { plugin_data: input.plugin_data ? JSON.stringify(input.plugin_data) : null } : {}),
  }
  // compared as stored: any doubt (another spelling of the same JSON) counts as a change
  const row = existing as unknown as Record<string, unknown>
  const same =
    TEXT_FIELDS.every((f) => row[f] === text[f]) &&
    values.name === existing.name &&
    values.owner_org === existing.owner_org &&
    values.private === existing.private &&
    values.state === existing.state &&
    values.extras === JSON.stringify(existing.extras) &&
    (values.plugin_data === undefined || values.plugin_data === (existing.plugin_data === null ? null : JSON.stringify(existing.plugin_data)))
  if (!same) await db.updateTable('package').set(values).where('id', '=', existing.id).execute()
  const tags = await saveTags(db, existing.id, input.tags)
  const resources = input.resources ? await saveResources(db, existing.id, input.resources, nowIso()) : false
  const groups = input.groups ? await saveGroups(db, existing.id, input.groups) : false
  return !same || tags || resources || groups
}

export async function findPackageRow(db: Kysely<Database>, idOrName: string, forUpdate = false): Promise<PackageRow | undefined> {
  const byId = await db
    .selectFrom('package')
    .selectAll()
    .where('id', '=', idOrName)
    .$if(forUpdate, (q) => q.forUpdate())
    .executeTakeFirst()
  if (byId) return byId
  return db
    .selectFrom('package')
    .selectAll()
    .where('name', '=', idOrName)
    .$if(forUpdate, (q) => q.forUpdate())
    .executeTakeFirst()
}
