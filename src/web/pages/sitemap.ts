import { Readable } from 'node:stream'
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { RawJson } from '../../cache/read-cache.js'
import type { WebDeps } from '../deps.js'
import { securityHeaders } from '../render.js'

/** sitemaps.org: at most 50,000 URLs per file. */
export const SITEMAP_MAX_URLS = 50_000
/** package_search's largest page. */
const BATCH = 1000
/** organization_list / group_list: at most this many names per call. */
const LIST_BATCH = 1000

const XML = 'application/xml; charset=utf-8'
const CACHE = 'public, max-age=3600'
const URLSET_OPEN = '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'

export interface Entry {
  loc: string
  lastmod?: string
}

/** The sitemap lists what an anonymous visitor can find, whoever asks (a token must not leak private names into a public file). */
const ANONYMOUS = { user: null }

type SitemapDeps = Pick<WebDeps, 'runner' | 'config'>

async function anon<T>(deps: SitemapDeps, log: FastifyBaseLogger, name: string, params: Record<string, unknown>): Promise<T> {
  const out = await deps.runner.run(name, params, ANONYMOUS, log)
  return (out instanceof RawJson ? out.value() : out) as T
}

function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`)
}

function urlXml(e: Entry): string {
  return `<url><loc>${escapeXml(e.loc)}</loc>${e.lastmod ? `<lastmod>${escapeXml(e.lastmod)}</lastmod>` : ''}</url>\n`
}

/** Every name organization_list or group_list gives, a page at a time. */
async function allNames(deps: SitemapDeps, log: FastifyBaseLogger, action: 'organization_list' | 'group_list'): Promise<string[]> {
  const names: string[] = []
  for (;;) {
    const page = await anon<string[]>(deps, log, action, { sort: 'name asc', limit: LIST_BATCH, offset: names.length })
    names.push(...page)
    if (page.length < LIST_BATCH) return names
  }
}

/**
 * The catalogue as one sequence of URLs: the fixed pages, organizations and groups (a few
 * thousand names at most, held in memory), then every public active dataset in name order. Only
 * the dataset count is known up front; the datasets themselves are read in batches when a file
 * is written.
 */
export class Catalogue {
  private constructor(
    private readonly deps: SitemapDeps,
    private readonly log: FastifyBaseLogger,
    readonly head: Entry[],
    readonly datasets: number,
    private readonly batch: number,
  ) {}

  /** `batch`: datasets per package_search call (tests lower it to cross batch boundaries with a few datasets). */
  static async read(deps: SitemapDeps, log: FastifyBaseLogger, batch = BATCH): Promise<Catalogue> {
    const site = deps.config.siteUrl
    const [organizations, groups, search] = await Promise.all([allNames(deps, log, 'organization_list'), allNames(deps, log, 'group_list'), anon<{ count: number }>(deps, log, 'package_search', { q: '', rows: 0, facet: 'false' })])
    const head: Entry[] = [
      { loc: `${site}/` },
      { loc: `${site}/dataset` },
      { loc: `${site}/organization` },
      { loc: `${site}/group` },
      ...organizations.map((n) => ({ loc: `${site}/organization/${encodeURIComponent(n)}` })),
      ...groups.map((n) => ({ loc: `${site}/group/${encodeURIComponent(n)}` })),
    ]
    return new Catalogue(deps, log, head, search.count, batch)
  }

  get total(): number {
    return this.head.length + this.datasets
  }

  /**
   * URLs [from, from + count) of the sequence. Datasets come sorted by name (unique, and the
   * search index keeps a btree on it, where sorting 100,000 ids took seconds): the first batch of
   * a file skips to its offset, the next ones continue after the last name seen (a keyset, so a
   * file deep in the catalogue costs one offset, not one per batch).
   */
  async *entries(from: number, count: number): AsyncGenerator<Entry[]> {
    const end = from + count
    const head = this.head.slice(from, end)
    if (head.length) yield head
    let offset = Math.max(0, from - this.head.length)
    let remaining = end - Math.max(from, this.head.length)
    let after: string | null = null
    const site = this.deps.config.siteUrl
    while (remaining > 0) {
      const rows = Math.min(this.batch, remaining)
      const params: Record<string, unknown> = { q: '', rows, sort: 'name asc', facet: 'false', fl: 'name metadata_modified' }
      if (after === null) params.start = offset
      else params.fq = `name:{${after} TO *]`
      const page = await anon<{ results: Array<{ name: string; metadata_modified?: string }> }>(this.deps, this.log, 'package_search', params)
      if (!page.results.length) return
      yield page.results.map((d) => ({ loc: `${site}/dataset/${encodeURIComponent(d.name)}`, lastmod: d.metadata_modified || undefined }))
      after = page.results[page.results.length - 1].name
      offset += page.results.length
      remaining -= page.results.length
    }
  }
}

async function* urlset(entries: AsyncGenerator<Entry[]>): AsyncGenerator<string> {
  yield URLSET_OPEN
  for await (const batch of entries) yield batch.map(urlXml).join('')
  yield '</urlset>\n'
}

function indexXml(site: string, files: number): string {
  let out = '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
  for (let n = 1; n <= files; n++) out += `<sitemap><loc>${escapeXml(`${site}/sitemap-${n}.xml`)}</loc></sitemap>\n`
  return `${out}</sitemapindex>\n`
}

function xmlReply(reply: FastifyReply): FastifyReply {
  return securityHeaders(reply).header('content-type', XML).header('cache-control', CACHE)
}

/**
 * robots.txt: everything may be crawled but the API and the download redirects/streams (the
 * resource pages link them; crawling them would fetch every file of the catalogue).
 */
export function robotsTxt(siteUrl: string): string {
  return ['User-agent: *', 'Allow: /', 'Disallow: /api/', 'Disallow: /dataset/*/resource/*/download', '', `Sitemap: ${siteUrl}/sitemap.xml`, ''].join('\n')
}

/**
 * `/sitemap.xml`: one urlset while the catalogue fits in a file (`urlsPerFile`, 50,000 by the
 * protocol), else a sitemap index of `/sitemap-{n}.xml` files. Written as a stream, a batch of
 * datasets at a time.
 */
export async function sitemapRoutes(app: FastifyInstance, deps: WebDeps): Promise<void> {
  const perFile = Math.min(deps.config.sitemapUrlsPerFile, SITEMAP_MAX_URLS)

  app.get('/robots.txt', { schema: { hide: true } }, async (_req, reply) => reply.header('content-type', 'text/plain; charset=utf-8').header('cache-control', CACHE).send(robotsTxt(deps.config.siteUrl)))

  app.get('/sitemap.xml', { schema: { hide: true } }, async (req: FastifyRequest, reply: FastifyReply) => {
    const catalogue = await Catalogue.read(deps, req.log)
    const files = Math.ceil(catalogue.total / perFile)
    if (files > 1) return xmlReply(reply).send(indexXml(deps.config.siteUrl, files))
    return xmlReply(reply).send(Readable.from(urlset(catalogue.entries(0, catalogue.total))))
  })

  app.get<{ Params: { n: string } }>('/sitemap-:n(^\\d+).xml', { schema: { hide: true } }, async (req, reply) => {
    const n = Number(req.params.n)
    const catalogue = await Catalogue.read(deps, req.log)
    const files = Math.ceil(catalogue.total / perFile)
    if (!Number.isSafeInteger(n) || n < 1 || n > files) return reply.callNotFound()
    return xmlReply(reply).send(Readable.from(urlset(catalogue.entries((n - 1) * perFile, perFile))))
  })
}
