import { ValidationError } from '../../errors.js'

/** The RDF profiles Abierto writes; the first is the default (ckanext.dcat.rdf.profiles). */
export const PROFILES = ['euro_dcat_ap_3', 'euro_dcat_ap_2', 'euro_dcat_ap', 'schemaorg', 'dcat_us_3'] as const
export type Profile = (typeof PROFILES)[number]

/** How one DCAT-AP profile writes the properties whose form changed between versions. */
export interface DcatApFlavour {
  /** 2: owl:versionInfo, xsd:decimal sizes, WKT literals as locn:geometry; 3: dcat:version, xsd:nonNegativeInteger, locn:Geometry nodes, dcat:hasVersion */
  version: 2 | 3
  /** also schema:startDate/endDate on the period, which DCAT-AP 1 readers (ckanext-dcat's euro_dcat_ap) look for first */
  schemaOrgPeriod: boolean
}

/**
 * The DCAT-AP profiles. ckanext-dcat's `euro_dcat_ap` is its DCAT-AP 1 profile; ours writes DCAT-AP 2
 * (a superset a DCAT-AP 1 reader still understands) plus the period in DCAT-AP 1's schema.org terms.
 */
export const DCAT_AP: Partial<Record<Profile, DcatApFlavour>> = {
  euro_dcat_ap_3: { version: 3, schemaOrgPeriod: false },
  euro_dcat_ap_2: { version: 2, schemaOrgPeriod: false },
  euro_dcat_ap: { version: 2, schemaOrgPeriod: true },
}

/** `profiles` as a list or comma-separated text; unknown names are CKAN's 409. */
export function parseProfiles(value: unknown): Profile[] {
  const names = (Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : []).map((v) => String(v).trim()).filter(Boolean)
  if (names.length === 0) return [PROFILES[0]]
  const unknown = [...new Set(names.filter((n) => !(PROFILES as readonly string[]).includes(n)))].sort()
  if (unknown.length) throw ValidationError.message(`Unknown RDF profiles: ${unknown.join(', ')}`)
  return [...new Set(names)] as Profile[]
}
