import nunjucks from 'nunjucks'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { i18n, TFunction } from 'i18next'
import type { Config } from '../config.js'
import { assetDirs } from './assets.js'
import { chooseLocale, LANG_COOKIE, loadCatalogues, LOCALES, translator, type Locale } from './i18n.js'
import { formatters, type Formatters } from './format.js'
import { markdownText } from './markdown.js'
import { activitySentence } from './activity-sentence.js'
import { RawJson, type ReadCache } from '../cache/read-cache.js'

/** Where send() stores the page it renders, when the request may be answered from the cache. */
const CACHE_SLOT = Symbol('page cache slot')
type Slotted = FastifyRequest & { [CACHE_SLOT]?: { key: string; generation: number } }

/**
 * Pages run no inline script and load nothing from elsewhere but images (resource previews may
 * show a linked image). Inline `style` attributes are refused too: colours come from theme.css.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: https: http:",
  "frame-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'self'",
].join('; ')

/** What every template sees, besides the page's own data. */
export interface PageBase {
  locale: Locale
  t: TFunction
  fmt: Formatters
  site: { title: string; description: string; url: string; logo: string | null; intro: string | null }
  /** the request path and query, for links that change one parameter */
  path: string
  /** the same page in each language (`?lang=`) */
  languages: Array<{ locale: Locale; url: string; current: boolean }>
  /** absolute URL of this page without presentation parameters; pages may replace it */
  canonical: string
}

export class PageRenderer {
  private readonly env: nunjucks.Environment
  private readonly catalogues: i18n
  private cache: ReadCache<unknown> | null = null

  constructor(private readonly config: Config) {
    const dirs = assetDirs(config.theme.dir)
    this.env = new nunjucks.Environment(new nunjucks.FileSystemLoader(dirs.templates, { noCache: false }), { autoescape: true, throwOnUndefined: false, trimBlocks: true, lstripBlocks: true })
    // list excerpts: descriptions are Markdown, shown as their words (a regex pass, cheap enough for 20 results a page)
    this.env.addFilter('plain_text', markdownText)
    this.env.addFilter('map_formats', (resources: unknown) => {
      const seen = new Set<string>()
      for (const r of Array.isArray(resources) ? resources : []) {
        const f = typeof (r as { format?: unknown })?.format === 'string' ? (r as { format: string }).format.trim() : ''
        if (f) seen.add(f.toUpperCase())
      }
      return [...seen]
    })
    this.env.addGlobal('activity_sentence', activitySentence)
    this.catalogues = loadCatalogues(dirs.locales, config.siteLocale)
  }

  /**
   * Pages for anonymous visitors are kept in the API's read cache (as `page:` entries), which every
   * write clears in every process: the page is the same data as the actions it read, so it is
   * exactly as fresh as their cached answers.
   */
  useCache(cache: ReadCache<unknown>): void {
    this.cache = cache
  }

  /** Answers from the cache when it holds this page for this language; otherwise runs `produce`, whose 200 answer is kept. */
  async cached(req: FastifyRequest, reply: FastifyReply, produce: () => Promise<FastifyReply>): Promise<FastifyReply> {
    const cache = this.cache
    if (!cache?.isEnabled || req.method !== 'GET' || req.authUser) return produce()
    const query = req.query as Record<string, unknown> | undefined
    const { locale } = chooseLocale(query?.lang, req.headers, this.config.siteLocale)
    const key = `page:${locale}:${req.url}`
    const hit = cache.get(key)
    if (hit) {
      this.base(req, reply)
      return securityHeaders(reply).code(200).header('content-type', 'text/html; charset=utf-8').send(hit.raw.json)
    }
    ;(req as Slotted)[CACHE_SLOT] = { key, generation: cache.generation }
    return produce()
  }

  /** The visitor's language and the values shared by all templates; sets the language cookie and Vary. */
  base(req: FastifyRequest, reply: FastifyReply): PageBase {
    const query = req.query as Record<string, unknown> | undefined
    const choice = chooseLocale(query?.lang, req.headers, this.config.siteLocale)
    if (choice.explicit) reply.header('set-cookie', `${LANG_COOKIE}=${choice.locale}; Path=/; Max-Age=31536000; SameSite=Lax`)
    reply.header('vary', 'Accept, Accept-Language, Cookie')
    const url = new URL(req.url, 'http://x')
    const withLang = (lc: Locale) => {
      const u = new URL(url)
      u.searchParams.set('lang', lc)
      return `${u.pathname}${u.search}`
    }
    const canonical = new URL(url)
    canonical.searchParams.delete('lang')
    return {
      locale: choice.locale,
      t: translator(this.catalogues, choice.locale),
      fmt: formatters(choice.locale),
      site: { title: this.config.siteTitle, description: this.config.siteDescription, url: this.config.siteUrl, logo: this.config.theme.logo, intro: this.config.theme.intro },
      path: `${url.pathname}${url.search}`,
      languages: LOCALES.map((lc) => ({ locale: lc, url: withLang(lc), current: lc === choice.locale })),
      canonical: `${this.config.siteUrl}${canonical.pathname}${canonical.search}`,
    }
  }

  /** Renders `template` with the shared values and `data`, as an HTML answer with the portal's security headers. */
  send(req: FastifyRequest, reply: FastifyReply, template: string, data: Record<string, unknown>, status = 200): FastifyReply {
    const base = this.base(req, reply)
    const html = this.env.render(template, { ...base, ...data })
    const slot = (req as Slotted)[CACHE_SLOT]
    // RawJson holds any rendered text; the cache only measures and returns it
    if (slot && status === 200) this.cache?.set([slot.key], { raw: new RawJson(html), meta: null }, slot.generation)
    return securityHeaders(reply).code(status).header('content-type', 'text/html; charset=utf-8').send(html)
  }
}

export function securityHeaders(reply: FastifyReply): FastifyReply {
  return reply.header('content-security-policy', CONTENT_SECURITY_POLICY).header('x-content-type-options', 'nosniff').header('referrer-policy', 'strict-origin-when-cross-origin')
}

/** Browsers ask for HTML first; API clients (curl's *\/*, ckanapi, fetch) don't. */
export function wantsHtml(req: FastifyRequest): boolean {
  const accept = req.headers.accept
  return typeof accept === 'string' && /(^|,)\s*text\/html/i.test(accept)
}
