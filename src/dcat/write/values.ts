import n3 from 'n3'
import type { Literal } from 'n3'
import { XSD } from '../namespaces.js'
import type { PackageDict } from '../../model/package-dict.js'

const { literal } = n3.DataFactory

/**
 * ckanext-dcat's `_get_dict_value`: a root field, else the extra `key`, else the legacy extra
 * `dcat_<key>`; empty strings count as absent.
 */
export function dictValue(dict: PackageDict, key: string): string | undefined {
  const root = dict[key]
  if (typeof root === 'string' && root.trim() !== '') return root
  if (typeof root === 'number') return String(root)
  const extras = Array.isArray(dict.extras) ? (dict.extras as { key: string; value: unknown }[]) : []
  for (const k of [key, `dcat_${key}`]) {
    const e = extras.find((x) => x.key === k)
    if (e && typeof e.value === 'string' && e.value.trim() !== '') return e.value
  }
  return undefined
}

/** The first of `keys` that has a value. */
export function firstValue(dict: PackageDict, ...keys: string[]): string | undefined {
  for (const k of keys) {
    const v = dictValue(dict, k)
    if (v !== undefined) return v
  }
  return undefined
}

/** ckanext-dcat's `_read_list_value`: a real list, a JSON list, a comma-separated string, or one item. */
export function listValue(dict: PackageDict, key: string): string[] {
  const root = dict[key]
  if (Array.isArray(root)) return root.filter((x): x is string => typeof x === 'string' && x.trim() !== '')
  const v = dictValue(dict, key)
  if (v === undefined) return []
  try {
    const parsed: unknown = JSON.parse(v)
    if (Array.isArray(parsed)) return parsed.map(String).filter((x) => x.trim() !== '')
    if (typeof parsed === 'number') return [String(parsed)]
  } catch {
    // not JSON: fall through to the plain-text forms
  }
  return v.includes(',')
    ? v
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
    : [v.trim()]
}

/** An http(s) value (IRIs are what harvesters compare; anything else is text). */
export function isHttpIri(v: string): boolean {
  return /^https?:\/\/\S+$/i.test(v.trim())
}

/**
 * ckanext-dcat's date rule: years, year-months and dates keep their precision; anything with a
 * time is an xsd:dateTime (CKAN stores UTC without a zone, so one is not invented); text that is
 * no date stays a plain literal.
 */
export function dateLiteral(value: string): Literal {
  const v = value.trim()
  if (/^\d{4}$/.test(v)) return literal(v, XSD.gYear)
  if (/^\d{4}-\d{2}$/.test(v)) return literal(v, XSD.gYearMonth)
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return literal(v, XSD.date)
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(:\d{2}(\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?$/.exec(v)
  if (m) {
    const time = m[3] ? m[2] : `${m[2]}:00`
    return literal(`${m[1]}T${time}${m[5] ?? ''}`, XSD.dateTime)
  }
  return literal(v)
}

/** WKT for a GeoJSON geometry (text or object); undefined when it is not valid GeoJSON. */
export function geoJsonToWkt(value: unknown): string | undefined {
  let g = value
  if (typeof g === 'string') {
    try {
      g = JSON.parse(g)
    } catch {
      return undefined
    }
  }
  if (!g || typeof g !== 'object') return undefined
  const { type, coordinates } = g as { type?: unknown; coordinates?: unknown }
  const pos = (p: unknown): string => {
    if (!Array.isArray(p) || p.length < 2 || !p.every((n) => typeof n === 'number' && Number.isFinite(n))) throw new Error('bad position')
    return (p as number[]).join(' ')
  }
  const list = (ps: unknown, f: (x: unknown) => string): string => {
    if (!Array.isArray(ps) || ps.length === 0) throw new Error('bad list')
    return `(${ps.map(f).join(', ')})`
  }
  const line = (ps: unknown) => list(ps, pos)
  const polygon = (rings: unknown) => list(rings, line)
  try {
    switch (type) {
      case 'Point':
        return `POINT (${pos(coordinates)})`
      case 'LineString':
        return `LINESTRING ${line(coordinates)}`
      case 'Polygon':
        return `POLYGON ${polygon(coordinates)}`
      case 'MultiPoint':
        return `MULTIPOINT ${list(coordinates, (p) => `(${pos(p)})`)}`
      case 'MultiLineString':
        return `MULTILINESTRING ${list(coordinates, line)}`
      case 'MultiPolygon':
        return `MULTIPOLYGON ${list(coordinates, polygon)}`
      default:
        return undefined
    }
  } catch {
    return undefined
  }
}

/** The bounding box of a GeoJSON geometry as a WKT polygon (4 decimals, as ckanext-dcat writes it). */
export function geoJsonBbox(value: string): string | undefined {
  let g: unknown
  try {
    g = JSON.parse(value)
  } catch {
    return undefined
  }
  const xs: number[] = []
  const ys: number[] = []
  const walk = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number' && typeof c[1] === 'number') {
      xs.push(c[0])
      ys.push(c[1])
    } else if (Array.isArray(c)) c.forEach(walk)
  }
  walk((g as { coordinates?: unknown } | null)?.coordinates)
  if (xs.length === 0) return undefined
  const f = (n: number) => String(Number(n.toFixed(4)))
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)].map(f)
  return `POLYGON ((${x0} ${y0}, ${x1} ${y0}, ${x1} ${y1}, ${x0} ${y1}, ${x0} ${y0}))`
}
