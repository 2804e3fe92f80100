/**
 * WKT → GeoJSON geometry, for the geometries DCAT-AP sources publish as gsp:wktLiteral
 * (ckanext-dcat converts them the same way, with geomet). Covers the OGC simple features CKAN's
 * spatial search uses; anything else yields null and the caller keeps no geometry.
 */

type Coords = number[] | Coords[]

const TYPES: Record<string, string> = {
  POINT: 'Point',
  LINESTRING: 'LineString',
  POLYGON: 'Polygon',
  MULTIPOINT: 'MultiPoint',
  MULTILINESTRING: 'MultiLineString',
  MULTIPOLYGON: 'MultiPolygon',
}

// depth of nesting of the coordinates in GeoJSON for each type
const DEPTH: Record<string, number> = { Point: 0, LineString: 1, MultiPoint: 1, Polygon: 2, MultiLineString: 2, MultiPolygon: 3 }

function parseList(text: string, pos: { i: number }): Coords {
  // at '(' : either a list of lists or a list of positions
  pos.i++
  const items: Coords[] = []
  for (;;) {
    while (text[pos.i] === ' ') pos.i++
    if (text[pos.i] === '(') {
      items.push(parseList(text, pos))
    } else {
      const m = /^[^,()]+/.exec(text.slice(pos.i))
      if (!m) throw new Error('bad WKT')
      pos.i += m[0].length
      const nums = m[0].trim().split(/\s+/).map(Number)
      if (nums.length < 2 || nums.some((n) => !Number.isFinite(n))) throw new Error('bad WKT')
      items.push(nums)
    }
    while (text[pos.i] === ' ') pos.i++
    if (text[pos.i] === ',') pos.i++
    else if (text[pos.i] === ')') {
      pos.i++
      return items
    } else throw new Error('bad WKT')
  }
}

function depthOf(c: Coords): number {
  return typeof c[0] === 'number' ? 0 : 1 + depthOf(c[0] as Coords)
}

/** The GeoJSON geometry for a WKT string (an optional `<crs IRI>` prefix is ignored), or null. */
export function wktToGeoJson(wkt: string): { type: string; coordinates: Coords } | null {
  const text = wkt
    .trim()
    .replace(/^<[^>]*>\s*/, '')
    .replace(/\s+/g, ' ')
  const m = /^([A-Za-z]+)\s*(?:Z|M|ZM)?\s*(\(.*\))$/.exec(text)
  if (!m) return null
  const type = TYPES[m[1].toUpperCase()]
  if (!type) return null
  try {
    const pos = { i: 0 }
    const body = m[2]
    let coords = parseList(body, pos)
    if (pos.i !== body.length) return null
    // POINT (x y) parses as a one-item list; MULTIPOINT may be written with or without inner parens
    if (type === 'Point') coords = coords[0] as Coords
    if (type === 'MultiPoint' && depthOf(coords) === 2) coords = (coords as Coords[]).map((c) => c[0] as Coords)
    if (depthOf(coords) !== DEPTH[type]) return null
    return { type, coordinates: coords }
  } catch {
    return null
  }
}
