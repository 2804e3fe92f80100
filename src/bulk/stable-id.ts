import { createHash } from 'node:crypto'
import { isUuid } from '../model/validators.js'

/** Namespace of the ids derived here (a fixed random UUID: changing it would re-key every reload). */
const NAMESPACE = Buffer.from('6f1c0c7e4b2a4f0e9d3a5b8e2c1f7a90', 'hex')

/** RFC 4122 version 5 (name-based, SHA-1) UUID of `name`. */
export function stableUuid(name: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(name, 'utf8').digest()
  hash[6] = (hash[6] & 0x0f) | 0x50
  hash[8] = (hash[8] & 0x3f) | 0x80
  const hex = hash.subarray(0, 16).toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/**
 * The id a record from another catalogue gets here. CKAN 2.11 accepts only UUIDs as ids, but dumps
 * converted from other systems carry their own identifiers (datos.gob.ar's "jgm_1"): those become
 * a UUID derived from them, the same on every load, so reloading a file updates what it created.
 * UUIDs, empty and non-string values pass unchanged (the validator judges them).
 */
export function foreignId(value: unknown): unknown {
  return typeof value === 'string' && value !== '' && !isUuid(value) ? stableUuid(value) : value
}
