import { sql, type Kysely, type RawBuilder } from 'kysely'
import type { Database, PackageRow, ResourceRow } from '../db/schema.js'
import { fromPg } from './time.js'
import { findLicense, isOpen } from './licenses.js'
import { cleanFormat } from './formats.js'

export type PackageDict = Record<string, unknown>
export type ResourceDict = Record<string, unknown>

/** Timestamps inside JSON built by Postgres ("…T…", zeros trimmed) or null. */
function ts(v: unknown): string | null {
  return typeof v === 'string' ? fromPg(v) : null
}

/** A resource row as Postgres' json_agg renders it. */
type ResourceJson = ResourceRow

/** Munged file name for an upload's download URL (CKAN's munge_filename, simplified). */
function fileName(stored: string): string {
  const base = stored.split('/').pop() ?? stored
  return encodeURIComponent(base.replace(/[^\w.-]+/g, '-').slice(0, 100) || 'file')
}

export function resourceDict(r: ResourceJson, siteUrl: string): ResourceDict {
  let url = r.url
  // CKAN's datastore plugin: a DataStore-only resource is read through its dump
  if (r.url_type === 'datastore') {
    url = `${siteUrl}/datastore/dump/${r.id}`
  } else if (r.url_type === 'upload') {
    url = `${siteUrl}/dataset/${r.package_id}/resource/${r.id}/download/${fileName(r.url)}`
  } else if (url && !/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(url)) {
    url = `http://${url.replace(/^\/+/, '')}`
  }
  const core: ResourceDict = {
    cache_last_updated: ts(r.cache_last_updated),
    cache_url: r.cache_url,
    created: ts(r.created),
    description: r.description,
    format: r.format ? cleanFormat(r.format) : r.format,
    hash: r.hash,
    id: r.id,
    last_modified: ts(r.last_modified),
    metadata_modified: ts(r.metadata_modified),
    mimetype: r.mimetype,
    mimetype_inner: r.mimetype_inner,
    name: r.name,
    package_id: r.package_id,
    position: r.position,
    resource_type: r.resource_type,
    size: r.size === null ? null : Number(r.size),
    state: r.state,
    url,
    url_type: r.url_type,
  }
  // every resource dict says whether it has a DataStore table, as CKAN's datastore plugin adds it
  const out: ResourceDict = { datastore_active: false, ...r.extras, ...core }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}

type PackageJsonRow = Omit<PackageRow, 'plugin_data' | 'type'> & {
  type: string | null
  organization: Record<string, unknown> | null
  resources: ResourceJson[]
  tags: { id: string; name: string; vocabulary_id: string | null }[]
  groups: { id: string; name: string; title: string; description: string; image_url: string }[]
  /** extras derived from the current harvest object pointing at the dataset, if any */
  harvest: Record<string, string> | null
}

export function imageDisplayUrl(imageUrl: string, siteUrl: string): string {
  if (!imageUrl) return ''
  return /^https?:/i.test(imageUrl) ? imageUrl : `${siteUrl}/uploads/group/${imageUrl}`
}

/**
 * ckanext-harvest's harvest_object_id, harvest_source_id and harvest_source_title extras of a
 * harvested dataset: derived at read time from its current harvest object, never stored, so a
 * re-harvest cannot duplicate them. A stored extra of the same key wins.
 */
function harvestExtras(p: PackageJsonRow): { key: string; value: string }[] {
  if (!p.harvest) return []
  const own = new Set(p.extras.map((e) => e.key))
  return Object.entries(p.harvest)
    .filter(([k]) => !own.has(k))
    .map(([key, value]) => ({ key, value }))
}

/** CKAN's key order: scalars alphabetically, then non-empty lists, then empty ones. */
const LIST_ORDER = ['resources', 'tags', 'extras', 'groups', 'relationships_as_subject', 'relationships_as_object']

function toDict(p: PackageJsonRow, siteUrl: string): PackageDict {
  const license = findLicense(p.license_id)
  const scalars: Record<string, unknown> = {
    author: p.author,
    author_email: p.author_email,
    creator_user_id: p.creator_user_id,
    id: p.id,
    isopen: license ? isOpen(license) : false,
    license_id: p.license_id,
    license_title: license ? license.title : p.license_id,
    maintainer: p.maintainer,
    maintainer_email: p.maintainer_email,
    metadata_created: ts(p.metadata_created),
    metadata_modified: ts(p.metadata_modified),
    name: p.name,
    notes: p.notes,
    num_resources: p.resources.length,
    num_tags: p.tags.length,
    organization: p.organization ? { ...p.organization, created: ts(p.organization.created) } : null,
    owner_org: p.owner_org,
    private: p.private,
    state: p.state,
    title: p.title === null || p.title === '' ? p.name : p.title,
    type: p.type ?? 'dataset',
    url: p.url,
    version: p.version,
  }
  if (license?.url) scalars.license_url = license.url
  const lists: Record<string, unknown[]> = {
    resources: p.resources.map((r) => resourceDict(r, siteUrl)),
    tags: p.tags.map((t) => ({ display_name: t.name, id: t.id, name: t.name, state: 'active', vocabulary_id: t.vocabulary_id })),
    extras: [...p.extras, ...harvestExtras(p)].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map(({ key, value }) => ({ key, value })),
    groups: p.groups.map((g) => ({ description: g.description, display_name: g.title || g.name, id: g.id, image_display_url: imageDisplayUrl(g.image_url, siteUrl), name: g.name, title: g.title })),
    relationships_as_subject: [],
    relationships_as_object: [],
  }
  const out: PackageDict = {}
  for (const k of Object.keys(scalars).sort()) out[k] = scalars[k]
  for (const k of [...LIST_ORDER].sort()) if (lists[k].length > 0) out[k] = lists[k]
  for (const k of LIST_ORDER) if (lists[k].length === 0) out[k] = lists[k]
  return out
}

/**
 * Full package_show dicts for the given dataset ids, in the order given (unknown ids skipped),
 * built from one SQL statement so a show costs one round trip.
 */
export async function packageDicts(db: Kysely<Database>, ids: string[], siteUrl: string): Promise<PackageDict[]> {
  if (ids.length === 0) return []
  const rows = await selectPackages(db, sql`p.id = ANY(${ids}::text[])`)
  const byId = new Map(rows.map((r) => [r.id, r]))
  return ids.flatMap((id) => {
    const row = byId.get(id)
    return row ? [toDict(row, siteUrl)] : []
  })
}

/** The dataset whose id, else whose name, is `ref` (CKAN's Package.get), as a package_show dict. */
export async function packageDictByRef(db: Kysely<Database>, ref: string, siteUrl: string): Promise<PackageDict | undefined> {
  const rows = await selectPackages(db, sql`(p.id = ${ref} OR p.name = ${ref})`)
  const row = rows.find((r) => r.id === ref) ?? rows[0]
  return row ? toDict(row, siteUrl) : undefined
}

/** The harvest extras of the dataset `p` as a JSON object (null when no current harvest object points at it). */
export const HARVEST_EXTRAS_SQL = sql`(SELECT json_build_object('harvest_object_id', ho.id, 'harvest_source_id', ho.harvest_source_id,
          'harvest_source_title', coalesce(nullif(sp.title, ''), sp.name))
         FROM harvest_object ho JOIN package sp ON sp.id = ho.harvest_source_id
        WHERE ho.package_id = p.id AND ho.current LIMIT 1)`

async function selectPackages(db: Kysely<Database>, where: RawBuilder<unknown>): Promise<PackageJsonRow[]> {
  const { rows } = await sql<PackageJsonRow>`
    SELECT p.id, p.name, p.title, p.notes, p.url, p.version, p.author, p.author_email, p.maintainer,
      p.maintainer_email, p.license_id, p.owner_org, p.private, p.state, p.type, p.creator_user_id,
      p.metadata_created::text AS metadata_created, p.metadata_modified::text AS metadata_modified, p.extras,
      (SELECT json_build_object('id', g.id, 'name', g.name, 'title', g.title, 'type', g.type,
          'description', g.description, 'image_url', g.image_url, 'created', g.created,
          'is_organization', g.is_organization, 'approval_status', g.approval_status, 'state', g.state)
         FROM "group" g WHERE g.id = p.owner_org AND g.state = 'active') AS organization,
      coalesce((SELECT json_agg(r ORDER BY r.position) FROM (
          SELECT id, package_id, position, url, format, description, name, hash, mimetype, mimetype_inner,
            size, resource_type, url_type, cache_url, cache_last_updated, created, last_modified,
            metadata_modified, state, extras
          FROM resource WHERE package_id = p.id AND state = 'active') r), '[]'::json) AS resources,
      coalesce((SELECT json_agg(json_build_object('id', t.id, 'name', t.name, 'vocabulary_id', t.vocabulary_id) ORDER BY t.name)
         -- OFFSET 0 keeps the lookup per tag: joined, the planner hashed the whole tag table for every dataset
         FROM package_tag pt CROSS JOIN LATERAL (SELECT t.id, t.name, t.vocabulary_id FROM tag t WHERE t.id = pt.tag_id OFFSET 0) t
         WHERE pt.package_id = p.id AND pt.state = 'active'), '[]'::json) AS tags,
      coalesce((SELECT json_agg(json_build_object('id', g.id, 'name', g.name, 'title', g.title,
          'description', g.description, 'image_url', g.image_url) ORDER BY g.name)
         FROM member m JOIN "group" g ON g.id = m.group_id
         WHERE m.table_name = 'package' AND m.table_id = p.id AND m.state = 'active'
           AND g.state = 'active' AND NOT g.is_organization), '[]'::json) AS groups,
      ${HARVEST_EXTRAS_SQL} AS harvest
    FROM package p
    WHERE ${where}`.execute(db)
  return rows
}

export async function packageDict(db: Kysely<Database>, id: string, siteUrl: string): Promise<PackageDict | undefined> {
  return (await packageDicts(db, [id], siteUrl))[0]
}
