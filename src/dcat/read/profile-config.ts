/** A harvest source's `profiles` config (the dcat_rdf harvester reads its records under them). */
import { PROFILES } from '../write/profiles.js'

/**
 * A harvest source's `profiles` config: a list of names, or one text with names separated by spaces
 * (ckanext.dcat.rdf.profiles' form) or commas. Undefined when not given.
 */
export function profileNames(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined
  const names = Array.isArray(value) ? value.map(String) : String(value).split(/[\s,]+/)
  return names.map((n) => n.trim()).filter(Boolean)
}

/** The config problem of a `profiles` value (not text or a list of text, or unknown names), else null. */
export function profilesProblem(value: unknown): string | null {
  if (!(typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string')))) return 'profiles must be a list of profile names'
  const unknown = (profileNames(value) ?? []).filter((n) => !(PROFILES as readonly string[]).includes(n))
  return unknown.length > 0 ? `Unknown RDF profiles: ${[...new Set(unknown)].sort().join(', ')}` : null
}
