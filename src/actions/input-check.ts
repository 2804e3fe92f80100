import { ValidationError } from '../errors.js'

/**
 * Deepest nesting of objects and arrays accepted in action params. CKAN's data dicts are a few
 * levels deep (dataset → resources → a value); recursive code (ajv, our dict walkers,
 * JSON.stringify) overflows the stack somewhere past a few thousand levels.
 */
export const MAX_NESTING = 100

export type InputProblem = { path: string; kind: 'nul' | 'surrogate' | 'depth' }

const MESSAGES: Record<InputProblem['kind'], string> = {
  nul: 'Must not contain NUL characters',
  surrogate: 'Must be valid Unicode text',
  depth: `Nested more than ${MAX_NESTING} levels deep`,
}

// with the u flag a string is read by code points: only a surrogate without its pair is \p{Cs}
const SUSPECT = /[\0\p{Cs}]/u

function stringProblem(s: string): 'nul' | 'surrogate' | null {
  const m = SUSPECT.exec(s)
  if (!m) return null
  return m[0] === '\0' ? 'nul' : 'surrogate'
}

/** Plain data (JSON values); class instances such as a StagedUpload are not looked into. */
function isPlainContainer(v: unknown): v is Record<string, unknown> | unknown[] {
  if (Array.isArray(v)) return true
  if (v === null || typeof v !== 'object') return false
  const proto = Object.getPrototypeOf(v)
  return proto === Object.prototype || proto === null
}

/**
 * The first string (value or key) that cannot be stored or used as text, or the first value
 * nested deeper than `maxDepth`; paths are CKAN's flattened keys (`resources__0__name`).
 * Iterative, so the check itself survives any depth.
 */
export function findInputProblem(value: unknown, maxDepth = MAX_NESTING, root = ''): InputProblem | null {
  return walk(value, maxDepth, root, true)
}

/** True when objects and arrays nest deeper than `maxDepth` (iterative: safe at any depth). */
export function nestedDeeperThan(value: unknown, maxDepth: number): boolean {
  return walk(value, maxDepth, '', false) !== null
}

/** Depth first over plain data; strings (values and keys) are looked at only when `strings`. */
function walk(value: unknown, maxDepth: number, root: string, strings: boolean): InputProblem | null {
  const stack: Array<{ v: unknown; path: string; depth: number }> = [{ v: value, path: root, depth: 0 }]
  const join = (path: string, k: string) => (path === '' ? k : `${path}__${k}`)
  while (stack.length > 0) {
    const { v, path, depth } = stack.pop()!
    if (typeof v === 'string') {
      const kind = strings ? stringProblem(v) : null
      if (kind) return { path: path || 'message', kind }
      continue
    }
    if (!isPlainContainer(v)) continue
    if (depth >= maxDepth) return { path: path || 'message', kind: 'depth' }
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], path: join(path, String(i)), depth: depth + 1 })
      continue
    }
    for (const k of Object.keys(v)) {
      const kind = strings ? stringProblem(k) : null
      if (kind) return { path: join(path, k), kind }
      stack.push({ v: v[k], path: join(path, k), depth: depth + 1 })
    }
  }
  return null
}

/**
 * Refuses params no action can use, before any of them reaches SQL, a URI or a recursive walker:
 * NUL characters (Postgres text cannot hold them, so CKAN on Postgres fails on them too; no
 * field of a data dict needs one, so refusing beats silently altering what the caller sent),
 * lone UTF-16 surrogates (JSON `"\udfff"`: not text, they break URI encoding and are mangled in
 * UTF-8), and absurd nesting. A 409 Validation Error naming the field, as CKAN's validators do.
 */
export function checkInput(raw: Record<string, unknown>, root = ''): void {
  const problem = findInputProblem(raw, MAX_NESTING, root)
  if (problem) throw new ValidationError({ [problem.path]: [MESSAGES[problem.kind]] })
}

/**
 * JSON text given as a param's value (facet.field, package_revise's match/update in a form):
 * new input, held to the same limits. Undefined when the text is not JSON.
 */
export function parseJsonParam(name: string, text: string): { value: unknown } | undefined {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  checkInput({ [name]: value })
  return { value }
}
