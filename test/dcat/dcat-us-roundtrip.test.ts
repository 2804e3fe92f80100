import { readFileSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import n3 from 'n3'
import { parseRdfPage } from '../../src/dcat/read/catalog.js'
import { dcatApp } from './fixtures.js'
import { violations } from './shacl.js'
import type { TestApp } from '../helpers/app.js'
import { LOCAL_REMOTES, createSource, jobReport, startJob } from '../harvest/harvest-helpers.js'

/**
 * dcat_us_3 both ways over our own DCAT-US 3 dataset (test/fixtures/dcat/dcat-us-3-dataset.ttl):
 * read it with the profile, store it, publish it again with the profile, and compare property by
 * property (the dicts read from both graphs, and the predicates of every node); the output passes
 * the official DCAT-US 3 shapes with 0 violations. A dcat_rdf source with `profiles` reads the
 * same fields; without it, DCAT-US's own fields are not read.
 */

type Dict = Record<string, any>

const FIXTURE = readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures/dcat/dcat-us-3-dataset.ttl'), 'utf8')
const US_SHAPES = 'DCAT-US 3.0'
// the shapes' dcat-us: namespace moved to the specification's, so its own classes and properties are checked too
const SPEC_NAMESPACE = { renamespace: { 'http://data.resources.gov/ontology/dcat-us#': 'http://resources.data.gov/ontology/dcat-us#' } }

async function read(turtle: string, profiles?: string[]): Promise<Dict> {
  const page = await parseRdfPage(turtle, { rdfFormat: 'turtle', sourceUrl: 'https://lakes.example.gov/catalog', profiles })
  if (page.datasets.length !== 1) throw new Error(`one dataset expected, ${page.datasets.length} read: ${JSON.stringify(page.errors)}`)
  return page.datasets[0].dict as Dict
}

const extrasOf = (d: Dict): Dict => Object.fromEntries((d.extras as Dict[]).map((e) => [e.key, e.value]))
/** A resource as the reader gives it, without what only a stored dataset has. */
const resourceOf = (r: Dict): Dict => Object.fromEntries(Object.entries(r).filter(([k]) => !['id', 'package_id'].includes(k)))

/** The predicates used by each node, blank nodes named by the path that reaches them from the dataset. */
function predicatesByNode(turtle: string): Map<string, string[]> {
  const quads = new n3.Parser().parse(turtle)
  const names = new Map<string, string>()
  const name = (t: n3.Term): string => (t.termType === 'BlankNode' ? (names.get(t.value) ?? `_:${t.value}`) : t.value)
  // name blank nodes by subject + predicate + the sorted literals they carry, so two bounding boxes stay apart
  // (literals only: an output may add types or links to a node, and it is still the same node)
  for (let round = 0; round < 4; round++) {
    for (const q of quads) {
      if (q.object.termType !== 'BlankNode') continue
      const literals = quads
        .filter((x) => x.subject.equals(q.object) && x.object.termType === 'Literal')
        .map((x) => x.object.value)
        .sort()
        .join('|')
      names.set(q.object.value, `${name(q.subject)} ${q.predicate.value} [${literals}]`)
    }
  }
  const out = new Map<string, Set<string>>()
  for (const q of quads) {
    const k = name(q.subject)
    if (!out.has(k)) out.set(k, new Set())
    out.get(k)!.add(q.predicate.value)
  }
  return new Map([...out].map(([k, v]) => [k, [...v].sort()]))
}

async function publish(app: TestApp): Promise<{ dataset: Dict; served: string }> {
  const dict = await read(FIXTURE, ['dcat_us_3'])
  const dataset = await app.ok<Dict>('package_create', { ...dict, name: 'erie-surface-temperature' })
  const res = await app.app.inject({ method: 'GET', url: `/dataset/${dataset.name}.ttl?profiles=dcat_us_3` })
  if (res.statusCode !== 200) throw new Error(`/dataset/${dataset.name}.ttl?profiles=dcat_us_3: ${res.statusCode} ${res.body}`)
  return { dataset, served: res.body }
}

// one app and one published dataset for the publishing tests (a fresh app costs seconds)
const app = await dcatApp(t)
const { dataset, served } = await publish(app)

t.test('the DCAT-US fields are read from our DCAT-US 3 dataset (ckanext-dcat dcat_us_3 parse expectations)', async (t) => {
  const dict = await read(FIXTURE, ['dcat_us_3'])
  const x = extrasOf(dict)
  t.same(JSON.parse(x.bbox), [
    { west: '-83.5', east: '-82.4', north: '42.1', south: '41.4' },
    { west: '-81.7', east: '-80.5', north: '42.6', south: '41.9' },
  ])
  t.same(JSON.parse(x.data_dictionary), [
    { url: 'https://lakes.example.gov/erie/temperature/dictionary.json', format: 'https://www.iana.org/assignments/media-types/application/json', license: 'https://creativecommons.org/publicdomain/zero/1.0/' },
  ])
  t.equal(x.liability, 'Provisional data: readings may change after quality control.')
  const contributors = JSON.parse(x.contributor) as Dict[]
  t.match(contributors, [
    { uri: 'https://orcid.org/0000-0001-0000-0042', name: 'Marguerite Okafor' },
    { uri: '', name: 'Lakeside University Hydrology Lab', email: 'hydrolab@lakeside.example.edu', url: 'https://hydrolab.lakeside.example.edu' },
  ])
  t.same(JSON.parse(x.purpose), ['Track the warming trend of the western basin', 'Warn fisheries about hypoxia events'])
  t.same(JSON.parse(x.usage), ['Readings before 2019 were taken at 1 m depth'])
  t.same(
    (JSON.parse(x.contact) as Dict[]).map((c) => [c.name, c.email]),
    [
      ['Buoy Operations Desk', 'buoys@lakes.example.gov'],
      ['Data Steward', 'steward@lakes.example.gov'],
    ],
    'every contact point, not only the first',
  )
  t.same(JSON.parse(x.temporal_coverage), [
    { start: '2012-05-01', end: '2016-10-31' },
    { start: '2019-05-01', end: '2024-09-30' },
  ])
  t.same(JSON.parse(x.qualified_relation), [{ uri: '', relation: 'https://data.lakes.example.gov/dataset/erie-ice-cover', role: 'http://www.iana.org/assignments/relation/related' }])
  // the flat DCAT-AP extras stay for other profiles and CKAN clients
  t.equal(x.contact_name, 'Buoy Operations Desk')
  const [csv, api] = dict.resources as Dict[]
  t.equal(csv.identifier, 'erie-temp-0042-csv')
  t.equal(api.identifier, 'erie-temp-0042-api')
  t.equal(csv.character_encoding, 'UTF-8')
  t.equal(csv.temporal_resolution, 'PT1H')
  t.same(JSON.parse(csv.data_dictionary), [
    { url: 'https://lakes.example.gov/erie/temperature/files/columns.csv', format: 'http://publications.europa.eu/resource/authority/file-type/CSV', license: 'https://creativecommons.org/publicdomain/zero/1.0/' },
  ])

  // DCAT-AP profiles do not read DCAT-US's own fields
  const ap = extrasOf(await read(FIXTURE))
  for (const k of ['bbox', 'data_dictionary', 'liability', 'contributor', 'purpose', 'usage', 'contact', 'temporal_coverage']) t.notOk(k in ap, `${k} is not read without dcat_us_3`)
})

const US_EXTRAS = ['bbox', 'data_dictionary', 'liability', 'contributor', 'purpose', 'usage', 'contact', 'creator', 'temporal_coverage', 'qualified_relation']
const US_RESOURCE_KEYS = ['identifier', 'character_encoding', 'data_dictionary']

t.test('dcat_us_3 output of the stored dataset: 0 violations of the DCAT-US 3 shapes, the DCAT-US fields read back', async (t) => {
  t.same(await violations(served, US_SHAPES), [], 'DCAT-US 3 shapes as published')
  t.same(await violations(served, US_SHAPES, SPEC_NAMESPACE), [], 'DCAT-US 3 shapes on the specification namespace')
  const before = await read(FIXTURE, ['dcat_us_3'])
  const after = await read(served, ['dcat_us_3'])
  const [xb, xa] = [extrasOf(before), extrasOf(after)]
  for (const key of US_EXTRAS) {
    t.ok(xb[key], `the source has ${key}`)
    t.same(xa[key], xb[key], `extra ${key}`)
  }
  for (const [i, r] of (before.resources as Dict[]).entries()) {
    for (const key of US_RESOURCE_KEYS) if (key in r) t.same((after.resources as Dict[])[i][key], r[key], `resource ${i} ${key}`)
  }
})

// Every property, DCAT-AP's included: most of those are written by the DCAT-AP writer (issue 17 "Out")
const AP_WRITER = {}

t.test('dcat_us_3 output of the stored dataset: every property read back', AP_WRITER, async (t) => {
  const before = await read(FIXTURE, ['dcat_us_3'])
  const after = await read(served, ['dcat_us_3'])
  for (const key of ['title', 'notes', 'url', 'version', 'license_id']) t.equal(after[key], before[key], key)
  t.same((after.tags as Dict[]).map((x) => x.name).sort(), (before.tags as Dict[]).map((x) => x.name).sort(), 'tags')
  const [xb, xa] = [extrasOf(before), extrasOf(after)]
  for (const key of Object.keys(xb).sort()) t.same(xa[key], xb[key], `extra ${key}`)
  t.same(Object.keys(xa).sort(), Object.keys(xb).sort(), 'no extra appears that the source did not have')
  t.equal((after.resources as Dict[]).length, 2)
  for (const [i, r] of (before.resources as Dict[]).entries()) {
    const back = resourceOf((after.resources as Dict[])[i])
    for (const key of Object.keys(r).sort()) t.same(back[key], r[key], `resource ${i} ${key}`)
  }
  t.equal(dataset.name, 'erie-surface-temperature')
})

t.test('dcat_us_3 output keeps the predicates of every node of the source graph', AP_WRITER, async (t) => {
  const source = predicatesByNode(FIXTURE)
  const output = predicatesByNode(served)
  for (const [node, predicates] of source) {
    const back = output.get(node) ?? []
    t.same(
      predicates.filter((p) => !back.includes(p)),
      [],
      `${node}: no predicate lost`,
    )
  }
})

t.test('a catalog page in dcat_us_3 passes the DCAT-US 3 shapes', async (t) => {
  await app.ok('package_create', { name: 'minimo', notes: 'Sin más', resources: [{ url: 'https://example.org/a.xyz', format: 'XYZ' }] })
  const res = await app.app.inject({ method: 'GET', url: '/catalog.ttl?profiles=dcat_us_3' })
  t.equal(res.statusCode, 200)
  t.same(await violations(res.body, US_SHAPES), [])
  t.same(await violations(res.body, US_SHAPES, SPEC_NAMESPACE), [])
})

/** A server answering every request with the fixture, as a remote DCAT-US catalog. */
async function remoteCatalog(t: { teardown(fn: () => unknown): void }): Promise<string> {
  const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/turtle' }).end(FIXTURE))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise((resolve) => server.close(resolve)))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/catalog.ttl`
}

t.test('the dcat_rdf harvester reads with the source config `profiles`', async (t) => {
  const url = await remoteCatalog(t)
  const app = await dcatApp(t, LOCAL_REMOTES)
  const harvested: Dict = {}
  for (const [name, config] of [
    ['con-perfil', JSON.stringify({ profiles: 'dcat_us_3' })],
    ['sin-perfil', ''],
  ]) {
    // two sources, two organizations: the same remote dataset lands twice
    await app.ok('organization_create', { name: `org-${name}` })
    const source = await createSource(app, { name, url, source_type: 'dcat_rdf', owner_org: `org-${name}`, config })
    const job = await startJob(app, source)
    await app.app.harvest.runInline(job)
    const report = await jobReport(app, job)
    t.same([report.gatherErrors, report.objectErrors, report.stats.added], [[], [], 1], `${name}: one dataset added`)
    const found = await app.ok<Dict>('package_search', { fq: `organization:org-${name}` })
    harvested[name] = found.results[0]
  }
  const us = extrasOf(harvested['con-perfil'])
  t.same(JSON.parse(us.bbox).length, 2, 'bounding boxes harvested')
  t.equal(us.liability, 'Provisional data: readings may change after quality control.')
  t.equal(JSON.parse(us.contact).length, 2)
  t.equal((harvested['con-perfil'].resources as Dict[]).find((r) => r.name === 'Readings API')?.identifier, 'erie-temp-0042-api')
  const plain = extrasOf(harvested['sin-perfil'])
  t.notOk('bbox' in plain, 'without profiles, DCAT-AP only')
  t.notOk('liability' in plain)

  const bad = await app.call('harvest_source_create', { name: 'mal', title: 'mal', url, source_type: 'dcat_rdf', config: JSON.stringify({ profiles: ['dcat_us_3', 'dcat_us_9'] }) })
  t.equal(bad.statusCode, 409, 'an unknown profile is refused')
  t.match(bad.body, /Unknown RDF profiles: dcat_us_9/)
})
