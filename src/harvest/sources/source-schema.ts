import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema.js'
import type { FieldErrors } from '../../errors.js'
import { ConfigProblem, validateHarvestConfig } from './config.js'
import { refusedHost, type OutboundPolicy } from '../../net/outbound.js'
import { HARVESTER_INFO, harvesterFor } from '../harvesters/index.js'

/**
 * The harvest keys of a source (ckanext-harvest's harvest_source_schema: url, source_type,
 * frequency, config), with CKAN's messages. The dataset keys are left to package validation.
 */

export const FREQUENCIES = ['MANUAL', 'MONTHLY', 'WEEKLY', 'BIWEEKLY', 'DAILY', 'ALWAYS'] as const

export interface SourceFields {
  url: string
  type: string
  frequency: string
  /** as stored: the text given, or the harvester's rewrite of it */
  config: string | null
}

/**
 * ckanext-harvest's _normalize_url: scheme, host (without a default port) and path without its
 * trailing slash; query and fragment dropped, so simple variations count as the same URL.
 */
export function normaliseUrl(url: string): string {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)([^?#]*)/.exec(url)
  if (!m) return url.replace(/[?#].*$/, '').replace(/\/+$/, '')
  const scheme = m[1].toLowerCase()
  let netloc = m[2]
  const [host, port] = netloc.split(':')
  if (port !== undefined && ((scheme === 'http' && port === '80') || (scheme === 'https' && port === '443'))) netloc = host
  return `${scheme}://${netloc}${m[3].replace(/\/+$/, '')}`
}

/** ckanext-harvest's _calculate_next_run; null for MANUAL (never scheduled). */
export function nextRun(frequency: string, now: Date = new Date()): Date | null {
  const day = 86_400_000
  switch (frequency) {
    case 'ALWAYS':
      return now
    case 'DAILY':
      return new Date(now.getTime() + day)
    case 'WEEKLY':
      return new Date(now.getTime() + 7 * day)
    case 'BIWEEKLY':
      return new Date(now.getTime() + 14 * day)
    case 'MONTHLY': {
      const month = now.getUTCMonth() + 1
      // CKAN's own calendar: leap years by `year % 4` only
      const days = [4, 6, 9, 11].includes(month) ? 30 : month === 2 ? (now.getUTCFullYear() % 4 === 0 ? 29 : 28) : 31
      return new Date(now.getTime() + days * day)
    }
    default:
      return null
  }
}

/** A Date as a naive-UTC timestamp(6) value. */
export function pgTime(d: Date): string {
  return d.toISOString().replace('Z', '')
}

function text(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined
  return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v)
}

/** Python's repr of a list of strings, as CKAN's `%r` prints the registered types. */
function pyList(items: readonly string[]): string {
  return `[${items.map((s) => `'${s}'`).join(', ')}]`
}

/**
 * Checks the harvest keys of `data` (already merged with the stored values for a patch); a URL
 * whose host is plainly not public (an address literal, localhost) is refused here already.
 * `sourceId` is the source being updated, left out of the URL uniqueness check. A config given as
 * a JSON object is accepted and stored as its text.
 */
export async function checkSourceFields(db: Kysely<Database>, data: Record<string, unknown>, sourceId: string | null, policy: OutboundPolicy): Promise<{ errors: FieldErrors; fields: SourceFields }> {
  const errors: Record<string, string[]> = {}
  const url = text(data.url)?.trim() ?? ''
  const type = text(data.source_type) ?? ''
  const rawFrequency = text(data.frequency)
  const rawConfig = text(data.config)
  const config = rawConfig === undefined || rawConfig === '' ? null : rawConfig

  const refused = url === '' ? null : refusedHost(policy, url)
  if (url === '') errors.url = ['Missing value']
  else if (refused) errors.url = [`${refused} is not a public address (FETCH_ALLOW_PRIVATE lists the hosts that may be reached)`]
  else {
    const wanted = normaliseUrl(url)
    let q = db.selectFrom('harvest_source').select(['id', 'url', 'config'])
    if (sourceId) q = q.where('id', '!=', sourceId)
    // every source counts, deleted ones too (CKAN's check has no state filter)
    for (const s of await q.execute()) {
      if (normaliseUrl(s.url) === wanted && (s.config || null) === config) {
        errors.url = [`There already is a Harvest Source for this URL (& config): url=${wanted} config=${config ?? 'None'}`]
        break
      }
    }
  }

  if (type === '') errors.source_type = ['Missing value']
  else if (!harvesterFor(type)) errors.source_type = [`Unknown harvester type: ${type}. Registered types: ${pyList(HARVESTER_INFO.map((h) => h.name))}`]

  let frequency = 'MANUAL'
  if (rawFrequency !== undefined && rawFrequency !== '') {
    if ((FREQUENCIES as readonly string[]).includes(rawFrequency.toUpperCase())) frequency = rawFrequency.toUpperCase()
    else errors.frequency = [`Frequency ${rawFrequency} not recognised`]
  }

  let stored = config
  if (config !== null && !errors.source_type) {
    try {
      stored = await validateHarvestConfig(db, type, config)
    } catch (e) {
      if (!(e instanceof ConfigProblem)) throw e
      errors.config = [`Error parsing the configuration options: ${e.message}`]
    }
  }
  return { errors, fields: { url, type, frequency, config: stored } }
}
