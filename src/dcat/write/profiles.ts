import { ValidationError } from '../../errors.js'

/** The RDF profiles Abierto writes; the first is the default (ckanext.dcat.rdf.profiles). */
export const PROFILES = ['euro_dcat_ap_3', 'schemaorg', 'dcat_us_3'] as const
export type Profile = (typeof PROFILES)[number]

/** `profiles` as a list or comma-separated text; unknown names are CKAN's 409. */
export function parseProfiles(value: unknown): Profile[] {
  const names = (Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : []).map((v) => String(v).trim()).filter(Boolean)
  if (names.length === 0) return [PROFILES[0]]
  const unknown = [...new Set(names.filter((n) => !(PROFILES as readonly string[]).includes(n)))].sort()
  if (unknown.length) throw ValidationError.message(`Unknown RDF profiles: ${unknown.join(', ')}`)
  return [...new Set(names)] as Profile[]
}
