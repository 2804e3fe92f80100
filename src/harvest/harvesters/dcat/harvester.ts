import { createHash } from 'node:crypto'
import type { GatherResult, GatherSink, Harvester, PrepareContext, PreparedDataset, SourceInfo, GatheredRecord } from '../harvester.js'
import { getText, RemoteError, timeoutMs, userAgent } from '../http.js'
import type { OutboundPolicy } from '../../../net/outbound.js'
import { mungeTag, mungeTitleToName } from '../munge.js'
import { datasetThemes, parseDataJsonPage } from '../../../dcat/data-json/read.js'
import { publisherOrganization, themeGroups } from './data-json-groups.js'
import type { HarvestedDataset, ParsedPage } from '../../../dcat/read/parsed.js'
import { profileNames } from '../../../dcat/read/profile-config.js'

/**
 * source_types `dcat_rdf` and `dcat_json`: fetch the catalog page by page (hydra paging for RDF,
 * `?page=N` for JSON), one object per dataset. The object's content is the dataset's own source
 * text, parsed again at import, so a re-run with no remote change imports nothing ("not modified").
 */

const MAX_PAGES = 10_000
type Dict = Record<string, any>

function headers(source: SourceInfo, accept: string): Record<string, string> {
  const h: Record<string, string> = { 'user-agent': userAgent(source.config), accept }
  if (typeof source.config.api_key === 'string' && source.config.api_key) h.authorization = source.config.api_key
  return h
}

/** The RDF parsers (jsonld.js, the RDF/XML parser) load on the first RDF harvest, not at start-up: most instances never run one. */
async function rdfParser(): Promise<typeof import('../../../dcat/read/catalog.js').parseRdfPage> {
  return (await import('../../../dcat/read/catalog.js')).parseRdfPage
}

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex')
}

async function addPage(sink: GatherSink, page: ParsedPage, present: Set<string>): Promise<void> {
  for (const e of page.errors) await sink.error(e.guid ? `${e.guid}: ${e.message}` : e.message)
  await sink.add(page.datasets.map((d) => ({ guid: d.guid, content: d.content, hash: d.fingerprint })))
  for (const d of page.datasets) present.add(d.guid)
}

/** Resource ids survive updates: matched by uri, then url, as ckanext-dcat does. */
function keepResourceIds(dict: Dict, existing: Dict | null): void {
  const old = Array.isArray(existing?.resources) ? (existing!.resources as Dict[]) : []
  if (!old.length || !Array.isArray(dict.resources)) return
  const used = new Set<string>()
  for (const r of dict.resources as Dict[]) {
    const match = old.find((o) => !used.has(o.id) && ((r.uri && o.uri === r.uri) || (!r.uri && o.url === r.url)))
    if (match) {
      r.id = match.id
      used.add(match.id)
    }
  }
}

function prepared(ctx: PrepareContext, found: HarvestedDataset | undefined, guid: string): PreparedDataset {
  if (!found) throw new Error(`The stored record ${guid} no longer parses as a dataset`)
  const dict: Dict = { ...found.dict }
  if (ctx.source.config.clean_tags === true && Array.isArray(dict.tags)) dict.tags = (dict.tags as Dict[]).map((t) => ({ ...t, name: mungeTag(String(t.name)) }))
  keepResourceIds(dict, ctx.existing)
  return { dict, name: mungeTitleToName(String(dict.title ?? guid)) }
}

export const dcatRdfHarvester: Harvester = {
  info: { name: 'dcat_rdf', title: 'Generic DCAT RDF Harvester', description: 'Harvester for DCAT datasets from an RDF graph', form_config_interface: 'Text' },

  async gather(source: SourceInfo, sink: GatherSink, signal: AbortSignal, policy: OutboundPolicy): Promise<GatherResult> {
    const present = new Set<string>()
    const seenPages = new Set<string>()
    let url: string | null = source.url
    for (let n = 0; url && n < MAX_PAGES; n++) {
      if (signal.aborted) throw new Error('Harvest job aborted')
      const res = await getText(url, { policy, headers: headers(source, 'text/turtle, application/rdf+xml;q=0.9, application/ld+json;q=0.8, */*;q=0.1'), timeoutMs: timeoutMs(source.config) })
      if (res.status < 200 || res.status >= 300) throw new RemoteError(`Unable to get content for URL: ${url}: HTTP error ${res.status}`, res.status)
      const hash = md5(res.body)
      if (seenPages.has(hash)) break
      seenPages.add(hash)
      const page = await (await rdfParser())(res.body, { contentType: res.contentType, url, rdfFormat: source.config.rdf_format as string | undefined, sourceUrl: source.url, profiles: profileNames(source.config.profiles) })
      await addPage(sink, page, present)
      url = page.nextPage
    }
    return { mode: 'full', present }
  },

  async prepare(ctx: PrepareContext, record: GatheredRecord): Promise<PreparedDataset> {
    const page = await (await rdfParser())(record.content, { rdfFormat: 'turtle', sourceUrl: ctx.source.url, profiles: profileNames(ctx.source.config.profiles) })
    return prepared(ctx, page.datasets.find((d) => d.guid === record.guid) ?? (page.datasets.length === 1 ? page.datasets[0] : undefined), record.guid)
  },
}

export const dcatJsonHarvester: Harvester = {
  info: { name: 'dcat_json', title: 'DCAT JSON Harvester', description: 'Harvester for DCAT dataset descriptions serialized as JSON (data.json)', form_config_interface: 'Text' },

  async gather(source: SourceInfo, sink: GatherSink, signal: AbortSignal, policy: OutboundPolicy): Promise<GatherResult> {
    const present = new Set<string>()
    let previous = ''
    for (let page = 1; page <= MAX_PAGES; page++) {
      if (signal.aborted) throw new Error('Harvest job aborted')
      const url = page === 1 ? source.url : `${source.url}${source.url.includes('?') ? '&' : '?'}page=${page}`
      const res = await getText(url, { policy, headers: headers(source, 'application/json'), timeoutMs: timeoutMs(source.config) })
      if (page > 1 && res.status === 404) break
      if (res.status < 200 || res.status >= 300) throw new RemoteError(`Unable to get content for URL: ${url}: HTTP error ${res.status}`, res.status)
      const parsed = parseDataJsonPage(res.body, { sourceUrl: source.url })
      const key = parsed.datasets.map((d) => d.guid).join('\n')
      if (parsed.datasets.length === 0 || key === previous) break
      previous = key
      await addPage(sink, parsed, present)
      // a data.json catalog is one document; only a bare list (ckanext-dcat's dcat_json) pages
      if (!res.body.trimStart().startsWith('[')) break
    }
    return { mode: 'full', present }
  },

  async prepare(ctx: PrepareContext, record: GatheredRecord): Promise<PreparedDataset> {
    const page = parseDataJsonPage(`[${record.content}]`, { sourceUrl: ctx.source.url })
    const out = prepared(ctx, page.datasets.find((d) => d.guid === record.guid) ?? page.datasets[0], record.guid)
    const source = JSON.parse(record.content) as Dict
    const groups = await themeGroups(ctx, datasetThemes(source))
    // with remote_groups the themes decide: a theme the source dropped leaves its group
    if (groups) out.dict.groups = groups
    const publisher = (out.dict.extras as { key: string; value: string }[]).find((e) => e.key === 'publisher_name')?.value
    const org = await publisherOrganization(ctx, publisher ?? '')
    if (org) out.dict.owner_org = org
    return out
  },
}
