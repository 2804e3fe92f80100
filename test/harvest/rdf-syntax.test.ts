import t from 'tap'
import { detectSyntax } from '../../src/dcat/read/rdf-load.js'
import { wktToGeoJson } from '../../src/dcat/read/wkt.js'
import { pyJsonDumps } from '../../src/dcat/read/pyjson.js'
import { HarvestParseError } from '../../src/dcat/read/parsed.js'

t.test('format: rdf_format, then Content-Type, then URL extension, then a sniff', async (t) => {
  const cases: [string, Parameters<typeof detectSyntax>[1], string][] = [
    ['<?xml version="1.0"?><rdf:RDF/>', { rdfFormat: 'turtle', contentType: 'application/rdf+xml' }, 'turtle'],
    ['', { rdfFormat: 'pretty-xml' }, 'rdfxml'],
    ['', { rdfFormat: 'json-ld' }, 'jsonld'],
    ['', { rdfFormat: 'nt' }, 'ntriples'],
    ['', { rdfFormat: 'n3' }, 'n3'],
    ['', { contentType: 'text/turtle; charset=utf-8' }, 'turtle'],
    ['', { contentType: 'application/ld+json' }, 'jsonld'],
    ['', { contentType: 'application/n-triples' }, 'ntriples'],
    ['', { contentType: 'text/n3', url: 'https://x.example/catalog.rdf' }, 'n3'],
    ['', { contentType: 'application/octet-stream', url: 'https://x.example/catalog.rdf?page=2' }, 'rdfxml'],
    ['', { contentType: null, url: 'https://x.example/catalog.jsonld' }, 'jsonld'],
    ['', { url: 'https://x.example/catalog.ttl' }, 'turtle'],
    ['  <?xml version="1.0"?>', { contentType: 'text/plain', url: 'https://x.example/catalog' }, 'rdfxml'],
    ['<rdf:RDF xmlns:rdf="…">', {}, 'rdfxml'],
    ['\n{"@graph": []}', {}, 'jsonld'],
    ['[{"@id": "x"}]', {}, 'jsonld'],
    ['@prefix dcat: <http://www.w3.org/ns/dcat#> .', {}, 'turtle'],
  ]
  for (const [body, hints, want] of cases) t.equal(detectSyntax(body, hints), want, JSON.stringify(hints))
  t.throws(() => detectSyntax('', { rdfFormat: 'hdt' }), HarvestParseError)
})

t.test('WKT → GeoJSON', async (t) => {
  t.same(wktToGeoJson('POINT (1 2)'), { type: 'Point', coordinates: [1, 2] })
  t.same(wktToGeoJson('<http://www.opengis.net/def/crs/OGC/1.3/CRS84> POINT(-3.7 40.4)'), { type: 'Point', coordinates: [-3.7, 40.4] })
  t.same(wktToGeoJson('LINESTRING (0 0, 1 1)'), {
    type: 'LineString',
    coordinates: [
      [0, 0],
      [1, 1],
    ],
  })
  t.same(wktToGeoJson('polygon((0 0,1 0,1 1,0 0))'), {
    type: 'Polygon',
    coordinates: [
      [
        [0, 0],
        [1, 0],
        [1, 1],
        [0, 0],
      ],
    ],
  })
  t.same(wktToGeoJson('MULTIPOINT ((1 2), (3 4))'), {
    type: 'MultiPoint',
    coordinates: [
      [1, 2],
      [3, 4],
    ],
  })
  t.same(wktToGeoJson('MULTIPOINT (1 2, 3 4)'), {
    type: 'MultiPoint',
    coordinates: [
      [1, 2],
      [3, 4],
    ],
  })
  t.same(wktToGeoJson('MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5)))'), {
    type: 'MultiPolygon',
    coordinates: [
      [
        [
          [0, 0],
          [1, 0],
          [1, 1],
          [0, 0],
        ],
      ],
      [
        [
          [5, 5],
          [6, 5],
          [6, 6],
          [5, 5],
        ],
      ],
    ],
  })
  for (const bad of ['POINT (1)', 'POINT (a b)', 'POLYGON ((0 0, 1 1)', 'CIRCLE (1 2)', 'POLYGON (0 0, 1 1)', 'Madrid']) {
    t.equal(wktToGeoJson(bad), null, bad)
  }
})

t.test("Python's json.dumps text", async (t) => {
  t.equal(pyJsonDumps(['en', 'es']), '["en", "es"]')
  t.equal(pyJsonDumps(['Año', 'Θ', '😀']), '["A\\u00f1o", "\\u0398", "\\ud83d\\ude00"]')
  t.equal(pyJsonDumps({ type: 'Point', coordinates: [1, 2.5] }, true), '{"type": "Point", "coordinates": [1.0, 2.5]}')
  t.equal(pyJsonDumps([]), '[]')
})
