import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import n3 from 'n3'
import type { Term } from 'n3'
import { addDcatUsDataset } from '../../src/dcat/write/dcat-us.js'
import { parseRdfPage } from '../../src/dcat/read/catalog.js'
import { Graph } from '../../src/dcat/write/graph.js'
import { dcatApp } from './fixtures.js'
import { violations } from './shacl.js'

/**
 * The dcat_us_3 writer against ckanext-dcat's expectations (tests/profiles/dcat_us_3/
 * test_dcat_us_3_profile_serialize.py): unit cases on plain dicts, then our CKAN dataset
 * (test/fixtures/dcat/dcat-us-3-ckan.json) created and served, checked triple by triple and
 * with the DCAT-US 3 shapes.
 */

type Dict = Record<string, any>

const NS = {
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  rdfs: 'http://www.w3.org/2000/01/rdf-schema#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
  dcat: 'http://www.w3.org/ns/dcat#',
  dct: 'http://purl.org/dc/terms/',
  dcatus: 'http://resources.data.gov/ontology/dcat-us#',
  foaf: 'http://xmlns.com/foaf/0.1/',
  vcard: 'http://www.w3.org/2006/vcard/ns#',
  skos: 'http://www.w3.org/2004/02/skos/core#',
  cnt: 'http://www.w3.org/2011/content#',
  org: 'http://www.w3.org/ns/org#',
  locn: 'http://www.w3.org/ns/locn#',
  gsp: 'http://www.opengis.net/ont/geosparql#',
  adms: 'http://www.w3.org/ns/adms#',
}
const SITE = { url: 'http://test.local', title: 'Portal de prueba', description: '' }
const FIXTURE = JSON.parse(readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures/dcat/dcat-us-3-ckan.json'), 'utf8')) as Dict
const US_SHAPES = 'DCAT-US 3.0'
const SPEC_NAMESPACE = { renamespace: { 'http://data.resources.gov/ontology/dcat-us#': 'http://resources.data.gov/ontology/dcat-us#' } }

/** Objects of (s, p) in a store. */
function objs(store: n3.Store, s: Term | string, p: string): Term[] {
  return store.getObjects(typeof s === 'string' ? n3.DataFactory.namedNode(s) : s, p, null)
}
const values = (terms: Term[]) => terms.map((x) => x.value).sort()
const datatypes = (terms: Term[]) => terms.map((x) => (x.termType === 'Literal' ? x.datatype.value : x.termType))

function write(dict: Dict): n3.Store {
  const g = new Graph()
  addDcatUsDataset(g, { id: '0b0c0d0e-0000-4000-8000-000000000001', ...dict }, SITE)
  return new n3.Store(g.quads)
}
const DS = 'http://test.local/dataset/0b0c0d0e-0000-4000-8000-000000000001'
const distOf = (store: n3.Store) => objs(store, DS, `${NS.dcat}distribution`)[0]

t.test('distribution identifier: its own, else the resource id; always a literal', async (t) => {
  const own = write({ name: 'a', resources: [{ id: '89b67e5b-d0e1-4bc3-a75a-59f21c66ebc0', name: 'x', identifier: 'https://example.org/distributions/1' }] })
  const id1 = objs(own, distOf(own), `${NS.dct}identifier`)
  t.same(values(id1), ['https://example.org/distributions/1'])
  t.equal(id1[0].termType, 'Literal', 'the DCAT-US shapes want dct:identifier as a literal')
  const fallback = write({ name: 'a', resources: [{ id: '89b67e5b-d0e1-4bc3-a75a-59f21c66ebc0', name: 'x' }] })
  t.same(values(objs(fallback, distOf(fallback), `${NS.dct}identifier`)), ['89b67e5b-d0e1-4bc3-a75a-59f21c66ebc0'])
})

t.test('bounding boxes as xsd:decimal, from a root list or a JSON extra', async (t) => {
  for (const dict of [{ bbox: [{ west: -179.15, east: -129.98, north: 71.54, south: 51.21 }] }, { extras: [{ key: 'bbox', value: '[{"west": "-179.15", "east": "-129.98", "north": "71.54", "south": "51.21"}]' }] }]) {
    const store = write({ name: 'a', ...dict })
    const [box] = objs(store, DS, `${NS.dcatus}geographicBoundingBox`)
    t.ok(box, 'a bounding box node')
    t.same(values(objs(store, box, `${NS.rdf}type`)), [`${NS.dcatus}GeographicBoundingBox`], 'typed with the class')
    for (const [p, v] of [
      ['westBoundingLongitude', '-179.15'],
      ['eastBoundingLongitude', '-129.98'],
      ['northBoundingLatitude', '71.54'],
      ['southBoundingLatitude', '51.21'],
    ]) {
      const o = objs(store, box, `${NS.dcatus}${p}`)
      t.same([values(o), datatypes(o)], [[v], [`${NS.xsd}decimal`]], p)
    }
  }
})

t.test('data dictionary: a dcat:Distribution on the dataset and on a distribution; text stays a literal', async (t) => {
  const dd = { url: 'https://example.org/some-data-dictionary', format: 'https://example.org/file-type/JSON', license: 'https://example.org/license/CC0' }
  const store = write({ name: 'a', data_dictionary: [dd], resources: [{ id: '2607a002-142a-40b1-8026-96457b70c01d', name: 'r', data_dictionary: [dd] }] })
  for (const subject of [n3.DataFactory.namedNode(DS), distOf(store)]) {
    const [node] = objs(store, subject, `${NS.dcatus}describedBy`)
    t.ok(node, `${subject.value} is described by a data dictionary`)
    t.same(values(objs(store, node, `${NS.rdf}type`)), [`${NS.dcat}Distribution`])
    t.same(values(objs(store, node, `${NS.dcat}accessURL`)), [dd.url])
    t.same(values(objs(store, node, `${NS.dct}format`)), [dd.format])
    t.same(values(objs(store, node, `${NS.dct}license`)), [dd.license])
  }
  const text = write({ name: 'a', data_dictionary: 'https://example.org/some-data-dictionary' })
  const o = objs(text, DS, `${NS.dcatus}describedBy`)
  t.same([values(o), o[0]?.termType], [['https://example.org/some-data-dictionary'], 'Literal'])
})

t.test('publisher as org:Organization with skos:prefLabel; untitled landing page untyped; no publisher: the site', async (t) => {
  const store = write({ name: 'a', url: 'https://example.org/landing', extras: [{ key: 'publisher_name', value: 'Oficina de Parques' }] })
  const [pub] = objs(store, DS, `${NS.dct}publisher`)
  t.ok(values(objs(store, pub, `${NS.rdf}type`)).includes(`${NS.org}Organization`))
  t.same(values(objs(store, pub, `${NS.skos}prefLabel`)), ['Oficina de Parques'])
  t.same(objs(store, 'https://example.org/landing', `${NS.rdf}type`), [], 'a foaf:Document needs a dct:title in DCAT-US')
  const none = write({ name: 'a' })
  t.same(values(objs(none, DS, `${NS.dct}publisher`)), ['http://test.local/#publisher'])
  t.same(values(objs(none, 'http://test.local/#publisher', `${NS.foaf}name`)), ['Portal de prueba'])
})

async function served(t: { teardown(fn: () => unknown): void }): Promise<{ store: n3.Store; turtle: string; ds: string; dataset: Dict; rdfxml: string }> {
  const app = await dcatApp(t)
  const dataset = await app.ok<Dict>('package_create', FIXTURE)
  const res = await app.app.inject({ method: 'GET', url: `/dataset/${dataset.name}.ttl?profiles=dcat_us_3` })
  if (res.statusCode !== 200) throw new Error(res.body)
  const xml = await app.app.inject({ method: 'GET', url: `/dataset/${dataset.name}.rdf?profiles=dcat_us_3` })
  return { store: new n3.Store(new n3.Parser().parse(res.body)), turtle: res.body, ds: `http://test.local/dataset/${dataset.id}`, dataset, rdfxml: xml.body }
}

t.test('our CKAN dataset in dcat_us_3: the DCAT-US structures triple by triple, 0 violations', async (t) => {
  const { store, turtle, ds, dataset, rdfxml } = await served(t)
  t.same(await violations(turtle, US_SHAPES), [], 'DCAT-US 3 shapes')
  t.same(await violations(turtle, US_SHAPES, SPEC_NAMESPACE), [], 'DCAT-US 3 shapes on the specification namespace')
  t.match(rdfxml, /dcatus:geographicBoundingBox/, 'RDF/XML carries the DCAT-US prefix')

  const contacts = objs(store, ds, `${NS.dcat}contactPoint`)
  t.same(contacts.map((c) => values(objs(store, c, `${NS.vcard}fn`))[0]).sort(), ['Trail Counts Team', 'Visitor Data Office'])
  t.same(contacts.map((c) => values(objs(store, c, `${NS.vcard}hasEmail`))[0]).sort(), ['mailto:counts@parks.example.gov', 'mailto:visitors@parks.example.gov'])
  const pubs = objs(store, ds, `${NS.dct}publisher`)
  t.equal(pubs.length, 1, 'one publisher')
  t.same(values(objs(store, pubs[0], `${NS.foaf}name`)), ['National Trails Service'])
  t.same(values(objs(store, pubs[0], `${NS.vcard}hasEmail`)), ['mailto:info@parks.example.gov'])
  t.same(values(objs(store, pubs[0], `${NS.foaf}homepage`)), ['https://parks.example.gov'])
  t.same(values(objs(store, pubs[0], `${NS.skos}prefLabel`)), ['National Trails Service'])
  const contributors = objs(store, ds, `${NS.dct}contributor`)
  t.same(contributors.map((c) => values(objs(store, c, `${NS.foaf}name`))[0]).sort(), ['State University Recreation Lab', 'Volunteer Counters Network'])
  t.same(contributors.map((c) => values(objs(store, c, `${NS.vcard}hasEmail`))[0]).sort(), ['mailto:reclab@stateu.example.edu', 'mailto:volunteers@parks.example.org'])
  const periods = objs(store, ds, `${NS.dct}temporal`)
  t.same(periods.map((p) => values(objs(store, p, `${NS.dcat}startDate`))[0]).sort(), ['2015-04-01', '2021-04-01'])
  t.same(
    periods.flatMap((p) => datatypes(objs(store, p, `${NS.dcat}endDate`))),
    [`${NS.xsd}date`, `${NS.xsd}date`],
  )
  const [where] = objs(store, ds, `${NS.dct}spatial`)
  t.equal(where.value, 'https://sws.geonames.org/5509945/')
  t.same(values(objs(store, where, `${NS.skos}prefLabel`)), ['Canyon Country'])
  const geometry = objs(store, where, `${NS.locn}geometry`)
  t.same([values(geometry), datatypes(geometry)], [['POLYGON ((-113.9 36, -111.8 36, -111.8 37.3, -113.9 37.3, -113.9 36))'], [`${NS.gsp}wktLiteral`]])
  t.same(values(objs(store, where, `${NS.dcat}centroid`)), ['POINT (-112.85 36.65)'])
  const [liability] = objs(store, ds, `${NS.dcatus}liabilityStatement`)
  t.same(values(objs(store, liability, `${NS.rdfs}label`)), ['Counts are estimates; the Park Service accepts no liability for their use.'])
  t.equal(objs(store, ds, `${NS.dcatus}geographicBoundingBox`).length, 2, 'two bounding boxes')
  t.same(values(objs(store, ds, `${NS.dcatus}purpose`)), ['Plan trail maintenance where use is heaviest'])
  t.same(values(objs(store, ds, `${NS.skos}scopeNote`)), ['Counts below 5 per day are suppressed'])
  const [relation] = objs(store, ds, `${NS.dcat}qualifiedRelation`)
  t.same(values(objs(store, relation, `${NS.dct}relation`)), ['https://data.parks.example.gov/dataset/trail-closures'])
  t.same(values(objs(store, relation, `${NS.dcat}hadRole`)), ['http://www.iana.org/assignments/relation/related'])
  const [dsDict] = objs(store, ds, `${NS.dcatus}describedBy`)
  t.same(values(objs(store, dsDict, `${NS.dcat}accessURL`)), ['https://parks.example.gov/trail-counts/dictionary'])

  const [dist] = objs(store, ds, `${NS.dcat}distribution`)
  t.equal(dist.value, `${ds}/resource/${dataset.resources[0].id}`)
  t.same(values(objs(store, dist, `${NS.dct}identifier`)), ['trail-counts-daily-csv'])
  t.same(values(objs(store, dist, `${NS.cnt}characterEncoding`)), ['UTF-8'])
  const [distDict] = objs(store, dist, `${NS.dcatus}describedBy`)
  const format = objs(store, distDict, `${NS.dct}format`)[0]
  t.equal(format.termType, 'BlankNode', 'a format without IRI is a node')
  t.same(values(objs(store, format, `${NS.rdfs}label`)), ['CSV'])
})

t.test('our CKAN dataset in dcat_us_3: the DCAT-AP properties ckanext-dcat e2e test expects', async (t) => {
  const { store, ds } = await served(t)
  t.same(values(objs(store, ds, `${NS.adms}versionNotes`)), ['Counter 12 moved to the north trailhead'])
  t.same(values(objs(store, ds, `${NS.dct}provenance`)), ['https://parks.example.gov/about/trail-counters.html'])
  t.same(values(objs(store, ds, `${NS.dct}type`)), ['http://purl.org/dc/dcmitype/Dataset'])
  t.same(values(objs(store, ds, `${NS.dct}accessRights`)), ['https://resources.data.gov/vocab/access-right/PUBLIC'])
  t.same(values(objs(store, ds, `${NS.dct}isReferencedBy`)), ['https://doi.org/10.5555/trails.2024.3'])
  t.same(values(objs(store, ds, `${NS.dct}conformsTo`)), ['https://resources.data.gov/vocab/protocol/DCAT_US_3_0'])
  t.same(values(objs(store, ds, `${NS.foaf}page`)), ['https://parks.example.gov/trail-counts/methods'])
  t.same(values(objs(store, ds, `${NS.dcat}temporalResolution`)), ['P1D'])
  t.same(values(objs(store, ds, `${NS.dcat}spatialResolutionInMeters`)), ['30'])
  t.same(
    objs(store, ds, `${NS.adms}identifier`)
      .map((i) => values(objs(store, i, `${NS.skos}notation`))[0])
      .sort(),
    ['PARKS-TRAIL-CNT', 'https://registry.parks.example.gov/d/5521'],
  )
  const [dist] = objs(store, ds, `${NS.dcat}distribution`)
  t.same(values(objs(store, dist, `${NS.adms}status`)), ['http://purl.org/adms/status/Completed'])
  t.same(values(objs(store, dist, `${NS.dcat}compressFormat`)), ['http://www.iana.org/assignments/media-types/application/gzip'])
  t.same(values(objs(store, dist, `${NS.dcat}packageFormat`)), ['http://publications.europa.eu/resource/authority/file-type/TAR'])
  t.same(values(objs(store, dist, `${NS.dcat}temporalResolution`)), ['P1D'])
})

/** The fixture's structure `key` with each item reduced to the subfields given there, as text. */
function given(key: string): Dict[] {
  const raw = (FIXTURE.extras as Dict[]).find((e) => e.key === key)?.value
  return (JSON.parse(raw) as Dict[]).map((item) => Object.fromEntries(Object.entries(item).map(([k, v]) => [k, typeof v === 'object' ? v : String(v)])))
}

t.test('our CKAN dataset published in dcat_us_3 and read back with dcat_us_3: the DCAT-US structures come back', async (t) => {
  const { turtle } = await served(t)
  const page = await parseRdfPage(turtle, { rdfFormat: 'turtle', sourceUrl: 'https://parks.example.gov/catalog', profiles: ['dcat_us_3'] })
  const dict = page.datasets[0].dict as Dict
  const extras = Object.fromEntries((dict.extras as Dict[]).map((e) => [e.key, e.value]))
  const sortBy = (items: Dict[]) => [...items].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))
  for (const key of ['contact', 'creator', 'contributor', 'temporal_coverage', 'bbox', 'data_dictionary', 'qualified_relation']) {
    const expected = given(key)
    const back = (JSON.parse(extras[key] ?? '[]') as Dict[]).map((item) => Object.fromEntries(Object.keys(expected[0]).map((k) => [k, item[k]])))
    t.same(sortBy(back), sortBy(expected), key)
  }
  for (const key of ['liability', 'purpose', 'usage']) t.equal(extras[key], (FIXTURE.extras as Dict[]).find((e) => e.key === key)?.value, key)
  t.same([extras.publisher_name, extras.publisher_email, extras.publisher_url], ['National Trails Service', 'info@parks.example.gov', 'https://parks.example.gov'], 'publisher')
  t.same([extras.spatial_uri, extras.spatial_text], ['https://sws.geonames.org/5509945/', 'Canyon Country'], 'location')
  const [res] = dict.resources as Dict[]
  const src = FIXTURE.resources[0] as Dict
  for (const key of ['identifier', 'character_encoding', 'name', 'description', 'url', 'size', 'hash']) t.same(res[key], src[key], `resource ${key}`)
  t.same(JSON.parse(res.data_dictionary), JSON.parse(src.data_dictionary), 'resource data_dictionary')
})

t.test('the DCAT-US 3 shapes do catch a broken graph (and the moved namespace reaches DCAT-US properties)', async (t) => {
  const bad = `@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> . @prefix dcatus: <http://resources.data.gov/ontology/dcat-us#> .
    <http://x/ds> a dcat:Dataset ; dct:title "x" ; dct:description "y" ; dcatus:liabilityStatement "not a node" .`
  const asIs = await violations(bad, US_SHAPES)
  t.ok(
    asIs.some((v) => v.path === 'http://purl.org/dc/terms/publisher'),
    'a dataset without publisher is reported',
  )
  t.notOk(
    asIs.some((v) => v.path === `${NS.dcatus}liabilityStatement`),
    "the file's own namespace misses DCAT-US properties",
  )
  const moved = await violations(bad, US_SHAPES, SPEC_NAMESPACE)
  t.ok(
    moved.some((v) => v.path === `${NS.dcatus}liabilityStatement`),
    'a literal liability statement is reported on the specification namespace',
  )
})
