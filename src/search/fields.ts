/**
 * How each CKAN index field behaves (ckan/config/solr/schema.xml), shared by every adapter so
 * `tags:x` means the same in Postgres and Meilisearch.
 *
 * - exact: untokenised whole value, case-sensitive (`tags`, `res_format`, `organization`)
 * - text: full-text, matched word by word after folding and stemming (`title`, `notes`)
 * - date / int / bool: typed, ranges compare by value
 * Unknown fields are valid and match nothing (Solr's catch-all dynamic field); `extras_<key>` is
 * text over the dataset extra `<key>`, and a bare extra key matches that extra exactly.
 */
export type FieldKind = 'exact' | 'text' | 'date' | 'int' | 'bool'

export interface FieldInfo {
  kind: FieldKind
  /** several values per dataset (tags, groups, resource fields) */
  multi: boolean
}

const f = (kind: FieldKind, multi = false): FieldInfo => ({ kind, multi })

export const INDEX_FIELDS: Readonly<Record<string, FieldInfo>> = {
  id: f('exact'),
  name: f('exact'),
  state: f('exact'),
  dataset_type: f('exact'),
  type: f('exact'),
  owner_org: f('exact'),
  organization: f('exact'),
  capacity: f('exact'),
  license_id: f('exact'),
  url: f('exact'),
  version: f('exact'),
  creator_user_id: f('exact'),
  site_id: f('exact'),
  entity_type: f('exact'),
  title_string: f('exact'),
  tags: f('exact', true),
  groups: f('exact', true),
  res_format: f('exact', true),
  res_url: f('exact', true),
  res_type: f('exact', true),
  title: f('text'),
  notes: f('text'),
  text: f('text'),
  license: f('text'),
  author: f('text'),
  author_email: f('text'),
  maintainer: f('text'),
  maintainer_email: f('text'),
  urls: f('text', true),
  res_name: f('text', true),
  res_description: f('text', true),
  metadata_created: f('date'),
  metadata_modified: f('date'),
  num_resources: f('int'),
  num_tags: f('int'),
  private: f('bool'),
}

/** What a field name means: a core field, a vocabulary (`vocab_<name>`), an extra, or nothing. */
export type FieldRef =
  | { type: 'core'; name: string; info: FieldInfo }
  | { type: 'vocab'; vocabulary: string; info: FieldInfo }
  /** `extras_<key>`: text match on the extra */
  | { type: 'extra_text'; key: string; info: FieldInfo }
  /** `<key>` that is not a core field: exact match on the extra (Solr's dynamic `*` copy) */
  | { type: 'extra_exact'; key: string; info: FieldInfo }

export function resolveField(name: string | null): FieldRef {
  const field = name ?? 'text'
  // field names come from the query: `constructor` or `__proto__` must not find Object's own
  const core = Object.hasOwn(INDEX_FIELDS, field) ? INDEX_FIELDS[field] : undefined
  if (core) return { type: 'core', name: field === 'dataset_type' ? 'type' : field, info: core }
  if (field.startsWith('vocab_')) return { type: 'vocab', vocabulary: field.slice(6), info: f('exact', true) }
  if (field.startsWith('extras_')) return { type: 'extra_text', key: field.slice(7), info: f('text') }
  if (field.startsWith('res_extras_')) return { type: 'extra_text', key: field, info: f('text', true) }
  return { type: 'extra_exact', key: field, info: f('exact') }
}

/** Core fields every dataset has a value for: `field:*` matches everything. */
export const ALWAYS_PRESENT: ReadonlySet<string> = new Set(['text', 'id', 'name', 'state', 'type', 'capacity', 'site_id', 'entity_type', 'private', 'num_resources', 'num_tags'])

/** Fields `sort` accepts; sorting on a multi-valued or tokenised field is a Search Error, as in Solr. */
export const SORTABLE_FIELDS: ReadonlySet<string> = new Set([
  'score',
  'id',
  'name',
  'title_string',
  'metadata_created',
  'metadata_modified',
  'num_resources',
  'num_tags',
  'state',
  'type',
  'dataset_type',
  'license_id',
  'organization',
  'owner_org',
  'capacity',
  'private',
  'version',
  'url',
])

/** Fields `facet.field` accepts (single or multi-valued exact fields). */
export function facetable(name: string): boolean {
  const ref = resolveField(name)
  if (ref.type === 'vocab' || ref.type === 'extra_exact') return true
  return ref.type === 'core' && (ref.info.kind === 'exact' || ref.info.kind === 'bool' || ref.info.kind === 'int')
}
