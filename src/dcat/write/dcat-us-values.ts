import type { PackageDict } from '../../model/package-dict.js'
import { dictValue } from './values.js'

export type Item = Record<string, unknown>

/**
 * A structured field (ckanext-scheming's repeating subfields, DCAT-US's bbox or data dictionary):
 * a root list or object as ckanext-dcat's scheming datasets carry it, else the extra of the same
 * key holding JSON, which is how Abierto stores it. Text that is no JSON is returned as is.
 */
export function structured(dict: PackageDict, key: string): unknown {
  const root = dict[key]
  if (root !== null && typeof root === 'object') return root
  const text = dictValue(dict, key)
  if (text === undefined) return undefined
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/** The non-empty objects of a structured list field (ckanext-dcat skips a list whose first item is empty). */
export function items(dict: PackageDict, key: string): Item[] {
  const v = structured(dict, key)
  const list = Array.isArray(v) ? v : v !== null && typeof v === 'object' ? [v] : []
  return list.filter((x): x is Item => x !== null && typeof x === 'object' && !Array.isArray(x) && Object.values(x).some(filled))
}

function filled(v: unknown): boolean {
  if (typeof v === 'string') return v.trim() !== ''
  if (Array.isArray(v)) return v.length > 0
  return v !== null && v !== undefined
}

/** A subfield as text ("" when absent); numbers keep their decimal text. */
export function text(item: Item, key: string): string {
  const v = item[key]
  if (typeof v === 'string') return v.trim()
  if (typeof v === 'number' && Number.isFinite(v)) return String(v)
  return ''
}
