import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import { ValidationError } from '../errors.js'
import { checkInput } from './input-check.js'

/**
 * Turns the raw request data (strings from query/form, typed values from JSON) into the shape an
 * action's schema declares, as CKAN's validators do: booleans via `asbool`, integers via
 * `int_validator`. Then ajv checks it and failures become CKAN field errors.
 */
const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: true })
const cache = new WeakMap<object, ValidateFunction>()

const TRUE = new Set(['true', 'yes', 'on', 'y', 't', '1'])
const FALSE = new Set(['false', 'no', 'off', 'n', 'f', '0'])

/** CKAN's asbool; undefined for a string it does not recognise. */
export function asBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v
  if (typeof v === 'number') return v !== 0
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase()
    if (TRUE.has(s)) return true
    if (FALSE.has(s)) return false
  }
  return undefined
}

function typesOf(schema: Record<string, unknown>): string[] {
  const t = schema.type
  if (Array.isArray(t)) return t as string[]
  if (typeof t === 'string') return [t]
  return []
}

function coerceValue(value: unknown, schema: Record<string, unknown>): unknown {
  const types = typesOf(schema)
  if (types.length === 0) return value
  if (typeof value === 'string') {
    if (types.includes('string')) return value
    if (types.includes('boolean')) {
      const b = asBool(value)
      if (b !== undefined) return b
    }
    if (types.includes('integer') && /^\s*-?\d+\s*$/.test(value)) return Number(value)
    if (types.includes('number') && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value)
    if ((types.includes('array') || types.includes('object')) && /^\s*[[{]/.test(value)) {
      try {
        return JSON.parse(value)
      } catch {
        return value
      }
    }
    if (types.includes('array'))
      return value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '')
  }
  if (typeof value === 'number' && types.includes('boolean') && !types.includes('number') && !types.includes('integer')) return value !== 0
  if (Array.isArray(value) && !types.includes('array') && value.length === 1) return coerceValue(value[0], schema)
  return value
}

function messageFor(err: ErrorObject): string {
  switch (err.keyword) {
    case 'required':
      return 'Missing value'
    case 'type':
      if (err.params.type === 'integer' || err.params.type === 'number') return 'Invalid integer'
      if (err.params.type === 'boolean') return 'Not a boolean'
      if (err.params.type === 'array') return 'Not a list'
      if (err.params.type === 'object') return 'Not a dict'
      return `Must be of type ${String(err.params.type)}`
    case 'minLength':
      return (err.params.limit as number) <= 1 ? 'Missing value' : `Must be at least ${String(err.params.limit)} characters long`
    case 'minimum':
      return (err.params.limit as number) === 0 ? 'Must be a natural number' : `Must be at least ${String(err.params.limit)}`
    case 'maximum':
      return `Must be at most ${String(err.params.limit)}`
    case 'enum':
      return `Value must be one of ${(err.params.allowedValues as unknown[]).map(String).join(', ')}`
    default:
      return err.message ?? 'Invalid value'
  }
}

export function validateParams(schema: object, raw: Record<string, unknown>): Record<string, unknown> {
  let validate = cache.get(schema)
  if (!validate) {
    validate = ajv.compile(schema)
    cache.set(schema, validate)
  }
  // every call passes here (HTTP, downloads, DCAT, harvests, internal calls): the one input check
  checkInput(raw)
  const props = (schema as { properties?: Record<string, Record<string, unknown>> }).properties ?? {}
  const data: Record<string, unknown> = { ...raw }
  for (const [key, prop] of Object.entries(props)) {
    if (!Object.hasOwn(data, key) || data[key] === undefined) continue
    const before = data[key]
    data[key] = coerceValue(before, prop)
    // a string that was JSON is new input: the same limits apply to what it decoded to
    if (typeof before === 'string' && data[key] !== null && typeof data[key] === 'object') checkInput({ [key]: data[key] })
  }
  // integers past 2^53 lose precision in JS and overflow SQL parameters: refuse them here
  for (const [key, prop] of Object.entries(props)) {
    if (typesOf(prop).includes('integer') && typeof data[key] === 'number' && !Number.isSafeInteger(data[key])) {
      throw new ValidationError({ [key]: ['Invalid integer'] })
    }
  }
  if (validate(data)) return data
  const fields: Record<string, string[]> = {}
  for (const err of validate.errors ?? []) {
    const field = err.keyword === 'required' ? String(err.params.missingProperty) : err.instancePath.replace(/^\//, '').replace(/\//g, '__') || 'message'
    const messages = (fields[field] ??= [])
    if (!messages.includes(messageFor(err))) messages.push(messageFor(err))
  }
  throw new ValidationError(fields)
}
