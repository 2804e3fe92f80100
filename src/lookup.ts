/**
 * `table[key]` for a lookup table indexed by outside input (a query's field name, an Accept
 * header, a harvested format): only the table's own entries, never what every object inherits
 * (`constructor`, `toString`, `__proto__`), which would otherwise come back as a function or an object.
 */
export function lookup<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined
}

/**
 * Sets `key` as an own data property, as JSON.parse does: `out[key] = value` would instead call
 * the `__proto__` setter (replacing the object's prototype) for that one name.
 */
export function setOwn(out: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true })
}
