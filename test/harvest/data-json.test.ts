import t from 'tap'
import { createHash } from 'node:crypto'
import { parseDataJsonPage } from '../../src/dcat/data-json/read.js'
import { HarvestParseError } from '../../src/dcat/read/parsed.js'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { extra } from './fixtures.js'

function fixture(name: string): string {
  return readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures/dcat', name), 'utf8')
}

const opts = { sourceUrl: 'https://agency.example.gov/data.json' }

function parseError(body: string): HarvestParseError {
  try {
    parseDataJsonPage(body, opts)
  } catch (err) {
    if (err instanceof HarvestParseError) return err
    throw err
  }
  throw new Error('page parsed without error')
}

type Res = Record<string, unknown>

t.test("a catalog ({dataset: [...]}) in the shape ckanext-dcat's JSON harvester reads", async (t) => {
  const page = parseDataJsonPage(fixture('data-json-catalog.json'), opts)
  t.equal(page.nextPage, null)
  t.same(page.errors, [])
  t.same(
    page.datasets.map((d) => d.guid),
    ['https://municipio.example.org/catalogo/conjuntos/1', 'https://municipio.example.org/catalogo/conjuntos/2'],
  )
  const [d1, d2] = page.datasets
  t.equal(d1.dict.title, 'Calidad del aire por estación')
  t.match(d1.dict.notes, /Caracteres especiales: Ñandú, Ушуая\.$/)
  t.same(d1.dict.tags, [{ name: 'ambiente' }, { name: 'aire' }])
  t.equal(d1.dict.license_id, '')
  t.equal(d1.dict.url, undefined, 'an empty landingPage is no url')
  t.equal(d1.modified, '2014-02-03T00:00:00Z')
  t.equal(extra(d1.dict, 'issued'), '2014-02-03T00:00:00Z')
  t.equal(extra(d1.dict, 'modified'), '2014-02-03T00:00:00Z')
  t.equal(extra(d1.dict, 'guid'), 'https://municipio.example.org/catalogo/conjuntos/1')
  t.equal(extra(d1.dict, 'publisher_name'), 'Dirección de Ambiente')
  t.equal(extra(d1.dict, 'publisher_email'), 'ambiente@municipio.example.org')
  t.equal(extra(d1.dict, 'language'), '["es"]')
  t.equal(d1.dict.author, 'Dirección de Ambiente', 'the publisher is the author')
  t.equal(d1.dict.maintainer_email, 'ambiente@municipio.example.org', 'and, without a contact point, the maintainer')
  const r1 = d1.dict.resources as Res[]
  t.same(
    r1.map((r) => [r.name, r.url, r.format, r.mimetype]),
    [
      ['Mediciones en CSV', 'https://municipio.example.org/archivos/conjuntos/1/aire.csv', 'CSV', undefined],
      ['Informe en PDF', 'https://municipio.example.org/archivos/conjuntos/1/informe.pdf', 'PDF', undefined],
      ['API de mediciones', 'https://municipio.example.org/api/aire', undefined, undefined],
    ],
    'a media type given as format is cleaned to a format name; empty strings are absent',
  )
  t.equal(r1[0].license, 'https://municipio.example.org/licencia', 'a distribution licence outside the register is kept as given')
  t.notOk('size' in r1[0] || 'issued' in r1[0], 'empty byteSize and issued are absent')
  t.equal(d2.dict.title, 'Arbolado urbano')
  t.same(d2.dict.tags, [{ name: 'ambiente' }, { name: 'árboles' }, { name: 'censo' }])
  t.same(JSON.parse(d2.content), JSON.parse(fixture('data-json-catalog.json')).dataset[1], 'content is the record JSON')
})

t.test('a bare list (ckanext-dcat dcat_json) gives the same records', async (t) => {
  const list = parseDataJsonPage(JSON.stringify(JSON.parse(fixture('data-json-catalog.json')).dataset), opts)
  const catalog = parseDataJsonPage(fixture('data-json-catalog.json'), opts)
  t.same(
    list.datasets.map((d) => d.dict),
    catalog.datasets.map((d) => d.dict),
  )
})

t.test('DCAT-US 1.1 record: contact point, licence, media type, theme, spatial, temporal, access level', async (t) => {
  const page = parseDataJsonPage(fixture('data-json-pod.jsonld'), opts)
  t.equal(page.datasets.length, 1)
  const d = page.datasets[0]
  t.equal(d.guid, 'molinos-0042')
  t.equal(d.modified, '2012-02-28T15:30:00Z')
  t.equal(d.dict.title, 'Fabricación nacional de molinos de viento')
  t.equal(d.dict.url, 'http://estadistica.example.gov/molinos/datos')
  t.equal(d.dict.maintainer, 'Marta Quiroga')
  t.equal(d.dict.maintainer_email, 'marta.quiroga@estadistica.example.gov')
  t.equal(d.dict.author, 'Servicios de Molinos')
  t.equal(d.dict.author_email, 'servicios.molinos@estadistica.example.gov')
  t.same(d.dict.tags, [{ name: 'molino' }, { name: 'fabricación' }, { name: 'industria' }])
  // CC0's own page is not the register's (opendefinition.org) url, but is known as cc-zero
  t.equal(d.dict.license_id, 'cc-zero')
  t.equal(extra(d.dict, 'license'), undefined, 'a recognised licence is not kept as an extra too')
  const want: Record<string, string> = {
    issued: '2012-03-14',
    identifier: 'molinos-0042',
    publisher_name: 'Servicios de Molinos',
    publisher_email: 'servicios.molinos@estadistica.example.gov',
    language: '["es-AR"]',
    theme: '["industria"]',
    frequency: 'R/P1Y',
    access_rights: 'public',
    rights: 'Conjunto dedicado al dominio público para su reutilización en todo el mundo',
    spatial_text: 'Argentina',
    temporal_start: '2010-02-01T08:00:00Z',
    temporal_end: '2011-01-31T20:00:00Z',
    guid: 'molinos-0042',
    conforms_to: '["https://estadistica.example.gov/taxonomia-molinos/"]',
    documentation: '["http://estadistica.example.gov/docs/molinos-1.html", "http://estadistica.example.gov/docs/molinos-2.html"]',
  }
  for (const [k, v] of Object.entries(want)) t.equal(extra(d.dict, k), v, `extra ${k}`)
  const res = d.dict.resources as Res[]
  t.same(
    res.map((r) => [r.url, r.mimetype, r.format]),
    [
      ['https://datos.estadistica.example.gov/conjuntos/molinos/molinos.csv', 'text/csv', 'CSV'],
      ['https://datos.estadistica.example.gov/conjuntos/molinos/molinos-todo.zip', 'application/zip', 'Zipped CSV'],
      ['http://www.estadistica.example.gov/fuentes/molinos.json', 'application/json', 'JSON'],
      ['https://datos.estadistica.example.gov/api/molinos/', undefined, 'API'],
    ],
  )
  t.equal(res[2].conforms_to, '["https://estadistica.example.gov/estandar-molinos/"]')
})

t.test('licence in the register, GeoJSON and bbox spatial, byteSize, duplicates and untitled records', async (t) => {
  const body = JSON.stringify({
    dataset: [
      {
        title: 'Con licencia',
        identifier: 'a',
        keyword: 'uno, dos',
        license: 'https://opendefinition.org/licenses/odc-by/',
        spatial: '-3.9,40.3,-3.5,40.6',
        temporal: '2020-01-01/P1Y',
        distribution: [{ downloadURL: 'https://x.example/a.csv', mediaType: 'text/csv', byteSize: '2048' }],
      },
      { title: 'GeoJSON', identifier: 'b', spatial: { type: 'Point', coordinates: [1, 2] }, license: 'cc-by' },
      { title: 'Repetido', identifier: 'a' },
      { identifier: 'c', description: 'sin título' },
      'not a record',
    ],
  })
  const page = parseDataJsonPage(body, opts)
  t.same(
    page.datasets.map((d) => d.guid),
    ['a', 'b'],
  )
  t.same(page.errors, [
    { guid: 'a', message: 'Duplicate dataset identifier a in the same page' },
    { guid: 'c', message: 'Dataset c has no title' },
    { guid: null, message: 'Dataset #5 is not a JSON object' },
  ])
  const [a, b] = page.datasets
  t.equal(a.dict.license_id, 'odc-by')
  t.same(a.dict.tags, [{ name: 'uno' }, { name: 'dos' }])
  t.same(JSON.parse(extra(a.dict, 'spatial') as string), {
    type: 'Polygon',
    coordinates: [
      [
        [-3.9, 40.3],
        [-3.5, 40.3],
        [-3.5, 40.6],
        [-3.9, 40.6],
        [-3.9, 40.3],
      ],
    ],
  })
  t.equal(extra(a.dict, 'temporal_start'), '2020-01-01')
  t.equal(extra(a.dict, 'temporal_end'), undefined, 'a duration is not an end date')
  t.same((a.dict.resources as Res[])[0], {
    download_url: 'https://x.example/a.csv',
    url: 'https://x.example/a.csv',
    mimetype: 'text/csv',
    format: 'CSV',
    size: 2048,
  })
  t.equal(b.dict.license_id, 'cc-by', 'a register id is accepted as is')
  t.equal(extra(b.dict, 'spatial'), '{"type":"Point","coordinates":[1,2]}')
})

t.test('no identifier: guid is the sha1 of the canonical JSON, whatever the key order', async (t) => {
  const one = parseDataJsonPage(JSON.stringify([{ title: 'Sin id', keyword: ['x'], modified: '2024-01-01' }]), opts)
  const two = parseDataJsonPage('[{"modified": "2024-01-01", "keyword": ["x"], "title": "Sin id"}]', opts)
  const expected = createHash('sha1').update('{"keyword":["x"],"modified":"2024-01-01","title":"Sin id"}').digest('hex')
  t.equal(one.datasets[0].guid, expected)
  t.equal(two.datasets[0].guid, expected)
  t.equal(extra(one.datasets[0].dict, 'guid'), expected)
})

t.test('unusable documents are HarvestParseErrors', async (t) => {
  t.match(parseError('<!DOCTYPE html><html><body>Not here</body></html>').message, /HTML or XML, not JSON/)
  t.match(parseError('{"dataset": [\n  {"title": "x",}\n]}').message, /invalid JSON \(line 2, column \d+\)/)
  const prose = parseError('Mantenimiento del sitio: clave interna 1234').message
  t.equal(prose, "Error parsing the data.json file: invalid JSON: Unexpected token 'M' is not valid JSON", 'the text itself is not quoted back')
  t.match(parseError('{"title": "a catalog without its list"}').message, /"dataset" list/)
  t.match(parseError('{"dataset": {"title": "not a list"}}').message, /"dataset" list/)
  t.match(parseError('"just a string"').message, /"dataset" list/)
  t.match(parseError(' ').message, /empty/)
})
