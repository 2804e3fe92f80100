import type { PrepareContext } from '../harvester.js'
import { ValidationError } from '../../../errors.js'
import { mungeTitleToName } from '../munge.js'
import type { TaxonomyTheme } from '../../../dcat/data-json/read.js'

/**
 * Where a data.json dataset's themes and publisher go, chosen by the source config as the CKAN
 * harvester's `remote_groups` / `remote_orgs`: absent, nowhere (themes stay in the `theme` extra,
 * the dataset in the source's organization); `only_local`, the local group (organization) of that
 * name or title; `create`, that one or a new one made from the catalog's themeTaxonomy entry (the
 * publisher's name).
 */
export type RemoteMode = 'only_local' | 'create' | undefined

export function remoteMode(config: Record<string, unknown>, key: 'remote_groups' | 'remote_orgs'): RemoteMode {
  const v = config[key]
  return v === 'only_local' || v === 'create' ? v : undefined
}

async function findLocal(ctx: PrepareContext, name: string, title: string, organization: boolean): Promise<string | null> {
  const base = ctx.db.selectFrom('group').select('id').where('is_organization', '=', organization).where('state', '=', 'active')
  const byName = await base.where('name', '=', name).executeTakeFirst()
  if (byName) return byName.id
  const byTitle = title ? await base.where('title', '=', title).orderBy('created').executeTakeFirst() : undefined
  return byTitle?.id ?? null
}

async function localOrNew(ctx: PrepareContext, mode: 'only_local' | 'create', ref: { name: string; title: string; description: string }, organization: boolean): Promise<string | null> {
  const found = await findLocal(ctx, ref.name, ref.title, organization)
  if (found || mode === 'only_local') return found
  try {
    const created = await ctx.callOutside<{ id: string }>(organization ? 'organization_create' : 'group_create', ref)
    return created.id
  } catch (err) {
    // another import created it a moment ago (committed: visible to the next statement)
    const raced = await findLocal(ctx, ref.name, ref.title, organization)
    if (raced) return raced
    // as the CKAN harvester: a group that can't be made is no reason to drop the dataset
    if (err instanceof ValidationError) return null
    throw err
  }
}

/**
 * The local group ids for a dataset's themes; null without remote_groups, so the dataset's groups
 * are left as they are (an editor's choice) rather than emptied.
 */
export async function themeGroups(ctx: PrepareContext, themes: TaxonomyTheme[]): Promise<{ id: string }[] | null> {
  const mode = remoteMode(ctx.source.config, 'remote_groups')
  if (!mode) return null
  const ids: string[] = []
  for (const theme of themes) {
    const id = await localOrNew(ctx, mode, { name: mungeTitleToName(theme.id), title: theme.label, description: theme.description }, false)
    if (id && !ids.includes(id)) ids.push(id)
  }
  return ids.map((id) => ({ id }))
}

/** The local organization for the dataset's publisher, or null (the source's organization). */
export async function publisherOrganization(ctx: PrepareContext, publisherName: string): Promise<string | null> {
  const mode = remoteMode(ctx.source.config, 'remote_orgs')
  if (!mode || !publisherName) return null
  return localOrNew(ctx, mode, { name: mungeTitleToName(publisherName), title: publisherName, description: '' }, true)
}
