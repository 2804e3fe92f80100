import type { GatherResult, GatherSink, Harvester, PrepareContext, PreparedDataset, SourceInfo, GatheredRecord } from '../harvester.js'
import { getJson, RemoteError, timeoutMs, userAgent } from '../http.js'
import type { OutboundPolicy } from '../../../net/outbound.js'
import { isPackageName, mungeTag, mungeTitleToName } from '../munge.js'
import { isUuid } from '../../../model/validators.js'
import { ValidationError } from '../../../errors.js'
import { FeedCursorRejected, passesFilters, readFeed, showAll, type FeedRead, type Remote } from './feed.js'

/**
 * source_type `ckan`: reads a remote CKAN's package_search exactly as ckanext-harvest's CKAN
 * harvester does (sort=id asc, incremental by metadata_modified after the first error-free run),
 * and, unlike it, notices remote deletions and datasets made private: after the listing it pages
 * the remote's ids (fl=id), and whatever is current here but absent there is deleted.
 *
 * An Abierto remote also has a change feed (`changes_since`): once a run has ended without errors,
 * the next reads the feed from where that one stood and fetches only the datasets it names; what
 * it reports deleted or hidden is deleted here. Every listing run records the feed's position
 * before it starts, so a change made while it lists is read again next time, never lost.
 */

const PAGE = 100
const ID_PAGE = 1000
/**
 * Above this many changed datasets an incremental run lists the remote with package_search (100
 * per request, plus the id listing) rather than fetching each with package_show.
 */
const FEED_SHOW_MAX = 1000
/** incremental runs look back this far before the last good run, as ckanext-harvest does */
const OVERLAP_MS = 60 * 60 * 1000
/** fields of a remote dict that are the remote's own bookkeeping, not dataset content */
const REMOTE_ONLY = [
  'metadata_created',
  'metadata_modified',
  'creator_user_id',
  'revision_id',
  'num_resources',
  'num_tags',
  'organization',
  'relationships_as_object',
  'relationships_as_subject',
  'tracking_summary',
  'isopen',
  'license_title',
  'license_url',
  'state',
  'private',
]
const DERIVED_EXTRAS = new Set(['harvest_object_id', 'harvest_source_id', 'harvest_source_title'])

type Dict = Record<string, any>

function headers(source: SourceInfo): Record<string, string> {
  const h: Record<string, string> = { 'user-agent': userAgent(source.config), accept: 'application/json' }
  if (typeof source.config.api_key === 'string' && source.config.api_key) h.authorization = source.config.api_key
  return h
}

function baseUrl(source: SourceInfo): string {
  return source.url.replace(/\/+$/, '')
}

/** The remote-side filters of the config, as one fq (ckanext-harvest's organizations/groups filters). */
function filterTerms(config: Dict): string[] {
  const terms: string[] = []
  for (const [key, field] of [
    ['organizations', 'organization'],
    ['groups', 'groups'],
  ] as const) {
    const include = config[`${key}_filter_include`]
    const exclude = config[`${key}_filter_exclude`]
    if (Array.isArray(include) && include.length) terms.push(include.map((v: string) => `${field}:${v}`).join(' OR '))
    if (Array.isArray(exclude) && exclude.length) terms.push(...exclude.map((v: string) => `-${field}:${v}`))
  }
  return terms
}

function searchUrl(source: SourceInfo, params: Record<string, string | number>): string {
  const u = new URL(`${baseUrl(source)}/api/3/action/package_search`)
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, String(v))
  return u.toString()
}

function searchResults(body: unknown, url: string): Dict[] {
  const b = body as Dict
  if (!b || typeof b !== 'object' || b.success !== true || !b.result || !Array.isArray(b.result.results)) {
    // the error's type only (CKAN's fixed names): its message is remote text, and job reports are read by editors
    const type = b && typeof b === 'object' && b.error && typeof b.error.__type === 'string' && /^[A-Za-z ]{1,40}$/.test(b.error.__type) ? b.error.__type : null
    const message = type ? `the remote answered ${type}` : b && typeof b === 'object' && b.error ? 'the remote answered an error' : 'not a CKAN API answer'
    throw new RemoteError(`Error searching ${url}: ${message}`)
  }
  return b.result.results as Dict[]
}

/** Pages a remote search to its end; `onPage` receives each page's results. */
async function pageSearch(source: SourceInfo, fq: string[], rows: number, extra: Record<string, string>, onPage: (results: Dict[]) => Promise<void>, signal: AbortSignal, policy: OutboundPolicy): Promise<void> {
  let start = 0
  let previous = ''
  for (;;) {
    if (signal.aborted) throw new Error('Harvest job aborted')
    const url = searchUrl(source, { ...(fq.length ? { fq: fq.join(' ') } : {}), rows, start, sort: 'id asc', ...extra })
    const results = searchResults(await getJson(url, { policy, headers: headers(source), timeoutMs: timeoutMs(source.config) }), url)
    if (results.length === 0) return
    const key = results.map((r) => r.id).join(',')
    if (key === previous) throw new RemoteError(`The paging doesn't seem to work. URL: ${url}`)
    previous = key
    await onPage(results)
    start += results.length
  }
}

export const ckanHarvester: Harvester = {
  info: { name: 'ckan', title: 'CKAN', description: 'Harvests remote CKAN instances', form_config_interface: 'Text' },

  async gather(source: SourceInfo, sink: GatherSink, signal: AbortSignal, policy: OutboundPolicy): Promise<GatherResult> {
    const filters = filterTerms(source.config)
    const incremental = source.config.force_all !== true && source.watermark !== null
    const seen = new Set<string>()
    const onPage = async (results: Dict[]) => {
      const records: GatheredRecord[] = []
      for (const r of results) {
        if (typeof r.id !== 'string' || seen.has(r.id) || r.type === 'harvest') continue
        seen.add(r.id)
        records.push({ guid: r.id, content: JSON.stringify(r) })
      }
      await sink.add(records)
    }
    const remote: Remote = { base: baseUrl(source), headers: headers(source), timeoutMs: timeoutMs(source.config), policy, signal }
    // the feed position this run's listing is complete up to; undefined: not read yet
    let cursor: string | null | undefined
    if (source.config.force_all !== true && source.feedCursor) {
      try {
        const read = await readFeed(remote, source.feedCursor)
        if (read && changedCount(read) <= FEED_SHOW_MAX) return await gatherFeed(source, remote, read, sink)
        // too many changes: a listing costs less than one package_show each (null: no feed any more)
        cursor = read ? read.cursor : null
      } catch (err) {
        if (signal.aborted) throw err
        if (!(err instanceof FeedCursorRejected)) await sink.error(`Reading the remote's change feed failed, listing with package_search instead: ${(err as Error).message}`)
      }
    }
    if (cursor === undefined) {
      // an Abierto remote: the position before listing, for the next run (null: the remote has no feed)
      try {
        cursor = (await readFeed(remote, null))?.cursor ?? null
      } catch {
        // the listing below does not need it; the next run lists with package_search again
        cursor = null
      }
    }
    let mode: GatherResult['mode'] = 'full'
    if (incremental) {
      const since = new Date(Date.parse(`${source.watermark}Z`) - OVERLAP_MS).toISOString().replace(/Z$/, '')
      try {
        await pageSearch(source, [...filters, `metadata_modified:[${since}Z TO *]`], PAGE, {}, onPage, signal, policy)
        mode = 'incremental'
      } catch (err) {
        await sink.error(`Incremental harvest failed, falling back to a full harvest: ${(err as Error).message}`)
      }
    }
    if (mode === 'full') {
      await pageSearch(source, filters, PAGE, {}, onPage, signal, policy)
      if (seen.size === 0) throw new RemoteError(`No datasets found at CKAN: ${source.url}`)
      return { mode, present: seen, cursor }
    }
    // incremental: the changes are in; a listing of every remote id tells what was deleted or made private
    const present = new Set<string>()
    try {
      await pageSearch(
        source,
        filters,
        ID_PAGE,
        { fl: 'id,type' },
        async (results) => {
          for (const r of results) if (typeof r.id === 'string' && r.type !== 'harvest') present.add(r.id)
        },
        signal,
        policy,
      )
    } catch (err) {
      await sink.error(`Could not list the remote datasets, deletions were not checked: ${(err as Error).message}`)
      return { mode, present: null, cursor }
    }
    return { mode, present, cursor }
  },

  async prepare(ctx: PrepareContext, record: GatheredRecord): Promise<PreparedDataset> {
    const remote = JSON.parse(record.content) as Dict
    const config = ctx.source.config
    const dict: Dict = { ...remote }
    for (const key of REMOTE_ONLY) delete dict[key]
    delete dict.id
    delete dict.name
    dict.resources = (Array.isArray(remote.resources) ? remote.resources : []).map((r: Dict) => {
      // uploads and DataStore tables become plain links to the remote copies
      const { url_type: _u, revision_id: _r, package_id: _p, tracking_summary: _t, datastore_active: _d, position: _pos, ...rest } = r
      return rest
    })
    let tags: Dict[] = (Array.isArray(remote.tags) ? remote.tags : []).map((t: Dict) => ({ name: config.clean_tags === true ? mungeTag(String(t.name)) : t.name, ...(t.vocabulary_id ? { vocabulary_id: t.vocabulary_id } : {}) }))
    if (Array.isArray(config.default_tags)) {
      for (const t of config.default_tags as Dict[]) if (!tags.some((x) => x.name === t.name)) tags.push({ name: t.name })
    }
    tags = tags.filter((t, i) => t.name && tags.findIndex((x) => x.name === t.name) === i)
    dict.tags = tags
    dict.extras = mergeExtras(ctx, remote, config)
    dict.groups = await mapGroups(ctx, remote, config)
    dict.owner_org = await mapOrganization(ctx, remote, config)
    // ckanext-harvest munges the remote name as if it were a title, which cuts a valid name of 96–100 characters to 95
    const name = typeof remote.name === 'string' && isPackageName(remote.name) ? remote.name : mungeTitleToName(String(remote.name ?? remote.title ?? record.guid))
    return { dict, id: typeof remote.id === 'string' ? remote.id : undefined, name }
  },
}

function changedCount(read: FeedRead): number {
  let n = 0
  for (const type of read.last.values()) if (type === 'created' || type === 'updated') n++
  return n
}

/**
 * An incremental run from what the remote's change feed reported: the datasets changed since the
 * last run that are still public (and pass the source's filters) are gathered; the others are gone.
 */
async function gatherFeed(source: SourceInfo, remote: Remote, read: FeedRead, sink: GatherSink): Promise<GatherResult> {
  const gone = new Set<string>()
  const changed: string[] = []
  for (const [id, type] of read.last) {
    if (type === 'created' || type === 'updated') changed.push(id)
    else gone.add(id)
  }
  await showAll(remote, changed, async (page) => {
    const records: GatheredRecord[] = []
    for (const [id, d] of page) {
      if (!d || d.type === 'harvest' || !passesFilters(d, source.config)) gone.add(id)
      else records.push({ guid: id, content: JSON.stringify(d) })
    }
    await sink.add(records)
  })
  return { mode: 'incremental', present: null, gone, cursor: read.cursor }
}

function mergeExtras(ctx: PrepareContext, remote: Dict, config: Dict): Dict[] {
  const extras = new Map<string, string>()
  for (const e of Array.isArray(remote.extras) ? remote.extras : []) {
    if (e && typeof e.key === 'string' && !DERIVED_EXTRAS.has(e.key)) extras.set(e.key, String(e.value ?? ''))
  }
  const defaults = config.default_extras
  if (defaults && typeof defaults === 'object') {
    const vars: Record<string, string> = {
      dataset_id: String(remote.id ?? ''),
      harvest_source_id: ctx.source.id,
      harvest_source_url: ctx.source.url.replace(/\/+$/, ''),
      harvest_source_title: ctx.source.title,
      harvest_job_id: ctx.jobId,
      harvest_object_id: ctx.objectId,
    }
    for (const [key, raw] of Object.entries(defaults as Dict)) {
      if (extras.has(key) && config.override_extras !== true) continue
      extras.set(key, typeof raw === 'string' ? raw.replace(/\{(\w+)\}/g, (m, v: string) => vars[v] ?? m) : JSON.stringify(raw))
    }
  }
  return [...extras].map(([key, value]) => ({ key, value }))
}

async function localGroup(ctx: PrepareContext, ref: { id?: string; name?: string }, organization: boolean): Promise<string | null> {
  for (const [col, val] of [
    ['id', ref.id],
    ['name', ref.name],
  ] as const) {
    if (!val) continue
    // most records of a batch name the same few organizations: found ones are remembered for the batch
    const key = `localGroup:${organization}:${col}:${val}`
    const known = ctx.batchMemo?.get(key) as string | undefined
    if (known) return known
    const row = await ctx.db.selectFrom('group').select('id').where(col, '=', val).where('is_organization', '=', organization).where('state', '=', 'active').executeTakeFirst()
    if (row) {
      ctx.batchMemo?.set(key, row.id)
      return row.id
    }
  }
  return null
}

/** Creates a local copy of a remote organization or group from its remote show dict. */
async function createFromRemote(ctx: PrepareContext, ref: string, organization: boolean): Promise<string | null> {
  const show = organization ? 'organization_show' : 'group_show'
  const url = `${ctx.source.url.replace(/\/+$/, '')}/api/3/action/${show}?id=${encodeURIComponent(ref)}`
  let remote: Dict
  try {
    const body = (await getJson(url, { policy: ctx.policy, headers: headers(ctx.source), timeoutMs: timeoutMs(ctx.source.config) })) as Dict
    if (!body?.success || !body.result) return null
    remote = body.result
  } catch {
    return null
  }
  const existing = await localGroup(ctx, { id: remote.id, name: remote.name }, organization)
  if (existing) return existing
  try {
    const created = await ctx.callOutside<Dict>(organization ? 'organization_create' : 'group_create', {
      // a remote id that is no UUID (older or patched CKANs) cannot be kept: the copy gets its own
      ...(isUuid(remote.id) ? { id: remote.id } : {}),
      name: remote.name,
      title: remote.title ?? remote.name,
      description: remote.description ?? '',
      image_url: remote.image_url ?? '',
    })
    return String(created.id)
  } catch (err) {
    // another import created it a moment ago (committed: visible to this transaction's next statement)
    const raced = await localGroup(ctx, { id: remote.id, name: remote.name }, organization)
    if (raced) return raced
    // as ckanext-harvest: a remote organization or group that can't be copied is not a reason to
    // drop the dataset; it goes to the source's organization (or without that group)
    if (err instanceof ValidationError) return null
    throw err
  }
}

async function mapOrganization(ctx: PrepareContext, remote: Dict, config: Dict): Promise<string | null> {
  const mode = config.remote_orgs
  const remoteOrg = remote.organization as Dict | undefined
  if ((mode === 'only_local' || mode === 'create') && (remote.owner_org || remoteOrg)) {
    const ref = { id: remoteOrg?.id ?? remote.owner_org, name: remoteOrg?.name }
    const local = await localGroup(ctx, ref, true)
    if (local) return local
    if (mode === 'create') {
      const created = await createFromRemote(ctx, String(ref.id ?? ref.name), true)
      if (created) return created
    }
  }
  return ctx.source.owner_org
}

async function mapGroups(ctx: PrepareContext, remote: Dict, config: Dict): Promise<Dict[]> {
  const mode = config.remote_groups
  const ids: string[] = []
  if (mode === 'only_local' || mode === 'create') {
    for (const g of Array.isArray(remote.groups) ? (remote.groups as Dict[]) : []) {
      let local = await localGroup(ctx, { id: g.id, name: g.name }, false)
      if (!local && mode === 'create') local = await createFromRemote(ctx, String(g.id ?? g.name), false)
      if (local && !ids.includes(local)) ids.push(local)
    }
  }
  for (const id of Array.isArray(config.default_group_ids) ? (config.default_group_ids as string[]) : []) if (!ids.includes(id)) ids.push(id)
  return ids.map((id) => ({ id }))
}
