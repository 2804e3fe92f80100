/**
 * CKAN shows timestamps as Python's naive-UTC `isoformat()`: microseconds when non-zero, no zone.
 * Postgres prints `timestamp(6)` as "2024-05-02 10:11:12.1234" (trailing zeros trimmed), so
 * every value read from the database passes through `fromPg` (JSON built by Postgres uses a "T").
 */
export function fromPg(value: string): string {
  const [date, time = '00:00:00'] = value.split(/[ T]/)
  const [hms, frac] = time.split('.')
  if (!frac || /^0+$/.test(frac)) return `${date}T${hms}`
  return `${date}T${hms}.${frac.padEnd(6, '0')}`
}

let lastMicros = 0

/** Current UTC time with microseconds, strictly increasing within the process. */
export function nowIso(): string {
  let micros = Math.floor((performance.timeOrigin + performance.now()) * 1000)
  if (micros <= lastMicros) micros = lastMicros + 1
  lastMicros = micros
  const d = new Date(Math.floor(micros / 1000))
  const base = d.toISOString().slice(0, 19)
  const frac = String(micros % 1_000_000).padStart(6, '0')
  return frac === '000000' ? base : `${base}.${frac}`
}

/**
 * Parses an ISO date or datetime as CKAN's `isodate` validator does (`datetime.fromisoformat`):
 * returns the naive UTC string, or null when it is not a date. A trailing zone is converted to UTC.
 */
export function parseIsoDate(input: unknown): string | null {
  if (typeof input !== 'string') return null
  const s = input.trim()
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6})\d*)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(s)
  if (!m) return null
  const [, y, mo, d, h = '00', mi = '00', sec = '00', frac = '', zone] = m
  const ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +sec)
  const check = new Date(ms)
  if (check.getUTCFullYear() !== +y || check.getUTCMonth() !== +mo - 1 || check.getUTCDate() !== +d || +h > 23 || +mi > 59 || +sec > 59) return null
  let t = ms
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1
    const digits = zone.slice(1).replace(':', '')
    t -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000
  }
  const base = new Date(t).toISOString().slice(0, 19)
  const micro = frac.padEnd(6, '0')
  return /^0+$/.test(micro) ? base : `${base}.${micro}`
}
