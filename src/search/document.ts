import { findLicense } from '../model/licenses.js'
import type { PackageDict } from '../model/package-dict.js'

/**
 * One dataset as the search backends store it: CKAN's index fields (ckan/lib/search/index.py).
 * Backends return ids only; package_search renders the dicts from Postgres, so results always
 * equal package_show (CKAN returns the dict as of the last index). Built from the database by
 * load-documents.ts, or from a package_show dict by documentFromDict (the two must agree: a
 * test checks it on the real corpus).
 */
export interface IndexDocument {
  id: string
  name: string
  title: string
  notes: string
  state: string
  private: boolean
  type: string
  owner_org: string | null
  /** owner organization name */
  organization: string | null
  /** owner organization title (searchable text) */
  organization_title: string
  /** group names */
  groups: string[]
  /** group titles (searchable text) */
  group_titles: string[]
  /** free tags (no vocabulary) */
  tags: string[]
  /** vocabulary id → tag names (vocab_<vocabulary>) */
  vocab: Record<string, string[]>
  res_format: string[]
  res_name: string[]
  res_description: string[]
  res_url: string[]
  res_type: string[]
  license_id: string
  /** license title */
  license: string
  author: string
  author_email: string
  maintainer: string
  maintainer_email: string
  url: string
  version: string
  /** ISO 8601 UTC with `Z` */
  metadata_created: string
  metadata_modified: string
  num_resources: number
  num_tags: number
  /** dataset extras, key → value */
  extras: Record<string, string>
  creator_user_id: string | null
  /** who may see it (see datasetLabels) */
  permission_labels: string[]
}

/**
 * CKAN's permission labels (DefaultPermissionLabels), refined to Abierto's read rule
 * (auth/authz.ts visiblePackages): drafts are visible to the org's editors, other non-public
 * datasets to any member. auth/authz.ts searchLabels gives the caller's side.
 */
export function datasetLabels(d: { id: string; state: string; private: boolean; owner_org: string | null; creator_user_id: string | null }): string[] {
  if (d.state === 'active' && !d.private) return ['public']
  const draft = d.state === 'draft'
  const owner = d.owner_org ? `${draft ? 'editor' : 'member'}-${d.owner_org}` : `creator-${d.creator_user_id ?? ''}`
  return [owner, `${draft ? 'collaborator-editor' : 'collaborator'}-${d.id}`]
}

const str = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v))

/** ISO timestamp without zone (CKAN's dict format) → with `Z`. */
export function utcIso(v: unknown): string {
  const s = str(v)
  if (!s) return ''
  return /[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s}Z`
}

export function documentFromDict(dict: PackageDict): IndexDocument {
  const resources = (Array.isArray(dict.resources) ? dict.resources : []) as Array<Record<string, unknown>>
  const tags = (Array.isArray(dict.tags) ? dict.tags : []) as Array<Record<string, unknown>>
  const groups = (Array.isArray(dict.groups) ? dict.groups : []) as Array<Record<string, unknown>>
  const extras = (Array.isArray(dict.extras) ? dict.extras : []) as Array<Record<string, unknown>>
  const org = dict.organization as Record<string, unknown> | null | undefined
  const vocab: Record<string, string[]> = {}
  const free: string[] = []
  for (const t of tags) {
    const v = t.vocabulary_id
    if (typeof v === 'string' && v) (vocab[v] ??= []).push(str(t.name))
    else free.push(str(t.name))
  }
  const licenseId = str(dict.license_id)
  const doc = {
    id: str(dict.id),
    name: str(dict.name),
    title: str(dict.title).trimStart(),
    notes: str(dict.notes),
    state: str(dict.state) || 'active',
    private: dict.private === true,
    type: str(dict.type) || 'dataset',
    owner_org: (dict.owner_org as string | null) || null,
    organization: org && typeof org.name === 'string' ? org.name : null,
    organization_title: org ? str(org.title) : '',
    groups: groups.map((g) => str(g.name)),
    group_titles: groups.map((g) => str(g.title)).filter(Boolean),
    tags: free,
    vocab,
    res_format: resources.map((r) => str(r.format)).filter(Boolean),
    res_name: resources.map((r) => str(r.name)).filter(Boolean),
    res_description: resources.map((r) => str(r.description)).filter(Boolean),
    res_url: resources.map((r) => str(r.url)).filter(Boolean),
    res_type: resources.map((r) => str(r.resource_type)).filter(Boolean),
    license_id: licenseId,
    license: str(dict.license_title) || findLicense(licenseId)?.title || licenseId,
    author: str(dict.author),
    author_email: str(dict.author_email),
    maintainer: str(dict.maintainer),
    maintainer_email: str(dict.maintainer_email),
    url: str(dict.url),
    version: str(dict.version),
    metadata_created: utcIso(dict.metadata_created),
    metadata_modified: utcIso(dict.metadata_modified),
    num_resources: resources.length,
    num_tags: tags.length,
    extras: Object.fromEntries(extras.map((e) => [str(e.key), str(e.value)])),
    creator_user_id: (dict.creator_user_id as string | null) ?? null,
  }
  return { ...doc, permission_labels: datasetLabels(doc) }
}
