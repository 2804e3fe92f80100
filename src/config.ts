import path from 'node:path'
import { Ajv } from 'ajv'
import { parseAllowList } from './net/outbound.js'

/** Typed configuration, read once from the environment (never at import time). */
export interface Config {
  port: number
  host: string
  siteUrl: string
  dataDir: string
  databaseUrl: string | null
  storage: 'fs' | 's3'
  search: 'postgres' | 'meilisearch'
  maxResourceSizeMb: number
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  /** GET /metrics (Prometheus): off unless METRICS=on or METRICS_TOKEN is set; with a token, scrapes must send it as a bearer token. */
  metrics: { enabled: boolean; token: string | null }
  bodyLimitMb: number
  siteTitle: string
  siteDescription: string
  /** The portal's pages: default language (`?lang=` and Accept-Language choose among the supported ones). */
  siteLocale: 'es' | 'en'
  /** The portal's look without forking: logo URL, intro text on the home page, main colour, a folder overriding templates/, static/ and locales/. */
  theme: { logo: string | null; intro: string | null; color: string; dir: string | null }
  /** URLs per sitemap file before /sitemap.xml becomes an index of /sitemap-{n}.xml files (the protocol's maximum, 50,000, unless lowered). */
  sitemapUrlsPerFile: number
  /** ckan.auth.create_unowned_dataset */
  createUnownedDataset: boolean
  /** ckan.auth.allow_dataset_collaborators */
  allowDatasetCollaborators: boolean
  /** ckan.auth.allow_admin_collaborators */
  allowAdminCollaborators: boolean
  /** Budget of the in-process read cache (package_show, package_list); 0 disables it. */
  cacheMb: number
  /** Reverse-proxy hops whose X-Forwarded-For is trusted for the client IP (rate limits); 0 = none. */
  trustProxy: number
  /** ckan.auth.create_user_via_api: anyone may call user_create (default: sysadmins only). */
  createUserViaApi: boolean
  /** Requests per minute and client IP carrying a token that resolves to no user; 0 disables the limit. */
  authRateLimitPerMinute: number
  /** Writes (POSTs of actions that are not side-effect free) per minute and API token; 0 disables the limit. */
  writeRateLimitPerMinute: number
  /**
   * Non-public hosts server-side fetches (harvesting) may reach anyway: host names, addresses, CIDR
   * ranges, or `*` for all. Empty: only public addresses.
   */
  fetchAllowPrivate: string[]
  /** STORAGE=s3: endpoint URL (http(s)://host:port), credentials, bucket (created at start if missing), region. */
  s3: { endpoint: string | null; accessKey: string; secretKey: string; bucket: string; region: string }
  /** STORAGE=s3: stream downloads through Abierto instead of redirecting to a presigned URL. */
  s3ProxyDownloads: boolean
  /** SEARCH=meilisearch: server URL, API key and index name. */
  meilisearch: { url: string | null; apiKey: string; index: string }
  /** ckan.activity_streams_enabled: record activities on writes (reading keeps working either way). */
  activityStreamsEnabled: boolean
  /** ckan.hide_activity_from_users: user names whose activities lists leave out unless a sysadmin asks (default: the site users). */
  hideActivityFromUsers: string[]
  /** ckan.activity_list_limit and ckan.activity_list_limit_max */
  activityListLimit: { default: number; max: number }
  /** The DataStore (ckanext-datastore + xloader, in-process). */
  datastore: {
    /** ckan.datastore.search.rows_default / rows_max */
    rowsDefault: number
    rowsMax: number
    /** datastore_search_sql is registered (CKAN: ckan.datastore.sqlsearch.enabled, default false there) */
    sqlEnabled: boolean
    /** statement_timeout of datastore_search and datastore_search_sql, ms */
    queryTimeoutMs: number
    /** load tabular files into the DataStore when a resource is created or its file/URL changes (xloader's auto submit) */
    autoLoad: boolean
    /** formats (lower case) loaded automatically: ckanext.xloader.formats */
    loadFormats: string[]
    /** largest file the loader fetches and loads, MB (ckanext.xloader.max_content_length) */
    loadMaxMb: number
    /** a linked file's download, all told, seconds */
    loadTimeoutS: number
  }
  /** ckan.views.default_views: view types created for new resources that can show them */
  defaultViews: string[]
}

const envSchema = {
  type: 'object',
  properties: {
    PORT: { type: 'integer', minimum: 0, maximum: 65535 },
    HOST: { type: 'string', minLength: 1 },
    SITE_URL: { type: 'string', pattern: '^https?://[^\\s]+$' },
    DATA_DIR: { type: 'string', minLength: 1 },
    DATABASE_URL: { type: 'string', pattern: '^postgres(ql)?://' },
    STORAGE: { enum: ['fs', 's3'] },
    SEARCH: { enum: ['postgres', 'meilisearch'] },
    MAX_RESOURCE_SIZE_MB: { type: 'integer', minimum: 1 },
    LOG_LEVEL: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
    METRICS: { enum: ['on', 'off'] },
    METRICS_TOKEN: { type: 'string', minLength: 16 },
    BODY_LIMIT_MB: { type: 'integer', minimum: 1, maximum: 1024 },
    SITE_TITLE: { type: 'string' },
    SITE_DESCRIPTION: { type: 'string' },
    SITE_LOCALE: { enum: ['es', 'en'] },
    SITE_LOGO: { type: 'string', pattern: '^(https?://|/)[^\\s]*$' },
    SITE_INTRO: { type: 'string' },
    SITEMAP_URLS_PER_FILE: { type: 'integer', minimum: 1, maximum: 50000 },
    THEME_COLOR: { type: 'string', pattern: '^#[0-9A-Fa-f]{6}$' },
    THEME_DIR: { type: 'string', minLength: 1 },
    CREATE_UNOWNED_DATASET: { enum: ['true', 'false'] },
    ALLOW_DATASET_COLLABORATORS: { enum: ['true', 'false'] },
    ALLOW_ADMIN_COLLABORATORS: { enum: ['true', 'false'] },
    CACHE_MB: { type: 'integer', minimum: 0, maximum: 65536 },
    TRUST_PROXY: { type: 'integer', minimum: 0, maximum: 10 },
    CREATE_USER_VIA_API: { enum: ['true', 'false'] },
    AUTH_RATE_LIMIT_PER_MINUTE: { type: 'integer', minimum: 0 },
    WRITE_RATE_LIMIT_PER_MINUTE: { type: 'integer', minimum: 0 },
    FETCH_ALLOW_PRIVATE: { type: 'string' },
    S3_ENDPOINT: { type: 'string', pattern: '^https?://[^\\s]+$' },
    S3_ACCESS_KEY: { type: 'string' },
    S3_SECRET_KEY: { type: 'string' },
    S3_BUCKET: { type: 'string', pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$' },
    S3_REGION: { type: 'string', minLength: 1 },
    S3_PROXY_DOWNLOADS: { enum: ['true', 'false'] },
    MEILISEARCH_URL: { type: 'string', pattern: '^https?://[^\\s]+$' },
    MEILISEARCH_API_KEY: { type: 'string' },
    MEILISEARCH_INDEX: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,400}$' },
    ACTIVITY_STREAMS_ENABLED: { enum: ['true', 'false'] },
    HIDE_ACTIVITY_FROM_USERS: { type: 'string' },
    ACTIVITY_LIST_LIMIT: { type: 'integer', minimum: 1, maximum: 1000 },
    ACTIVITY_LIST_LIMIT_MAX: { type: 'integer', minimum: 1, maximum: 10000 },
    DATASTORE_ROWS_DEFAULT: { type: 'integer', minimum: 1, maximum: 1000000 },
    DATASTORE_ROWS_MAX: { type: 'integer', minimum: 1, maximum: 1000000 },
    DATASTORE_SQL_SEARCH: { enum: ['true', 'false'] },
    DATASTORE_QUERY_TIMEOUT_MS: { type: 'integer', minimum: 100, maximum: 3600000 },
    DATASTORE_AUTO_LOAD: { enum: ['true', 'false'] },
    DATASTORE_LOAD_FORMATS: { type: 'string' },
    DATASTORE_LOAD_MAX_MB: { type: 'integer', minimum: 1 },
    DATASTORE_LOAD_TIMEOUT_S: { type: 'integer', minimum: 1 },
    DEFAULT_VIEWS: { type: 'string' },
  },
} as const

export class ConfigError extends Error {}

/** The users the site itself writes as: the command line (site-actions.ts) and harvests and loads (auth/users.ts harvestUser). */
export const SITE_USER_NAMES = ['abierto-cli', 'harvest'] as const

/** The command line's site user is never stored; a fixed id lets its activities be told apart (and hidden). */
export const SITE_USER_ID = '00000000-0000-4000-8000-00000000c11e'

const ajv = new Ajv({ allErrors: false, coerceTypes: true })
const validateEnv = ajv.compile(envSchema)

/**
 * Builds the Config from an environment map. Throws ConfigError with a one-line message naming
 * the offending variable, so `abierto serve` can exit with it.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, unknown> = {}
  for (const key of Object.keys(envSchema.properties)) {
    const v = env[key]
    if (v !== undefined && v !== '') raw[key] = v
  }
  if (!validateEnv(raw)) {
    const err = validateEnv.errors?.[0]
    const name = err?.instancePath.replace(/^\//, '') || String(err?.params && (err.params as { missingProperty?: string }).missingProperty)
    // a connection URL may carry a password, and a token is a secret: never echo them
    const shown = name === 'DATABASE_URL' || name === 'METRICS_TOKEN' ? '<redacted>' : JSON.stringify(env[name] ?? '')
    throw new ConfigError(`invalid configuration: ${name}=${shown} ${err?.message ?? 'is invalid'}`)
  }
  let fetchAllowPrivate: string[]
  try {
    fetchAllowPrivate = parseAllowList((raw.FETCH_ALLOW_PRIVATE as string | undefined) ?? '')
  } catch (err) {
    throw new ConfigError(`invalid configuration: FETCH_ALLOW_PRIVATE ${(err as Error).message}`)
  }
  const port = (raw.PORT as number | undefined) ?? 5000
  const dataDir = path.resolve((raw.DATA_DIR as string | undefined) ?? './data')
  const siteUrl = ((raw.SITE_URL as string | undefined) ?? `http://localhost:${port}`).replace(/\/+$/, '')
  return {
    port,
    host: (raw.HOST as string | undefined) ?? '127.0.0.1',
    siteUrl,
    dataDir,
    databaseUrl: (raw.DATABASE_URL as string | undefined) ?? null,
    storage: (raw.STORAGE as Config['storage'] | undefined) ?? 'fs',
    search: (raw.SEARCH as Config['search'] | undefined) ?? 'postgres',
    maxResourceSizeMb: (raw.MAX_RESOURCE_SIZE_MB as number | undefined) ?? 1024,
    logLevel: (raw.LOG_LEVEL as Config['logLevel'] | undefined) ?? 'info',
    metrics: { enabled: raw.METRICS === 'on' || (raw.METRICS === undefined && raw.METRICS_TOKEN !== undefined), token: (raw.METRICS_TOKEN as string | undefined) ?? null },
    bodyLimitMb: (raw.BODY_LIMIT_MB as number | undefined) ?? 32,
    siteTitle: (raw.SITE_TITLE as string | undefined) ?? 'Abierto',
    siteDescription: (raw.SITE_DESCRIPTION as string | undefined) ?? '',
    siteLocale: (raw.SITE_LOCALE as Config['siteLocale'] | undefined) ?? 'es',
    theme: {
      logo: (raw.SITE_LOGO as string | undefined) ?? null,
      intro: (raw.SITE_INTRO as string | undefined) ?? null,
      // dark enough for white text at WCAG AA (4.5:1)
      color: (raw.THEME_COLOR as string | undefined) ?? '#1f5f8b',
      dir: raw.THEME_DIR === undefined ? null : path.resolve(raw.THEME_DIR as string),
    },
    sitemapUrlsPerFile: (raw.SITEMAP_URLS_PER_FILE as number | undefined) ?? 50000,
    createUnownedDataset: raw.CREATE_UNOWNED_DATASET === 'true',
    allowDatasetCollaborators: raw.ALLOW_DATASET_COLLABORATORS === 'true',
    allowAdminCollaborators: raw.ALLOW_ADMIN_COLLABORATORS === 'true',
    cacheMb: (raw.CACHE_MB as number | undefined) ?? 64,
    trustProxy: (raw.TRUST_PROXY as number | undefined) ?? 0,
    createUserViaApi: raw.CREATE_USER_VIA_API === 'true',
    authRateLimitPerMinute: (raw.AUTH_RATE_LIMIT_PER_MINUTE as number | undefined) ?? 30,
    writeRateLimitPerMinute: (raw.WRITE_RATE_LIMIT_PER_MINUTE as number | undefined) ?? 3000,
    fetchAllowPrivate,
    s3: {
      endpoint: (raw.S3_ENDPOINT as string | undefined) ?? null,
      accessKey: (raw.S3_ACCESS_KEY as string | undefined) ?? '',
      secretKey: (raw.S3_SECRET_KEY as string | undefined) ?? '',
      bucket: (raw.S3_BUCKET as string | undefined) ?? 'abierto',
      region: (raw.S3_REGION as string | undefined) ?? 'us-east-1',
    },
    s3ProxyDownloads: raw.S3_PROXY_DOWNLOADS === 'true',
    meilisearch: {
      url: (raw.MEILISEARCH_URL as string | undefined) ?? null,
      apiKey: (raw.MEILISEARCH_API_KEY as string | undefined) ?? '',
      index: (raw.MEILISEARCH_INDEX as string | undefined) ?? 'datasets',
    },
    activityStreamsEnabled: raw.ACTIVITY_STREAMS_ENABLED !== 'false',
    hideActivityFromUsers: raw.HIDE_ACTIVITY_FROM_USERS === undefined ? [...SITE_USER_NAMES] : words(String(raw.HIDE_ACTIVITY_FROM_USERS)),
    activityListLimit: { default: (raw.ACTIVITY_LIST_LIMIT as number | undefined) ?? 31, max: (raw.ACTIVITY_LIST_LIMIT_MAX as number | undefined) ?? 100 },
    datastore: {
      rowsDefault: (raw.DATASTORE_ROWS_DEFAULT as number | undefined) ?? 100,
      rowsMax: (raw.DATASTORE_ROWS_MAX as number | undefined) ?? 32000,
      sqlEnabled: raw.DATASTORE_SQL_SEARCH !== 'false',
      queryTimeoutMs: (raw.DATASTORE_QUERY_TIMEOUT_MS as number | undefined) ?? 10_000,
      autoLoad: raw.DATASTORE_AUTO_LOAD !== 'false',
      loadFormats: words((raw.DATASTORE_LOAD_FORMATS as string | undefined) ?? 'csv tsv xlsx xls ods').map((f) => f.toLowerCase()),
      loadMaxMb: (raw.DATASTORE_LOAD_MAX_MB as number | undefined) ?? (raw.MAX_RESOURCE_SIZE_MB as number | undefined) ?? 1024,
      loadTimeoutS: (raw.DATASTORE_LOAD_TIMEOUT_S as number | undefined) ?? 600,
    },
    defaultViews: words((raw.DEFAULT_VIEWS as string | undefined) ?? 'image_view datatables_view'),
  }
}

/** A list setting: words separated by spaces or commas. */
function words(value: string): string[] {
  return value.split(/[\s,]+/).filter(Boolean)
}
