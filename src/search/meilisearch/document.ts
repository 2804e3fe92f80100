import type { IndexDocument } from '../document.js'
import { encodeValue, epochMs } from './values.js'
import { stemmedText, wordTokens } from './text.js'

/** A dataset as the Meilisearch index stores it, and which attribute holds what. */

export interface MeiliDocument {
  id: string
  [attribute: string]: unknown
}

/** Text fields with a `w.<field>` word list (`text` is the catch-all). */
export const TEXT_FIELDS = ['text', 'title', 'notes', 'license', 'author', 'author_email', 'maintainer', 'maintainer_email', 'urls', 'res_name', 'res_description'] as const

/** Searchable attributes in ranking order (title > tags > notes > resources/org > the rest), holding stemmedText of their field. */
export const SEARCHABLE_ATTRIBUTES = ['title', 'tags', 'name', 'notes', 'res_name', 'res_description', 'organization', 'groups', 'extras', 'author', 'maintainer', 'license', 'urls', 'author_email', 'maintainer_email']

/** Text fields `q` can search with attributesToSearchOn (each is a searchable attribute of the same name); `text` is all of them. */
export const Q_FIELDS = new Set(['text', 'title', 'notes', 'res_name', 'res_description', 'author', 'maintainer', 'license', 'urls', 'author_email', 'maintainer_email'])

const SINGLE_EXACT = ['id', 'name', 'state', 'type', 'owner_org', 'organization', 'license_id', 'url', 'version', 'creator_user_id'] as const
const MULTI_EXACT = ['tags', 'groups', 'res_format', 'res_url', 'res_type', 'permission_labels'] as const

export function toMeiliDocument(d: IndexDocument): MeiliDocument {
  const e: Record<string, string | string[]> = {}
  const put = (k: string, v: string | null | undefined) => {
    if (v) e[k] = encodeValue(v)
  }
  for (const k of SINGLE_EXACT) put(k, d[k])
  put('title_string', d.title)
  put('private', String(d.private))
  for (const k of MULTI_EXACT) if (d[k].length) e[k] = [...new Set(d[k])].map(encodeValue)
  const n: Record<string, number> = { num_resources: d.num_resources, num_tags: d.num_tags }
  for (const k of ['metadata_created', 'metadata_modified'] as const) {
    const ms = epochMs(d[k])
    if (ms !== null) n[k] = ms
  }
  const x: Record<string, string> = {}
  const wx: Record<string, string[]> = {}
  for (const [k, v] of Object.entries(d.extras)) {
    if (!v) continue
    x[encodeValue(k)] = encodeValue(v)
    wx[encodeValue(k)] = wordTokens([v])
  }
  const v: Record<string, string[]> = {}
  for (const [vid, names] of Object.entries(d.vocab)) if (names.length) v[encodeValue(vid)] = [...new Set(names)].map(encodeValue)
  const vocabTags = Object.values(d.vocab).flat()
  const urls = [d.url, ...d.res_url].filter(Boolean)
  const texts: Record<(typeof TEXT_FIELDS)[number], string[]> = {
    text: [
      d.name,
      d.title,
      d.notes,
      ...d.tags,
      ...vocabTags,
      ...d.groups,
      ...d.group_titles,
      d.organization ?? '',
      d.organization_title,
      ...d.res_name,
      ...d.res_description,
      d.license,
      d.author,
      d.maintainer,
      ...urls,
      ...Object.values(d.extras),
    ],
    title: [d.title],
    notes: [d.notes],
    license: [d.license],
    author: [d.author],
    author_email: [d.author_email],
    maintainer: [d.maintainer],
    maintainer_email: [d.maintainer_email],
    urls,
    res_name: d.res_name,
    res_description: d.res_description,
  }
  const w: Record<string, string[]> = {}
  for (const f of TEXT_FIELDS) {
    const tokens = wordTokens(texts[f])
    if (tokens.length) w[f] = tokens
  }
  const st = (values: string[]) => values.filter(Boolean).map(stemmedText)
  return {
    id: d.id,
    title: stemmedText(d.title),
    tags: st([...d.tags, ...vocabTags]),
    name: stemmedText(d.name),
    notes: stemmedText(d.notes),
    res_name: st(d.res_name),
    res_description: st(d.res_description),
    organization: st([d.organization ?? '', d.organization_title]),
    groups: st([...d.groups, ...d.group_titles]),
    extras: st(Object.values(d.extras)),
    author: stemmedText(d.author),
    maintainer: stemmedText(d.maintainer),
    license: stemmedText(d.license),
    urls: st(urls),
    author_email: stemmedText(d.author_email),
    maintainer_email: stemmedText(d.maintainer_email),
    e,
    n,
    x,
    v,
    w,
    wx,
  }
}

/** Sort fields → the attribute they sort on. */
export const SORTABLE: Record<string, string> = {
  id: 'e.id',
  name: 'e.name',
  title_string: 'e.title_string',
  state: 'e.state',
  type: 'e.type',
  dataset_type: 'e.type',
  license_id: 'e.license_id',
  organization: 'e.organization',
  owner_org: 'e.owner_org',
  // 'private' > 'public' as 'true' > 'false'
  capacity: 'e.private',
  private: 'e.private',
  version: 'e.version',
  url: 'e.url',
  metadata_created: 'n.metadata_created',
  metadata_modified: 'n.metadata_modified',
  num_resources: 'n.num_resources',
  num_tags: 'n.num_tags',
}
