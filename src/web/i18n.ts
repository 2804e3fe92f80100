import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import i18next, { type i18n, type TFunction } from 'i18next'
import Negotiator from 'negotiator'

export const LOCALES = ['es', 'en'] as const
export type Locale = (typeof LOCALES)[number]

export function isLocale(v: unknown): v is Locale {
  return typeof v === 'string' && (LOCALES as readonly string[]).includes(v)
}

/** Deep merge of catalogue objects: a theme's catalogue overrides single keys, not whole sections. */
function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base }
  for (const [k, v] of Object.entries(over)) {
    const b = out[k]
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' ? merge(b as Record<string, unknown>, v as Record<string, unknown>) : v
  }
  return out
}

/**
 * The message catalogues (`locales/{es,en}.json`, a theme's own merged over them) in one i18next
 * instance. Interpolated values are not escaped here: templates autoescape everything they print.
 */
export function loadCatalogues(dirs: string[], defaultLocale: Locale): i18n {
  const resources: Record<string, { translation: Record<string, unknown> }> = {}
  for (const lc of LOCALES) {
    let messages: Record<string, unknown> = {}
    // the built-in folder is last in `dirs`: read it first, then let themes override
    for (const dir of [...dirs].reverse()) {
      const file = path.join(dir, `${lc}.json`)
      if (existsSync(file)) messages = merge(messages, JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>)
    }
    resources[lc] = { translation: messages }
  }
  const instance = i18next.createInstance()
  void instance.init({ resources, lng: defaultLocale, fallbackLng: defaultLocale === 'es' ? ['es', 'en'] : ['en', 'es'], supportedLngs: [...LOCALES], initAsync: false, interpolation: { escapeValue: false }, returnNull: false })
  return instance
}

const MEMO_LIMIT = 20_000
const memos = new WeakMap<i18n, Map<Locale, TFunction>>()

/**
 * The locale's `t`, remembering its answers: catalogues never change while the process runs, and
 * an i18next lookup (it copies its options on every call) was the largest cost of rendering a
 * page with a hundred facet and result strings. The memo is bounded by emptying it when full.
 */
export function translator(instance: i18n, locale: Locale): TFunction {
  let perLocale = memos.get(instance)
  if (!perLocale) memos.set(instance, (perLocale = new Map()))
  const known = perLocale.get(locale)
  if (known) return known
  const fixed = instance.getFixedT(locale)
  const answers = new Map<string, string>()
  const t = ((key: string, options?: Record<string, unknown>) => {
    const memoKey = options === undefined ? key : `${key}\u0000${JSON.stringify(options)}`
    let text = answers.get(memoKey)
    if (text === undefined) {
      if (answers.size >= MEMO_LIMIT) answers.clear()
      text = String(options === undefined ? fixed(key) : fixed(key, options))
      answers.set(memoKey, text)
    }
    return text
  }) as unknown as TFunction
  perLocale.set(locale, t)
  return t
}

/** The `lang` cookie: set when a visitor picks a language with `?lang=`, so the next pages keep it. */
export const LANG_COOKIE = 'lang'

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return undefined
}

export interface LocaleChoice {
  locale: Locale
  /** true when `?lang=` chose it: the answer sets the cookie */
  explicit: boolean
}

/** `?lang=`, then the cookie, then Accept-Language, then the site's default. */
export function chooseLocale(query: unknown, headers: { cookie?: string; 'accept-language'?: string }, fallback: Locale): LocaleChoice {
  const asked = Array.isArray(query) ? query[query.length - 1] : query
  if (isLocale(asked)) return { locale: asked, explicit: true }
  const fromCookie = cookieValue(headers.cookie, LANG_COOKIE)
  if (isLocale(fromCookie)) return { locale: fromCookie, explicit: false }
  if (headers['accept-language']) {
    const [best] = new Negotiator({ headers: { 'accept-language': headers['accept-language'] } }).languages([...LOCALES])
    if (isLocale(best)) return { locale: best, explicit: false }
  }
  return { locale: fallback, explicit: false }
}
