/**
 * Hostile requests generated from each action's JSON Schema (fast-check), and the checks every
 * answer must pass. Shared by test/api/fuzz.test.ts (a bounded, seeded run) and scripts/fuzz.ts
 * (a long run).
 */
import fc from 'fast-check'
import type { FastifyInstance } from 'fastify'
import type { AnyAction } from '../../src/actions/define.js'
import { multipartBody } from '../storage/multipart.js'

export const PROTO_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', '__defineGetter__']

type Schema = { type?: string | string[]; items?: Schema; properties?: Record<string, Schema> }

/** A deeply nested JSON value, kept as text: JSON.stringify itself would overflow the stack on it. */
class Deep {
  constructor(readonly text: string) {}
  toString(): string {
    return `<nested ${this.text.length} chars>`
  }
}

function deep(levels: number, leaf: unknown, asObject: boolean): Deep {
  return new Deep(asObject ? '{"a":'.repeat(levels) + JSON.stringify(leaf) + '}'.repeat(levels) : '['.repeat(levels) + JSON.stringify(leaf) + ']'.repeat(levels))
}

/** JSON text of a generated value (Deep values spliced in as they are). */
export function toJson(v: unknown): string {
  if (v instanceof Deep) return v.text
  if (Array.isArray(v)) return `[${v.map(toJson).join(',')}]`
  if (v !== null && typeof v === 'object')
    return `{${Object.entries(v)
      .map(([k, x]) => `${JSON.stringify(k)}:${toJson(x)}`)
      .join(',')}}`
  return JSON.stringify(v) ?? 'null'
}

const DEEP_VALUES = [deep(60, 'x', true), deep(150, 1, false), deep(150, 'x', true), deep(10_000, null, false), deep(10_000, 'x', true)]
const HUGE_STRING = 'x'.repeat(200_000)

/** Strings that broke or could break something: NUL, lone surrogates, prototype names, query syntax. */
const hostileString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('\u0000', 'a\u0000b', '%00', '\udfff', 'x\ud800y', '\ud83d', '😀\udc00') },
  { weight: 3, arbitrary: fc.constantFrom(...PROTO_NAMES) },
  { weight: 3, arbitrary: fc.constantFrom(...PROTO_NAMES.flatMap((n) => [`${n}:x`, `${n}:*`, `${n}:[* TO *]`, `-${n}:1`, `${n} asc`, `${n} desc`, `extras_${n}:x`, `vocab_${n}:x`, `res_extras_${n}:x`])) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      '*:*',
      '*',
      '"',
      '\\',
      '(',
      ')',
      '[',
      '{',
      '{"a":',
      '[1,',
      'null',
      'true',
      '-1',
      '1e309',
      '0x10',
      'NaN',
      '%zz',
      '%E9',
      'energía',
      'ñandú',
      '<script>',
      "'",
      '--',
      ';',
      'a,b,,c',
      'http://127.0.0.1/',
      'file:///etc/passwd',
      '../../etc/passwd',
      'id:*',
      'name:[a TO b]',
      'metadata_modified:[NOW-1DAY TO NOW]',
      'q=1&fq=2',
    ),
  },
  { weight: 1, arbitrary: fc.constant(HUGE_STRING) },
  { weight: 3, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 10 }) },
)

const hostileNumber = fc.oneof(
  fc.constantFrom(0, -1, 1, -0, 0.5, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 64, 1e308, -1e308, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 1e-300),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
)

/** Any JSON value, hostile ones preferred; `known` are names of objects that exist (deeper code paths). */
function hostileValue(known: string[]): fc.Arbitrary<unknown> {
  const leaf = fc.oneof({ weight: 4, arbitrary: hostileString }, { weight: 3, arbitrary: fc.constantFrom(...known) }, { weight: 2, arbitrary: hostileNumber }, { weight: 1, arbitrary: fc.constantFrom(true, false, null) })
  const { value } = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      { weight: 6, arbitrary: leaf },
      { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 3 }) },
      { weight: 1, arbitrary: hostileObject(tie('value')) },
      { weight: 1, arbitrary: fc.constantFrom(...DEEP_VALUES) },
    ),
  }))
  return value
}

/** An object whose keys may be prototype names: built as JSON.parse builds it (own properties). */
function hostileObject(values: fc.Arbitrary<unknown>): fc.Arbitrary<Record<string, unknown>> {
  const key = fc.oneof(fc.constantFrom(...PROTO_NAMES, 'id', 'name', 'key', 'value', 'url', 'a\u0000', '\udfff'), fc.string({ maxLength: 8 }))
  return fc.array(fc.tuple(key, values), { maxLength: 4 }).map(ownObject)
}

function ownObject(entries: Array<[string, unknown]>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of entries) Object.defineProperty(out, k, { value: v, writable: true, enumerable: true, configurable: true })
  return out
}

function typesOf(schema: Schema): string[] {
  return Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : []
}

/** A value of (roughly) the type the schema asks for, from hostile material. */
function typedValue(schema: Schema, known: string[], any: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  const options: fc.Arbitrary<unknown>[] = []
  for (const t of typesOf(schema)) {
    if (t === 'string') options.push(fc.oneof(hostileString, fc.constantFrom(...known)))
    if (t === 'integer' || t === 'number') options.push(hostileNumber, fc.constantFrom('10', '-5', '99999999999999999999', '1.5', ' 3 '))
    if (t === 'boolean') options.push(fc.constantFrom(true, false, 'true', 'no', 'maybe', 1, 0))
    if (t === 'array') options.push(fc.array(schema.items ? typedValue(schema.items, known, any) : any, { maxLength: 3 }))
    if (t === 'object') options.push(hostileObject(any))
  }
  return options.length ? fc.oneof(...options) : any
}

export type Transport = 'json' | 'query' | 'form' | 'multipart'

export interface FuzzCase {
  action: string
  transport: Transport
  params: Record<string, unknown>
}

/** Params for one action: each declared property maybe present (right type or not), plus stray keys. */
export function actionCase(action: AnyAction, known: string[]): fc.Arbitrary<FuzzCase> {
  const any = hostileValue(known)
  const props = Object.entries((action.params as Schema).properties ?? {})
  const declared = props.map(([name, schema]) => fc.option(fc.oneof({ weight: 3, arbitrary: typedValue(schema, known, any) }, { weight: 2, arbitrary: any }), { nil: undefined, freq: 3 }).map((v) => [name, v] as [string, unknown]))
  const stray = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...PROTO_NAMES, 'callback', 'a\u0000', '\udfff'), fc.string({ maxLength: 6 })), any), { maxLength: 2 })
  const transports: Transport[] = action.sideEffectFree ? ['json', 'json', 'query', 'form'] : ['json', 'json', 'form', 'multipart']
  return fc.record({ declared: fc.tuple(...declared), stray, transport: fc.constantFrom(...transports) }).map(({ declared, stray, transport }) => ({
    action: action.name,
    transport,
    params: ownObject([...declared.filter(([, v]) => v !== undefined), ...stray]),
  }))
}

function formValue(v: unknown): string {
  return typeof v === 'string' ? v : toJson(v)
}

function encodePairs(params: Record<string, unknown>): string {
  const out = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) {
    // short lists as repeated keys (CKAN's mixed()), anything else as JSON text
    for (const one of Array.isArray(v) && v.length < 4 ? v : [v]) out.append(k, formValue(one))
  }
  return out.toString()
}

export interface FuzzResponse {
  statusCode: number
  body: string
  contentType?: string
}

/** Sends one case over app.inject, as `token` (null: anonymous). */
export async function send(app: FastifyInstance, c: FuzzCase, token: string | null): Promise<FuzzResponse> {
  const auth = token ? { authorization: token } : {}
  const url = `/api/3/action/${c.action}`
  if (c.transport === 'query') {
    const res = await app.inject({ method: 'GET', url: `${url}?${encodePairs(c.params)}`, headers: auth })
    return { statusCode: res.statusCode, body: res.body, contentType: String(res.headers['content-type']) }
  }
  if (c.transport === 'multipart') {
    // every value a string field, as ckanapi sends them with a file; a small file in `upload`
    const fields = Object.fromEntries(Object.entries(c.params).map(([k, v]) => [k, formValue(v)]))
    const { body, contentType } = multipartBody(fields, { filename: 'fuzz.csv', content: Buffer.from('a,b\n1,2\n') })
    const res = await app.inject({ method: 'POST', url, headers: { 'content-type': contentType, ...auth }, payload: body })
    return { statusCode: res.statusCode, body: res.body }
  }
  const form = c.transport === 'form'
  const res = await app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json', ...auth },
    payload: form ? encodePairs(c.params) : toJson(c.params),
  })
  return { statusCode: res.statusCode, body: res.body }
}

/** What must never appear in an answer: stack frames, SQL, Postgres' own messages, errno codes. */
const LEAKS: Array<[string, RegExp]> = [
  ['stack trace', /\n\s+at [^\n]*[(/]|at async |\.(?:ts|js):\d+:\d+/],
  ['SQL', /\b(?:SELECT|INSERT INTO|UPDATE|DELETE FROM)\b[\s\S]{0,200}\b(?:FROM|VALUES|SET|WHERE)\b/],
  [
    'Postgres error',
    /invalid byte sequence|syntax error at or near|violates (?:unique|foreign key|check|not-null)|duplicate key value|column "?[\w.]+"? does not exist|relation "[^"]+" does not exist|invalid input syntax for|out of range for type|DatabaseError|\bpg_[a-z_]+\b/,
  ],
  ['errno', /\bE(?:NOSPC|NOENT|ACCES|PERM|EXIST|PIPE|CONNREFUSED|CONNRESET|MFILE|ISDIR|NOTDIR|IO)\b/],
  ['JS error', /\b(?:TypeError|RangeError|ReferenceError|SyntaxError|URIError): /],
]

/** Null when the answer is acceptable; else what is wrong with it. */
export function problemWith(res: FuzzResponse): string | null {
  if (res.statusCode >= 500) return `status ${res.statusCode}`
  let body: unknown
  // JSONP (GET with callback): the envelope wrapped in the callback's call
  // (the callback is the caller's text, parentheses included: the envelope starts at the last `({"help"`)
  const jsonp = res.contentType?.startsWith('application/javascript') && res.body.endsWith(');') ? res.body.lastIndexOf('({"help"') : -1
  try {
    body = JSON.parse(jsonp >= 0 ? res.body.slice(jsonp + 1, -2) : res.body)
  } catch {
    return 'body is not JSON'
  }
  if (typeof body === 'string') {
    // CKAN's bare strings: unknown action, GET on a write action, undecodable JSON
    if (res.statusCode !== 400 || !body.startsWith('Bad request - ')) return 'bare string outside CKAN\'s "Bad request - " answers'
  } else {
    const env = body as { help?: unknown; success?: unknown; error?: { __type?: unknown } }
    if (typeof env !== 'object' || env === null || typeof env.help !== 'string' || typeof env.success !== 'boolean') return 'not in the envelope'
    if (env.success !== (res.statusCode === 200)) return `success ${String(env.success)} with status ${res.statusCode}`
    if (!env.success && typeof env.error?.__type !== 'string') return 'error without __type'
  }
  for (const [what, re] of LEAKS) if (re.test(res.body)) return `${what} in the body`
  return null
}

export interface FuzzFinding {
  action: string
  caller: string
  seed: number
  index: number
  problem: string
  status: number
  request: string
  body: string
}

/**
 * Runs `runs` cases per action (seeded: seed + a hash of the action's name) as anonymous and as
 * sysadmin; returns what failed. `onRequest` counts requests (for the long run's report).
 */
export async function fuzzActions(opts: { app: FastifyInstance; actions: AnyAction[]; known: string[]; callers: Array<[string, string | null]>; seed: number; runs: number; onRequest?: () => void }): Promise<FuzzFinding[]> {
  const findings: FuzzFinding[] = []
  for (const action of opts.actions) {
    // per action, by name: a subset of actions (FUZZ_ACTIONS) replays the very same cases
    const seed = (opts.seed + [...action.name].reduce((h, c) => (h * 31 + c.charCodeAt(0)) | 0, 0)) | 0
    const cases = fc.sample(actionCase(action, opts.known), { seed, numRuns: opts.runs })
    for (const [index, c] of cases.entries()) {
      for (const [caller, token] of opts.callers) {
        const res = await send(opts.app, c, token)
        opts.onRequest?.()
        const problem = problemWith(res)
        if (problem) {
          const request = JSON.stringify({ ...c, params: toJson(c.params) })
          findings.push({ action: action.name, caller, seed, index, problem, status: res.statusCode, request: request.length > 400 ? `${request.slice(0, 400)}…` : request, body: res.body.slice(0, 400) })
        }
      }
    }
  }
  return findings
}
