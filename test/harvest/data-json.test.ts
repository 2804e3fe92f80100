import t from 'tap'
import { createHash } from 'node:crypto'
import { parseDataJsonPage } from '../../src/dcat/data-json/read.js'
import { HarvestParseError } from '../../src/dcat/read/parsed.js'
import { extra, fixture } from './fixtures.js'

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

t.test('catalog.json (ckanext-dcat example, {dataset: [...]})', async (t) => {
  const page = parseDataJsonPage(fixture('catalog.json'), opts)
  t.equal(page.nextPage, null)
  t.same(page.errors, [])
  t.same(
    page.datasets.map((d) => d.guid),
    ['https://data.some.org/catalog/datasets/1', 'https://data.some.org/catalog/datasets/2'],
  )
  const [d1, d2] = page.datasets
  t.equal(d1.dict.title, 'Example dataset 1')
  t.match(d1.dict.notes, /Some special characters: Θεσσαλονίκη\.$/)
  t.same(d1.dict.tags, [{ name: 'stats' }, { name: 'pollution' }])
  t.equal(d1.dict.license_id, '')
  t.equal(d1.modified, '2013-04-26T00:00:00Z')
  t.equal(extra(d1.dict, 'issued'), '2013-04-26T00:00:00Z')
  t.equal(extra(d1.dict, 'modified'), '2013-04-26T00:00:00Z')
  t.equal(extra(d1.dict, 'guid'), 'https://data.some.org/catalog/datasets/1')
  t.equal(extra(d1.dict, 'publisher_name'), 'Publishing Organization for dataset 1')
  t.equal(extra(d1.dict, 'publisher_email'), 'contact@some.org')
  t.equal(extra(d1.dict, 'language'), '["en"]')
  t.same(
    (d1.dict.resources as Res[]).map((r) => [r.name, r.url, r.format]),
    [
      ['A distribution for this dataset in CSV format', 'https://data.some.org/the/actual/catalog/datasets/1/resources/1.csv', 'CSV'],
      ['A distribution for this dataset in PDF format', 'https://data.some.org/the/actual/catalog/datasets/1/resources/2.pdf', 'PDF'],
      ['A distribution for this dataset as an API', 'https://data.some.org/the/actual/catalog/link/to/an/api', undefined],
    ],
  )
  t.equal(d2.dict.title, 'Example dataset 2')
  t.same(d2.dict.tags, [{ name: 'stats' }, { name: 'education' }, { name: 'sloths' }])
  t.same(JSON.parse(d2.content), JSON.parse(fixture('catalog.json')).dataset[1], 'content is the record JSON')
})

t.test('a bare list (ckanext-dcat dcat_json) gives the same records', async (t) => {
  const list = parseDataJsonPage(fixture('catalog_datasets_list.json'), opts)
  const catalog = parseDataJsonPage(fixture('catalog.json'), opts)
  t.same(
    list.datasets.map((d) => d.dict),
    catalog.datasets.map((d) => d.dict),
  )
})

t.test('DCAT-US 1.1 record: contact point, licence, media type, theme, spatial, temporal, access level', async (t) => {
  const page = parseDataJsonPage(fixture('catalog_pod.jsonld'), opts)
  t.equal(page.datasets.length, 1)
  const d = page.datasets[0]
  t.equal(d.guid, 'widgets-0001')
  t.equal(d.modified, '2011-11-19T12:00:00Z')
  t.equal(d.dict.title, 'U.S. Widget Manufacturing Statistics')
  t.equal(d.dict.url, 'http://agency.gov/widgets/data')
  t.equal(d.dict.maintainer, 'Jane Doe')
  t.equal(d.dict.maintainer_email, 'jane.doe@agency.gov')
  t.same(d.dict.tags, [{ name: 'widget' }, { name: 'manufacturing' }, { name: 'factory' }])
  // CC0's own page is not the register's (opendefinition.org) url, but is known as cc-zero
  t.equal(d.dict.license_id, 'cc-zero')
  t.equal(extra(d.dict, 'license'), undefined, 'a recognised licence is not kept as an extra too')
  const want: Record<string, string> = {
    issued: '2011-11-22',
    identifier: 'widgets-0001',
    publisher_name: 'Widget Services',
    language: '["en-US"]',
    theme: '["manufacturing"]',
    frequency: 'R/P1Y',
    access_rights: 'public',
    spatial_text: 'United States',
    temporal_start: '2009-09-01T12:00:00Z',
    temporal_end: '2010-05-31T12:00:00Z',
    guid: 'widgets-0001',
  }
  for (const [k, v] of Object.entries(want)) t.equal(extra(d.dict, k), v, `extra ${k}`)
  const res = d.dict.resources as Res[]
  t.same(
    res.map((r) => [r.url, r.mimetype, r.format]),
    [
      ['https://data.agency.gov/datasets/widgets-statistics/widgets.csv', 'text/csv', 'CSV'],
      ['https://data.agency.gov/datasets/widgets-statistics/widgets-all.zip', 'application/zip', 'Zipped CSV'],
      ['http://www.agency.gov/feeds/widgets-all.json', 'application/json', 'JSON'],
      ['https://data.agency.gov/api/widgets-statistics/', undefined, 'API'],
    ],
  )
  t.equal(res[2].conforms_to, '["http://www.agency.gov/widget-data-standard/"]')
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
