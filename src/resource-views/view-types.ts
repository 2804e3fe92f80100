import { booleanWithDefault, defaultValue, ignoreEmptyText, ignoreMissing, naturalWithDefault, type KeyRule } from './rules.js'

/**
 * The view types Abierto knows, as CKAN's IResourceView plugins describe themselves (ckanext
 * imageview, webpageview, datatablesview, and the retired reclineview): the keys each keeps in
 * its config, whether it needs the rows in the DataStore, and which resources it can show.
 */

export interface ViewType {
  name: string
  title: string
  /** the title of the views created by default (CKAN's `default_title`) */
  defaultTitle: string
  /** created by default only once the resource's rows are in the DataStore */
  requiresDatastore: boolean
  /** takes `filter_fields` / `filter_values` (CKAN's filtered view schema) */
  filterable: boolean
  /** the type's own keys, stored in the view's config */
  schema: Record<string, KeyRule>
  canView(resource: Record<string, unknown>): boolean
}

/** CKAN's ckan.preview.image_formats default. */
export const IMAGE_FORMATS = ['png', 'jpeg', 'jpg', 'gif']
const TABULAR_FORMATS = ['csv', 'xls', 'xlsx', 'ods', 'tsv']
/** CKAN's ckan.datatables.ellipsis_length and date_format defaults. */
const ELLIPSIS_LENGTH = 100
const DATE_FORMAT = 'llll'

function text(v: unknown): string {
  return typeof v === 'string' ? v : ''
}

function datastoreBacked(resource: Record<string, unknown>): boolean {
  return resource.datastore_active === true || resource.datastore_active === 'true' || text(resource.url).includes('_datastore_only_resource')
}

const TYPES: ViewType[] = [
  {
    name: 'image_view',
    title: 'Image',
    defaultTitle: 'Image',
    requiresDatastore: false,
    filterable: false,
    schema: { image_url: ignoreEmptyText },
    canView: (r) => IMAGE_FORMATS.includes(text(r.format).toLowerCase()),
  },
  {
    name: 'webpage_view',
    title: 'Website',
    defaultTitle: 'Website',
    requiresDatastore: false,
    filterable: false,
    schema: { page_url: ignoreEmptyText },
    // the URL's extension is compared as written, as CKAN does
    canView: (r) => ['html', 'htm'].includes(text(r.format).toLowerCase()) || ['html', 'htm'].includes(text(r.url).split('.').pop() ?? ''),
  },
  {
    name: 'datatables_view',
    title: 'Table',
    defaultTitle: 'Table',
    requiresDatastore: true,
    filterable: true,
    schema: {
      responsive: booleanWithDefault(false),
      ellipsis_length: naturalWithDefault(ELLIPSIS_LENGTH),
      date_format: defaultValue(DATE_FORMAT),
      show_fields: ignoreMissing,
      filterable: booleanWithDefault(true),
    },
    canView: (r) => r.datastore_active === true || r.datastore_active === 'true',
  },
  {
    name: 'recline_view',
    title: 'Data Explorer',
    defaultTitle: 'Data Explorer',
    requiresDatastore: false,
    filterable: true,
    schema: {},
    canView: (r) => datastoreBacked(r) || TABULAR_FORMATS.includes(text(r.format).toLowerCase()),
  },
]

const BY_NAME = new Map(TYPES.map((t) => [t.name, t]))

export function viewType(name: unknown): ViewType | undefined {
  return typeof name === 'string' ? BY_NAME.get(name) : undefined
}

export function viewTypeNames(): string[] {
  return TYPES.map((t) => t.name)
}

/**
 * CKAN's get_default_view_plugins: the configured default types that exist, those needing the
 * DataStore when `datastore` is true and the others when false.
 */
export function defaultViewTypes(configured: string[], datastore: boolean): ViewType[] {
  return configured.map((n) => BY_NAME.get(n)).filter((t): t is ViewType => t !== undefined && t.requiresDatastore === datastore)
}

/** The config of a view of this type made with none of its keys given: what each key's rule sets by default. */
export function defaultConfig(type: ViewType): Record<string, unknown> {
  const config: Record<string, unknown> = {}
  for (const [key, rule] of Object.entries(type.schema)) {
    const r = rule(undefined)
    if ('value' in r) config[key] = r.value
  }
  return config
}
