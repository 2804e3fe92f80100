import type { FastifyRequest } from 'fastify'
import { BadRequest, RequestRefused } from '../errors.js'
import { nestedDeeperThan, MAX_NESTING } from '../actions/input-check.js'
import { setOwn } from '../lookup.js'

const JSON_ERROR = 'Bad request - JSON Error: '

/** Adds a form or query value: repeated keys become lists (CKAN's `mixed()`). */
export function addPair(out: Record<string, unknown>, key: string, value: string): void {
  const prev = Object.hasOwn(out, key) ? out[key] : undefined
  if (prev === undefined) setOwn(out, key, value)
  else if (Array.isArray(prev)) prev.push(value)
  else setOwn(out, key, [prev, value])
}

function pairsToDict(params: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of params) addPair(out, k, v)
  return out
}

function pythonRepr(v: unknown): string {
  if (v === null) return 'None'
  if (typeof v === 'string') return `'${v}'`
  if (typeof v === 'boolean') return v ? 'True' : 'False'
  return JSON.stringify(v)
}

function parseJsonBody(text: string): unknown {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (e) {
    throw new BadRequest(`${JSON_ERROR}Error decoding JSON data. Error: ${e instanceof Error ? e.message : String(e)} JSON data extracted from the request: {}`)
  }
  // JSON.parse copes with any depth, the code after it does not. CKAN (Python's json) fails
  // with a RecursionError, a 500; there is no CKAN answer to keep, so: a 400 in the envelope,
  // which clients such as ckanapi can read, unlike the bare JSON Error strings.
  if (nestedDeeperThan(data, MAX_NESTING)) {
    throw new RequestRefused(400, `Bad request - JSON Error: the request data is nested more than ${MAX_NESTING} levels deep`)
  }
  return data
}

/**
 * CKAN's `_get_request_data` (ckan/views/api.py), in its order: a non-empty form; else the query
 * string for side-effect-free actions; else the raw body as JSON (whatever its content type,
 * an improvement over CKAN's 415); else `{}`. The result must be a dict.
 */
export function requestData(req: FastifyRequest, sideEffectFree: boolean): Record<string, unknown> {
  const rawBody = typeof req.body === 'string' ? req.body : ''
  const contentType = String(req.headers['content-type'] ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase()
  const queryIndex = req.url.indexOf('?')
  const query = queryIndex >= 0 ? new URLSearchParams(req.url.slice(queryIndex + 1)) : null

  let data: unknown
  if (req.method === 'POST' && contentType === 'application/x-www-form-urlencoded' && rawBody.trim() !== '') {
    const form = new URLSearchParams(rawBody)
    const keys = [...new Set(form.keys())]
    // curl -d '{"id":"x"}' sends JSON as the single key of a urlencoded form
    if (keys.length === 1 && ['', '1'].includes(form.get(keys[0]) ?? '') && keys[0].trimStart().startsWith('{')) {
      data = parseJsonBody(keys[0])
    } else {
      data = pairsToDict(form)
    }
  } else if (query && [...query.keys()].length > 0 && sideEffectFree) {
    data = pairsToDict(query)
  } else if (rawBody.trim() !== '') {
    data = parseJsonBody(rawBody)
  } else {
    data = {}
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new BadRequest(`${JSON_ERROR}Request data JSON decoded to ${pythonRepr(data)} but it needs to be a dictionary.`)
  }
  return data as Record<string, unknown>
}
