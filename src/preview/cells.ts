import { createRequire } from 'node:module'

/**
 * Spreadsheet cell values as the page shows them: numbers as their format displays them
 * (SheetJS's SSF, the formatter Excel's codes are written for), dates as ISO `YYYY-MM-DD`
 * (`YYYY-MM-DD HH:MM:SS` when a time is set), whatever the file's locale or format says.
 */

export interface Ssf {
  format(fmt: string | number, value: number, opts?: object): string
  get_table(): Record<number, string>
}

let ssf: Ssf | null = null

/** SheetJS is loaded on first use: CSV previews never pay for it. The CommonJS build brings its codepage tables along (old XLS text). */
export function sheetjs(): typeof import('@e965/xlsx') {
  return createRequire(import.meta.url)('@e965/xlsx') as typeof import('@e965/xlsx')
}

/** Number formats only need SheetJS's formatter, which its mini build carries and loads in a seventh of the time of the full one. */
function formatter(): Ssf {
  ssf ??= (createRequire(import.meta.url)('@e965/xlsx/dist/xlsx.mini.min') as { SSF: Ssf }).SSF
  return ssf
}

/** The code of a format id: built-in (0–49) or one the workbook declares. */
export function formatCode(id: number, custom: ReadonlyMap<number, string>): string | null {
  return custom.get(id) ?? formatter().get_table()[id] ?? null
}

/**
 * Whether a format shows a calendar date: a y or d outside quoted text, escapes and [brackets]
 * (a bare m can be months or minutes; time-only formats such as h:mm keep their own display).
 */
export function isDateFormat(code: string): boolean {
  const bare = code.replace(/"[^"]*"|\\.|\[[^\]]*\]|_.|\*./g, '')
  return /[yd]/i.test(bare)
}

const MS_PER_DAY = 86_400_000

/** Excel serial day number to ISO text; the 1900 system counts a 29 Feb 1900 that never was. */
export function serialToIso(serial: number, date1904: boolean): string {
  let days = Math.floor(serial)
  let ms = Math.round((serial - days) * MS_PER_DAY)
  if (ms >= MS_PER_DAY) {
    days += 1
    ms -= MS_PER_DAY
  }
  let epoch: number
  if (date1904) epoch = Date.UTC(1904, 0, 1)
  else if (days >= 61) epoch = Date.UTC(1899, 11, 30)
  else epoch = Date.UTC(1899, 11, 31)
  if (!date1904 && days === 60) days = 59
  const d = new Date(epoch + days * MS_PER_DAY + ms)
  return isoText(d, ms !== 0)
}

export function isoText(d: Date, withTime: boolean): string {
  const iso = d.toISOString()
  return withTime ? `${iso.slice(0, 10)} ${iso.slice(11, 19)}` : iso.slice(0, 10)
}

/** A number under a format code (or built-in id), as displayed; the plain number when the code is one SSF refuses. */
export function formatNumber(value: number, code: string | number | null, date1904: boolean): string {
  if (code !== null && typeof code === 'string' && isDateFormat(code)) return serialToIso(value, date1904)
  try {
    return formatter().format(code ?? 'General', value, { date1904 })
  } catch {
    return String(value)
  }
}

/** ODF's office:date-value (`2024-03-15` or `2024-03-15T10:30:00[.5]`) to the same ISO text. */
export function odfDate(value: string): string {
  const m = /^(-?\d{4,}-\d{2}-\d{2})(?:T(\d{2}:\d{2}:\d{2}))?/.exec(value)
  if (!m) return value
  return m[2] && m[2] !== '00:00:00' ? `${m[1]} ${m[2]}` : m[1]
}

/**
 * A number cell as data rather than display: ISO for date formats, `HH:MM:SS` for a time of day
 * under a time format, else the number as JavaScript writes it shortest (no grouping, no
 * percent sign, no rounding to the format's decimals), which Postgres reads back exactly.
 */
export function plainNumber(value: number, code: string | null, date1904: boolean): string {
  const kind = code === null ? 'number' : formatKind(code)
  if (kind === 'date') return serialToIso(value, date1904)
  if (kind === 'time' && value >= 0 && value < 1) return timeOfDay(value)
  return String(value)
}

const kinds = new Map<string, 'date' | 'time' | 'number'>()

/** What a format code shows, remembered: it is asked for every number cell of a sheet, and a workbook has few formats. */
function formatKind(code: string): 'date' | 'time' | 'number' {
  let kind = kinds.get(code)
  if (kind === undefined) {
    kind = isDateFormat(code) ? 'date' : isTimeFormat(code) ? 'time' : 'number'
    if (kinds.size >= 1000) kinds.clear()
    kinds.set(code, kind)
  }
  return kind
}

/** A format showing hours or seconds (h:mm, [h]:mm:ss, mm:ss.0) without a date. */
export function isTimeFormat(code: string): boolean {
  if (isDateFormat(code)) return false
  if (/\[(h+|m+|s+)\]/i.test(code)) return true
  return /[hs]/i.test(code.replace(/"[^"]*"|\\.|\[[^\]]*\]|_.|\*./g, ''))
}

function timeOfDay(fraction: number): string {
  const seconds = Math.min(Math.round(fraction * 86_400), 86_399)
  const pad = (n: number): string => String(n).padStart(2, '0')
  return `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}`
}

/** ODF's office:time-value (an ISO duration, `PT10H30M00S`) as `HH:MM:SS`; other text unchanged. */
export function odfTime(value: string): string {
  const m = /^-?P(?:(\d+)D)?T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:[.,]\d+)?S)?$/.exec(value)
  if (!m) return value
  const hours = Number(m[1] ?? 0) * 24 + Number(m[2] ?? 0)
  const pad = (n: number): string => String(n).padStart(2, '0')
  return `${pad(hours)}:${pad(Number(m[3] ?? 0))}:${pad(Number(m[4] ?? 0))}`
}
