import { documentFromDict } from './document.js'
import { setOwn } from '../lookup.js'

/**
 * package_search with `fl`: flat dicts of index fields instead of package_show dicts, as Solr's
 * stored fields come back. `extras_<key>` is returned as `<key>`; fields the index does not
 * store (text, permission labels) are absent; dates carry Solr's `Z`.
 */
export function projectFields(dict: Record<string, unknown>, fields: string[]): Record<string, unknown> {
  const doc = documentFromDict(dict) as unknown as Record<string, unknown>
  const out: Record<string, unknown> = {}
  for (const f of fields) {
    if (f.startsWith('extras_')) {
      const key = f.slice(7)
      const extras = doc.extras as Record<string, string>
      if (Object.hasOwn(extras, key)) setOwn(out, key, extras[key])
      continue
    }
    if (f === 'metadata_created' || f === 'metadata_modified') out[f] = doc[f]
    else if (f === 'dataset_type') out[f] = doc.type
    else if (f === 'capacity') out[f] = doc.private ? 'private' : 'public'
    else if (['tags', 'groups', 'organization', 'res_format', 'res_name', 'res_description', 'res_url', 'res_type', 'license'].includes(f)) out[f] = doc[f]
    else if (Object.hasOwn(dict, f) && f !== 'text') out[f] = dict[f]
  }
  return out
}
