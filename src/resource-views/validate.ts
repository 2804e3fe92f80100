import { asText, isEmptyValue, listIfString, type RuleResult } from './rules.js'
import type { ViewType } from './view-types.js'

/**
 * resource_view_create / _update input checked as CKAN's view schemas do
 * (default_create_resource_view_schema and its update changes, plus the view type's own schema):
 * the columns of the view, its config (the type's keys, and the filters of filterable types),
 * and CKAN's field errors. Keys no schema names are refused as CKAN's `__extras`.
 */

export interface ViewInput {
  id?: string
  resource_id?: string
  title?: string
  description?: string
  /** replaces the stored config (CKAN saves every key that is not a column) */
  config: Record<string, unknown>
}

export interface ValidateOptions {
  mode: 'create' | 'update'
  sysadmin: boolean
  /** CKAN's empty_if_not_sysadmin is skipped for its own calls (ignore_auth) */
  internal?: boolean
  resourceExists: (id: string) => Promise<boolean>
  viewExists: (id: string) => Promise<boolean>
}

const UUID = /^(urn:uuid:)?\{?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\}?$/i
const BASE_KEYS = ['id', 'resource_id', 'title', 'description', 'view_type']
const FILTER_KEYS = ['filter_fields', 'filter_values']
const SAME_LENGTH = '"filter_fields" and "filter_values" should have the same length'

export async function validateViewInput(raw: Record<string, unknown>, type: ViewType, opts: ValidateOptions): Promise<{ data: ViewInput; errors: Record<string, string[]> }> {
  const errors: Record<string, string[]> = {}
  const fail = (key: string, message: string) => (errors[key] ??= []).push(message)
  const data: ViewInput = { config: {} }
  const create = opts.mode === 'create'

  if (create && raw.id !== undefined && raw.id !== null && raw.id !== '') {
    if (!opts.sysadmin && !opts.internal) fail('id', 'The input field id was not expected.')
    else if (typeof raw.id !== 'string' || !UUID.test(raw.id)) fail('id', 'Invalid id provided')
    else if (await opts.viewExists(raw.id)) fail('id', 'ResourceView id already exists')
    else data.id = raw.id
  }

  if (create || (raw.resource_id !== undefined && raw.resource_id !== null)) {
    if (create && isEmptyValue(raw.resource_id)) fail('resource_id', 'Missing value')
    else if (typeof raw.resource_id !== 'string' || !(await opts.resourceExists(raw.resource_id))) fail('resource_id', 'Not found: Resource')
    else data.resource_id = raw.resource_id
  }

  if (create && isEmptyValue(raw.title)) fail('title', 'Missing value')
  else if (raw.title !== undefined && raw.title !== null) data.title = asText(raw.title)

  if (raw.description !== undefined && raw.description !== null) data.description = asText(raw.description)

  if (create && isEmptyValue(raw.view_type)) fail('view_type', 'Missing value')

  for (const [key, rule] of Object.entries(type.schema)) {
    const r: RuleResult = rule(raw[key])
    if ('error' in r) fail(key, r.error)
    else if ('value' in r) data.config[key] = r.value
  }

  if (type.filterable) filterConfig(raw, data.config, fail)

  const known = new Set([...BASE_KEYS, ...Object.keys(type.schema), ...(type.filterable ? FILTER_KEYS : []), ...(create ? [] : ['package_id'])])
  if (Object.entries(raw).some(([k, v]) => !known.has(k) && v !== undefined)) fail('__extras', 'The input field __extras was not expected.')

  return { data, errors }
}

/** CKAN's filtered view schema: parallel lists of fields and values, kept as given and grouped into `filters`. */
function filterConfig(raw: Record<string, unknown>, config: Record<string, unknown>, fail: (key: string, message: string) => void): void {
  const given = (v: unknown) => v !== undefined && v !== null
  if (given(raw.filter_fields)) {
    const fields = listIfString(raw.filter_fields)
    const values = listIfString(raw.filter_values)
    if (fields.length !== values.length) {
      fail('filter_fields', SAME_LENGTH)
      fail('filter_values', SAME_LENGTH)
    }
    if (fields.length === 0) fail('filter_fields', '"filter_fields" is required when "filter_values" is filled')
    if (values.length === 0) fail('filter_values', '"filter_values" is required when "filter_fields" is filled')
    const filters: Record<string, unknown[]> = {}
    fields.forEach((f, i) => {
      if (i < values.length) (filters[asText(f)] ??= []).push(values[i])
    })
    config.filter_fields = fields
    config.filters = filters
  }
  if (given(raw.filter_values)) config.filter_values = listIfString(raw.filter_values)
}
