/**
 * JSON text as Python's json.dumps writes it by default (", " and ": " separators, non-ASCII
 * escaped, floats keep ".0"). ckanext-dcat stores list extras and geometries this way, and the
 * exact text matters: re-harvesting compares stored extras, and clients diff CKAN's output.
 */

function str(s: string): string {
  return JSON.stringify(s).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/** `floats` renders every number as Python renders a float (geometry coordinates parsed by geomet). */
export function pyJsonDumps(value: unknown, floats = false): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'string') return str(value)
  if (typeof value === 'number') return floats && Number.isInteger(value) ? `${value}.0` : String(value)
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (Array.isArray(value)) return `[${value.map((v) => pyJsonDumps(v, floats)).join(', ')}]`
  const entries = Object.entries(value as Record<string, unknown>)
  return `{${entries.map(([k, v]) => `${str(k)}: ${pyJsonDumps(v, floats)}`).join(', ')}}`
}
