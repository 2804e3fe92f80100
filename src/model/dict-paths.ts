/**
 * Path operations over nested dicts/lists with CKAN's `a__b__0__c` keys, as package_revise needs:
 * resolve a path (list steps by index, negative index, or ≥5-char id prefix), compare, filter by
 * glob patterns, and deep-merge (dicts by key, lists by index).
 */
import { setOwn } from '../lookup.js'
export type Path = (string | number)[]
type Json = unknown

export class PathError extends Error {}

const isDict = (v: unknown): v is Record<string, Json> => v !== null && typeof v === 'object' && !Array.isArray(v)

const joined = (p: Path) => p.map(String).join('__')

/** The list index `k` designates, or null. */
function listIndex(list: Json[], k: string): number | null {
  if (k.length >= 5) {
    const i = list.findIndex((rec) => isDict(rec) && typeof rec.id === 'string' && rec.id.startsWith(k))
    return i >= 0 ? i : null
  }
  if (!/^-?\d+$/.test(k)) return null
  const n = Number(k)
  if (n < -list.length || n >= list.length) return null
  return n < 0 ? list.length + n : n
}

export function resolve(data: Json, key: string): { value: Json; path: Path } {
  const path: Path = []
  let cur: Json = data
  for (const k of key.split('__')) {
    if (isDict(cur)) {
      if (!Object.hasOwn(cur, k)) throw new PathError(`Unmatched key ${joined([...path, k])}`)
      path.push(k)
      cur = cur[k]
    } else if (Array.isArray(cur)) {
      const i = listIndex(cur, k)
      if (i === null) throw new PathError(`Unmatched key ${joined([...path, k])}`)
      path.push(i)
      cur = cur[i]
    } else {
      throw new PathError(`Unmatched key ${joined([...path, k])}`)
    }
  }
  return { value: cur, path }
}

function deepEqual(a: Json, b: Json): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

/** Paths under `base` where `expected` differs from `actual` (dicts by key, lists by index). */
export function mismatches(actual: Json, expected: Json, base: Path = []): Path[] {
  if (isDict(expected)) {
    if (!isDict(actual)) return [base]
    return Object.keys(expected).flatMap((k) => (Object.hasOwn(actual, k) ? mismatches(actual[k], expected[k], [...base, k]) : [[...base, k]]))
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [base]
    return expected.flatMap((v, i) => (i < actual.length ? mismatches(actual[i], v, [...base, i]) : [[...base, i]]))
  }
  return deepEqual(actual, expected) ? [] : [base]
}

export function mismatchesAt(data: Json, key: string, expected: Json): Path[] {
  const { value, path } = resolve(data, key)
  return mismatches(value, expected, path)
}

type Glob = { keep: boolean; parts: string[] }

/** Removes (`-a__b`, or bare) or protects (`+a__b`) keys in place; the first matching pattern wins, `*` matches a whole level. */
export function filterGlob(data: Json, patterns: string[]): void {
  filterLevel(
    data,
    patterns.map((p) => ({ keep: p.startsWith('+'), parts: p.replace(/^[-+]+/, '').split('__') })),
  )
}

function filterLevel(data: Json, globs: Glob[]): void {
  if (isDict(data)) {
    const decided = new Set<string>()
    const children = new Map<string, Glob[]>()
    for (const g of globs) {
      const [head, ...rest] = g.parts
      const keys = head === '*' ? Object.keys(data) : Object.hasOwn(data, head) ? [head] : []
      for (const k of keys) {
        if (rest.length > 0 && head !== '*') {
          children.set(k, [...(children.get(k) ?? []), { keep: g.keep, parts: rest }])
          continue
        }
        if (decided.has(k)) continue
        decided.add(k)
        if (!g.keep) delete data[k]
      }
    }
    for (const [k, gs] of children) if (Object.hasOwn(data, k)) filterLevel(data[k], gs)
    return
  }
  if (!Array.isArray(data)) return
  const protectedIdx = new Set<number>()
  const removed = new Set<number>()
  const children = new Map<number, Glob[]>()
  for (const g of globs) {
    const [head, ...rest] = g.parts
    if (head === '*') {
      for (let i = 0; i < data.length; i++) {
        if (g.keep && !removed.has(i)) protectedIdx.add(i)
        if (!g.keep && !protectedIdx.has(i)) removed.add(i)
      }
      continue
    }
    const i = listIndex(data, head)
    if (i === null) continue
    if (rest.length > 0) children.set(i, [...(children.get(i) ?? []), { keep: g.keep, parts: rest }])
    else if (g.keep && !removed.has(i)) protectedIdx.add(i)
    else if (!g.keep && !protectedIdx.has(i)) removed.add(i)
  }
  for (const [i, gs] of children) if (!removed.has(i) || protectedIdx.has(i)) filterLevel(data[i], gs)
  const keep = data.filter((_, i) => !removed.has(i) || protectedIdx.has(i))
  data.splice(0, data.length, ...keep)
}

export function mergeDict(target: Record<string, Json>, update: Json, base: Path = []): void {
  if (!isDict(update)) throw new PathError(`Expected dict for ${joined(base)}`)
  for (const [k, v] of Object.entries(update)) {
    // keys come from the caller's update: `__proto__` or `constructor` are keys like any other
    const cur = Object.hasOwn(target, k) ? target[k] : undefined
    if (isDict(cur)) mergeDict(cur, v, [...base, k])
    else if (Array.isArray(cur)) mergeList(cur, v, [...base, k])
    else setOwn(target, k, v)
  }
}

export function mergeList(target: Json[], update: Json, base: Path = []): void {
  if (!Array.isArray(update)) throw new PathError(`Expected list for ${joined(base)}`)
  update.forEach((v, i) => {
    if (i >= target.length) target.push(v)
    else if (isDict(target[i])) mergeDict(target[i] as Record<string, Json>, v, [...base, i])
    else if (Array.isArray(target[i])) mergeList(target[i] as Json[], v, [...base, i])
    else target[i] = v
  })
}

/** Applies one flattened `update__a__b` value; `…__extend` appends a list to a list. */
export function mergeAt(data: Record<string, Json>, key: string, value: Json): void {
  const parts = key.split('__')
  const last = parts.pop()!
  const parentKey = parts.join('__')
  const { value: parent, path } = parentKey ? resolve(data, parentKey) : { value: data as Json, path: [] as Path }
  if (isDict(parent)) return mergeDict(parent, { [last]: value }, path)
  if (Array.isArray(parent)) {
    if (last === 'extend') {
      if (!Array.isArray(value)) throw new PathError(`Expected list for ${parentKey}`)
      parent.push(...value)
      return
    }
    const i = listIndex(parent, last)
    if (i === null) throw new PathError(`Unmatched key ${joined([...path, last])}`)
    const child = parent[i]
    if (isDict(child)) mergeDict(child, value, [...path, i])
    else if (Array.isArray(child)) mergeList(child, value, [...path, i])
    else parent[i] = value
    return
  }
  throw new PathError(`Expected list or dict for ${parentKey}`)
}

export function joinPath(p: Path): string {
  return joined(p)
}
