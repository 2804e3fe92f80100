import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema.js'
import { findActiveGroupId } from '../../auth/authz.js'
import { profilesProblem } from '../../dcat/read/profile-config.js'

/**
 * Harvest source configs (harvesters/index.ts lists the types). Checks throw ConfigProblem with
 * ckanext-harvest's own message; the source actions wrap it as
 * `Error parsing the configuration options: <message>` on `config`.
 */

export class ConfigProblem extends Error {}

/** Parses a source's config text (empty = {}); invalid JSON is a ConfigProblem with JSON.parse's message. */
export function parseConfig(text: string | null | undefined): Record<string, unknown> {
  if (!text || !text.trim()) return {}
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    throw new ConfigProblem((e as Error).message)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigProblem('the configuration must be a JSON object')
  return value as Record<string, unknown>
}

/**
 * Checks `text` for a source of `type`; returns the text to store (ckan: `default_groups` are
 * resolved to group ids, so a renamed group keeps working).
 */
export async function validateHarvestConfig(db: Kysely<Database>, type: string, text: string | null | undefined): Promise<string | null> {
  if (!text || !text.trim()) return text ?? null
  const config = parseConfig(text)
  const bool = (key: string) => {
    if (key in config && typeof config[key] !== 'boolean') throw new ConfigProblem(`${key} must be boolean`)
  }
  bool('force_all')
  bool('read_only')
  bool('clean_tags')
  bool('delete_missing')
  if ('request_timeout' in config && !(typeof config.request_timeout === 'number' && config.request_timeout > 0)) throw new ConfigProblem('request_timeout must be a positive number of seconds')
  if ('api_key' in config && typeof config.api_key !== 'string') throw new ConfigProblem('api_key must be a string')
  if ('user_agent' in config && typeof config.user_agent !== 'string') throw new ConfigProblem('user_agent must be a string')
  if (type === 'dcat_rdf' && 'rdf_format' in config && typeof config.rdf_format !== 'string') throw new ConfigProblem('rdf_format must be a string')
  // dcat_json: themeTaxonomy → groups, publisher → organization (harvesters/dcat/data-json-groups.ts)
  for (const key of type === 'ckan' || type === 'dcat_json' ? ['remote_groups', 'remote_orgs'] : []) {
    if (key in config && !['only_local', 'create'].includes(config[key] as string)) throw new ConfigProblem(`${key} must be "only_local" or "create"`)
  }
  if (type === 'dcat_rdf' && 'profiles' in config && profilesProblem(config.profiles)) throw new ConfigProblem(profilesProblem(config.profiles)!)
  if (type !== 'ckan') return text

  if ('api_version' in config && !Number.isInteger(Number(config.api_version))) throw new ConfigProblem('api_version must be an integer')
  if ('default_tags' in config) {
    const tags = config.default_tags
    if (!Array.isArray(tags)) throw new ConfigProblem('default_tags must be a list')
    if (tags.some((t) => typeof t !== 'object' || t === null || Array.isArray(t))) throw new ConfigProblem('default_tags must be a list of dictionaries')
  }
  if ('default_extras' in config && (typeof config.default_extras !== 'object' || config.default_extras === null || Array.isArray(config.default_extras))) {
    throw new ConfigProblem('default_extras must be a dictionary')
  }
  for (const kind of ['organizations', 'groups']) {
    if (`${kind}_filter_include` in config && `${kind}_filter_exclude` in config) {
      throw new ConfigProblem(`Harvest configuration cannot contain both ${kind}_filter_include and ${kind}_filter_exclude`)
    }
  }
  if ('user' in config) {
    const user = await db.selectFrom('user').select('id').where('name', '=', String(config.user)).where('state', '=', 'active').executeTakeFirst()
    if (!user) throw new ConfigProblem('User not found')
  }
  if ('default_groups' in config) {
    const groups = config.default_groups
    if (!Array.isArray(groups)) throw new ConfigProblem('default_groups must be a *list* of group names/ids')
    if (groups.some((g) => typeof g !== 'string')) throw new ConfigProblem('default_groups must be a list of group names/ids (i.e. strings)')
    const ids: string[] = []
    for (const ref of groups as string[]) {
      const id = await findActiveGroupId(db, ref, false)
      if (!id) throw new ConfigProblem('Default group not found')
      ids.push(id)
    }
    config.default_group_ids = ids
    return JSON.stringify(config)
  }
  return text
}
