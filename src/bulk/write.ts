import { randomUUID } from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import type { Database, PackageRow, ResourceRow } from '../db/schema.js'
import type { PackageInput } from '../model/package-validate.js'
import { TEXT_FIELDS } from '../model/package-validate.js'
import { newResourceValues, sameValues, updatedResourceValues } from '../model/package-save.js'
import { nowIso } from '../model/time.js'

/** A validated dataset ready to write: a new one, or the replacement of `existing`. */
export interface PlannedDataset {
  id: string
  input: PackageInput
  existing?: PackageRow
  /** metadata_created from the file (a load keeps it; CKAN's API would not). */
  metadataCreated?: string
}

type Row = Record<string, unknown>

// named, so a column added later with a default keeps its default here
const PACKAGE_COLUMNS = sql.raw(
  'id, name, title, notes, url, version, author, author_email, maintainer, maintainer_email, license_id, owner_org, private, state, type, creator_user_id, metadata_created, metadata_modified, extras, plugin_data',
)
const RESOURCE_COLUMNS = sql.raw(
  'id, package_id, position, url, format, description, name, hash, mimetype, mimetype_inner, size, resource_type, url_type, cache_url, cache_last_updated, created, last_modified, metadata_modified, state, extras',
)

/**
 * Writes a batch of validated datasets with a handful of set-based statements (rows travel as one
 * JSON parameter each, so no statement hits Postgres' parameter limit). The semantics are those of
 * insertPackage / updatePackageRows: tags replaced, resources replaced in order (known ids updated
 * in place, the rest marked deleted), group memberships replaced. Run it in a transaction.
 */
export async function writeDatasets(db: Kysely<Database>, batch: PlannedDataset[], creatorUserId: string | null): Promise<void> {
  if (batch.length === 0) return
  const now = nowIso()
  const creates = batch.filter((d) => !d.existing)
  const updates = batch.filter((d) => d.existing)
  const updateIds = updates.map((d) => d.id)

  // a deleted dataset's name may be reused: the old row takes its own id as name (as CKAN does)
  const names = batch.map((d) => d.input.name ?? d.existing!.name)
  await sql`UPDATE package SET name = id WHERE state = 'deleted' AND name = ANY(${names}::text[]) AND id <> ALL(${batch.map((d) => d.id)}::text[])`.execute(db)

  if (creates.length) {
    await sql`INSERT INTO package (${PACKAGE_COLUMNS}) SELECT ${PACKAGE_COLUMNS}
                FROM jsonb_populate_recordset(NULL::package, ${JSON.stringify(creates.map((d) => packageRow(d, null, creatorUserId, now)))}::jsonb)`.execute(db)
  }
  if (updates.length) {
    const rows = updates.map((d) => packageRow(d, d.existing!, creatorUserId, now))
    await sql`UPDATE package p SET name = v.name, title = v.title, notes = v.notes, url = v.url, version = v.version, author = v.author,
                author_email = v.author_email, maintainer = v.maintainer, maintainer_email = v.maintainer_email, license_id = v.license_id,
                owner_org = v.owner_org, private = v.private, state = v.state, metadata_created = v.metadata_created,
                metadata_modified = v.metadata_modified, extras = v.extras, plugin_data = v.plugin_data
              FROM jsonb_populate_recordset(NULL::package, ${JSON.stringify(rows)}::jsonb) v WHERE p.id = v.id`.execute(db)
  }
  // resources before tags: a concurrent batch creating the same new tags makes this one wait for its commit
  await writeResources(db, batch, updateIds, now)
  await writeTags(db, batch, updateIds)
  await writeGroups(db, batch, updateIds)
}

/** The package row after the write: insertPackage's defaults for a new dataset, updatePackageRows' rules for an existing one. */
function packageRow(d: PlannedDataset, old: PackageRow | null, creatorUserId: string | null, now: string): Row {
  const { input } = d
  const text: Row = {}
  for (const f of TEXT_FIELDS) text[f] = input.text[f] ?? null
  if (old && text.title === '') text.title = null
  return {
    id: d.id,
    name: input.name ?? old?.name,
    ...text,
    owner_org: input.owner_org !== undefined ? input.owner_org : (old?.owner_org ?? null),
    private: input.private ?? old?.private ?? false,
    state: input.state ?? old?.state ?? 'active',
    type: old ? old.type : (input.type ?? 'dataset'),
    creator_user_id: old ? old.creator_user_id : creatorUserId,
    metadata_created: d.metadataCreated ?? old?.metadata_created ?? now,
    metadata_modified: input.metadata_modified ?? now,
    extras: input.extras,
    plugin_data: input.plugin_data !== undefined ? input.plugin_data : (old?.plugin_data ?? null),
  }
}

async function writeTags(db: Kysely<Database>, batch: PlannedDataset[], updateIds: string[]): Promise<void> {
  if (updateIds.length) await sql`DELETE FROM package_tag WHERE package_id = ANY(${updateIds}::text[])`.execute(db)
  const key = (name: string, vocabularyId: string | null) => `${vocabularyId ?? ''}\u0000${name}`
  const wanted = new Map<string, { name: string; vocabulary_id: string | null }>()
  for (const d of batch) for (const t of d.input.tags) wanted.set(key(t.name, t.vocabulary_id), t)
  if (wanted.size === 0) return
  // shared tag rows: reuse by (name, vocabulary); create the missing ones; a concurrent creator may win, so read again
  const ids = new Map<string, string>()
  const find = async (tags: { name: string; vocabulary_id: string | null }[]) => {
    const { rows } = await sql<{ id: string; name: string; vocabulary_id: string | null }>`
      SELECT t.id, t.name, t.vocabulary_id FROM tag t
        JOIN json_to_recordset(${JSON.stringify(tags)}::json) AS x(name text, vocabulary_id text)
          ON t.name = x.name AND coalesce(t.vocabulary_id, '') = coalesce(x.vocabulary_id, '')`.execute(db)
    for (const r of rows) ids.set(key(r.name, r.vocabulary_id), r.id)
  }
  await find([...wanted.values()])
  // in one order everywhere, so two batches creating overlapping tags wait for each other instead of deadlocking
  const missing = [...wanted.entries()]
    .filter(([k]) => !ids.has(k))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, t]) => ({ id: randomUUID(), ...t }))
  if (missing.length) {
    const { rows } = await sql<{ id: string; name: string; vocabulary_id: string | null }>`
      INSERT INTO tag (id, name, vocabulary_id) SELECT id, name, vocabulary_id FROM json_to_recordset(${JSON.stringify(missing)}::json) AS x(id text, name text, vocabulary_id text)
      ON CONFLICT (name, coalesce(vocabulary_id, '')) DO NOTHING RETURNING id, name, vocabulary_id`.execute(db)
    for (const r of rows) ids.set(key(r.name, r.vocabulary_id), r.id)
    const lost = missing.filter((t) => !ids.has(key(t.name, t.vocabulary_id)))
    if (lost.length) await find(lost)
  }
  const packageIds: string[] = []
  const tagIds: string[] = []
  for (const d of batch) {
    for (const tagId of new Set(d.input.tags.map((t) => ids.get(key(t.name, t.vocabulary_id))!))) {
      packageIds.push(d.id)
      tagIds.push(tagId)
    }
  }
  await sql`INSERT INTO package_tag (package_id, tag_id, state) SELECT p, t, 'active' FROM unnest(${packageIds}::text[], ${tagIds}::text[]) AS x(p, t)`.execute(db)
}

async function writeResources(db: Kysely<Database>, batch: PlannedDataset[], updateIds: string[], now: string): Promise<void> {
  const existing = updateIds.length
    ? await db
        .selectFrom('resource')
        .selectAll()
        .where('package_id', '=', sql<string>`ANY(${updateIds}::text[])`)
        .execute()
    : []
  const byPackage = new Map<string, Map<string, ResourceRow>>()
  for (const r of existing) {
    if (!byPackage.has(r.package_id)) byPackage.set(r.package_id, new Map())
    byPackage.get(r.package_id)!.set(r.id, r)
  }
  const inserts: Row[] = []
  const changes: Row[] = []
  const gone: string[] = []
  for (const d of batch) {
    // resources not given: kept as they are (package_update leaves them alone too)
    if (!d.input.resources) continue
    const own = byPackage.get(d.id) ?? new Map<string, ResourceRow>()
    const kept = new Set<string>()
    for (const [position, r] of d.input.resources.entries()) {
      const old = r.id ? own.get(r.id) : undefined
      if (old) {
        kept.add(old.id)
        const values = updatedResourceValues(old, r)
        const changed = old.state !== 'active' || !sameValues(old, values)
        if (!changed && old.position === position) continue
        changes.push({ ...values, id: old.id, package_id: d.id, position, state: 'active', metadata_modified: changed ? now : old.metadata_modified })
      } else {
        const id = r.id ?? randomUUID()
        kept.add(id)
        inserts.push({ ...newResourceValues(r, now), id, package_id: d.id, position, state: 'active', metadata_modified: now })
      }
    }
    for (const old of own.values()) if (old.state === 'active' && !kept.has(old.id)) gone.push(old.id)
  }
  if (inserts.length) {
    await sql`INSERT INTO resource (${RESOURCE_COLUMNS}) SELECT ${RESOURCE_COLUMNS} FROM jsonb_populate_recordset(NULL::resource, ${JSON.stringify(inserts)}::jsonb)`.execute(db)
  }
  if (changes.length) {
    await sql`UPDATE resource r SET position = v.position, url = v.url, format = v.format, description = v.description, name = v.name, hash = v.hash,
                mimetype = v.mimetype, mimetype_inner = v.mimetype_inner, size = v.size, resource_type = v.resource_type, url_type = v.url_type,
                cache_url = v.cache_url, cache_last_updated = v.cache_last_updated, created = v.created, last_modified = v.last_modified,
                metadata_modified = v.metadata_modified, state = v.state, extras = v.extras
              FROM jsonb_populate_recordset(NULL::resource, ${JSON.stringify(changes)}::jsonb) v WHERE r.id = v.id`.execute(db)
  }
  if (gone.length) await sql`UPDATE resource SET state = 'deleted', metadata_modified = ${now} WHERE id = ANY(${gone}::text[])`.execute(db)
}

async function writeGroups(db: Kysely<Database>, batch: PlannedDataset[], updateIds: string[]): Promise<void> {
  const current = updateIds.length
    ? await db
        .selectFrom('member')
        .select(['id', 'group_id', 'table_id', 'state'])
        .where('table_name', '=', 'package')
        .where('table_id', '=', sql<string>`ANY(${updateIds}::text[])`)
        .execute()
    : []
  const rowsOf = new Map<string, typeof current>()
  for (const m of current) rowsOf.set(m.table_id, [...(rowsOf.get(m.table_id) ?? []), m])
  const drop: string[] = []
  const revive: string[] = []
  const fresh: Row[] = []
  for (const d of batch) {
    if (!d.input.groups) continue
    const rows = rowsOf.get(d.id) ?? []
    const wanted = new Set(d.input.groups)
    for (const m of rows) if (m.state === 'active' && !wanted.has(m.group_id)) drop.push(m.id)
    for (const gid of wanted) {
      const row = rows.find((m) => m.group_id === gid)
      if (row && row.state === 'active') continue
      if (row) revive.push(row.id)
      else fresh.push({ id: randomUUID(), group_id: gid, table_name: 'package', table_id: d.id, capacity: 'public', state: 'active' })
    }
  }
  if (drop.length) await sql`UPDATE member SET state = 'deleted' WHERE id = ANY(${drop}::text[])`.execute(db)
  if (revive.length) await sql`UPDATE member SET state = 'active', capacity = 'public' WHERE id = ANY(${revive}::text[])`.execute(db)
  if (fresh.length) {
    await sql`INSERT INTO member (id, group_id, table_name, table_id, capacity, state)
                SELECT id, group_id, table_name, table_id, capacity, state FROM jsonb_populate_recordset(NULL::member, ${JSON.stringify(fresh)}::jsonb)`.execute(db)
  }
}
