import { IntegrityError, ValidationError } from '../errors.js'

type Dict = Record<string, unknown>

const isDict = (v: unknown): v is Dict => v !== null && typeof v === 'object' && !Array.isArray(v)

/** The dataset keys the rules expect as lists of dicts (CKAN's sub-schemas). */
const SUBSCHEMAS = ['resources', 'tags', 'extras', 'groups'] as const

/**
 * CKAN answers a malformed sub-schema with a DataError naming no field; a load report must say
 * which key of the line is wrong, so those are caught here first, by the same rule (listOfDicts).
 */
export function structureErrors(data: Dict): ValidationError | null {
  const errors: Dict = {}
  for (const key of SUBSCHEMAS) {
    const v = data[key]
    if (v === undefined || v === null || v === '') continue
    if (!Array.isArray(v)) errors[key] = [`Only lists of dicts can be placed against subschema ${key}, not ${typeof v === 'string' ? 'str' : typeof v}`]
    else if (!v.every(isDict)) errors[key] = ['Values in lists need to be dicts']
  }
  return Object.keys(errors).length ? new ValidationError(errors) : null
}

/** `field: message` pairs of a rejected line; nested fields as `resources[1].size`. */
export function fieldMessages(err: unknown): string[] {
  if (err instanceof ValidationError) {
    const out: string[] = []
    flatten('', err.fields, out)
    return out
  }
  if (err instanceof IntegrityError) return [`dataset: ${err.message}`]
  return [`dataset: ${err instanceof Error ? err.message : String(err)}`]
}

function flatten(path: string, v: unknown, out: string[]): void {
  if (Array.isArray(v) && v.every((m) => !isDict(m) && !Array.isArray(m))) {
    if (v.length) out.push(`${path}: ${v.map(String).join('; ')}`)
  } else if (Array.isArray(v)) {
    v.forEach((item, i) => flatten(`${path}[${i}]`, item, out))
  } else if (isDict(v)) {
    for (const [k, item] of Object.entries(v)) flatten(path ? `${path}.${k}` : k, item, out)
  } else if (v !== undefined && v !== null) {
    out.push(`${path}: ${String(v)}`)
  }
}
