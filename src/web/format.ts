import type { Locale } from './i18n.js'

/** Dates, numbers and sizes as the visitor's language writes them; one set per locale, built once. */
export interface Formatters {
  date(iso: string | null | undefined): string
  dateTime(iso: string | null | undefined): string
  number(n: number | null | undefined): string
  bytes(n: number | null | undefined): string
}

const TAGS: Record<Locale, string> = { es: 'es', en: 'en-GB' }

// CKAN stores UTC timestamps without a zone ("2024-05-01T10:00:00.123456")
function parse(iso: string): Date | null {
  const withZone = /[zZ]|[+-]\d\d:?\d\d$/.test(iso) ? iso : `${iso}Z`
  const d = new Date(withZone)
  return Number.isNaN(d.getTime()) ? null : d
}

function build(locale: Locale): Formatters {
  const tag = TAGS[locale]
  const date = new Intl.DateTimeFormat(tag, { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' })
  const dateTime = new Intl.DateTimeFormat(tag, { year: 'numeric', month: 'long', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'UTC', timeZoneName: 'short' })
  const number = new Intl.NumberFormat(tag)
  const oneDecimal = new Intl.NumberFormat(tag, { maximumFractionDigits: 1 })
  const units = ['B', 'KB', 'MB', 'GB', 'TB']
  return {
    date: (iso) => {
      const d = iso ? parse(iso) : null
      return d ? date.format(d) : ''
    },
    dateTime: (iso) => {
      const d = iso ? parse(iso) : null
      return d ? dateTime.format(d) : ''
    },
    number: (n) => (typeof n === 'number' && Number.isFinite(n) ? number.format(n) : ''),
    bytes: (n) => {
      if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) return ''
      let v = n
      let u = 0
      while (v >= 1024 && u < units.length - 1) {
        v /= 1024
        u++
      }
      return `${u === 0 ? number.format(v) : oneDecimal.format(v)} ${units[u]}`
    },
  }
}

const cache = new Map<Locale, Formatters>()

export function formatters(locale: Locale): Formatters {
  let f = cache.get(locale)
  if (!f) cache.set(locale, (f = build(locale)))
  return f
}
