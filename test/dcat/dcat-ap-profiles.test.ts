import t from 'tap'
import n3 from 'n3'
import type { TestApp } from '../helpers/app.js'
import { parseRdfPage } from '../../src/dcat/read/catalog.js'
import { dcatApp } from './fixtures.js'

const DCAT = 'http://www.w3.org/ns/dcat#'
const DCT = 'http://purl.org/dc/terms/'
const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type'
const RDFS_LABEL = 'http://www.w3.org/2000/01/rdf-schema#label'
const SPDX = 'http://spdx.org/rdf/terms#'
const XSD = 'http://www.w3.org/2001/XMLSchema#'
const OWL_VERSION = 'http://www.w3.org/2002/07/owl#versionInfo'
const SCHEMA = 'http://schema.org/'
const LOCN_GEOMETRY = 'http://www.w3.org/ns/locn#geometry'

async function graph(app: TestApp, name: string, profiles: string): Promise<n3.Store> {
  const res = await app.app.inject({ method: 'GET', url: `/dataset/${name}.ttl?profiles=${profiles}` })
  if (res.statusCode !== 200) throw new Error(`${res.statusCode} ${res.body}`)
  return new n3.Store(new n3.Parser().parse(res.body))
}

const objects = (g: n3.Store, s: n3.Term | string, p: string) => g.getObjects(s, p, null)

/** The distribution node of the resource called `name`. */
function distribution(g: n3.Store, name: string): n3.Term {
  const found = g.getSubjects(`${DCT}title`, n3.DataFactory.literal(name), null).find((s) => g.countQuads(s, RDF_TYPE, `${DCAT}Distribution`, null) > 0)
  if (!found) throw new Error(`no distribution ${name}`)
  return found
}

// one app (one database) for the whole file; each subtest uses datasets of its own
const app = await dcatApp(t, { SITE_LOCALE: 'en' })

t.test('checksums: a stored algorithm IRI is used as is; DCAT-AP 2 carries SHA-1 only', async (t) => {
  const sha1 = '4f1a2b3c4d5e6f708192a3b4c5d6e7f809a1b2c3'
  const sha256 = 'aa'.repeat(32)
  await app.ok('package_create', {
    name: 'sumas',
    resources: [
      { name: 'iri', url: 'https://example.org/a.csv', hash: sha1, hash_algorithm: 'http://spdx.org/rdf/terms#checksumAlgorithm_sha1' },
      { name: 'nombre', url: 'https://example.org/b.csv', hash: sha256, hash_algorithm: 'SHA-256' },
    ],
  })
  for (const profile of ['euro_dcat_ap_3', 'euro_dcat_ap_2', 'euro_dcat_ap']) {
    const g = await graph(app, 'sumas', profile)
    const [sum] = objects(g, distribution(g, 'iri'), `${SPDX}checksum`)
    t.same(
      objects(g, sum, `${SPDX}algorithm`).map((o) => o.value),
      ['http://spdx.org/rdf/terms#checksumAlgorithm_sha1'],
      `${profile}: the stored IRI, not a name made from it`,
    )
    t.same(
      objects(g, sum, `${SPDX}checksumValue`).map((o) => [o.value, (o as n3.Literal).datatype.value]),
      [[sha1, `${XSD}hexBinary`]],
      `${profile}: value`,
    )
    const other = objects(g, distribution(g, 'nombre'), `${SPDX}checksum`)
    if (profile === 'euro_dcat_ap_3') {
      t.same(
        objects(g, other[0], `${SPDX}algorithm`).map((o) => o.value),
        ['http://spdx.org/rdf/terms#checksumAlgorithm_sha256'],
        'a named algorithm becomes its SPDX IRI',
      )
    } else {
      t.same(other, [], `${profile}: a SHA-256 checksum is left out (DCAT-AP 2.1.1 fixes the algorithm to SHA-1)`)
    }
  }
})

t.test('formats without an EU file-type IRI are labelled dct:MediaTypeOrExtent nodes', async (t) => {
  await app.ok('package_create', {
    name: 'formatos',
    resources: ['PHP', 'DTA', 'DB', 'CSV'].map((format) => ({ name: format, url: `https://example.org/archivo-${format.toLowerCase()}`, format })),
  })
  for (const profile of ['euro_dcat_ap_3', 'euro_dcat_ap_2']) {
    const g = await graph(app, 'formatos', profile)
    for (const format of ['PHP', 'DTA', 'DB']) {
      const [node] = objects(g, distribution(g, format), `${DCT}format`)
      t.equal(node.termType, 'BlankNode', `${profile} ${format}: a node, not a literal`)
      t.ok(g.countQuads(node, RDF_TYPE, `${DCT}MediaTypeOrExtent`, null), `${profile} ${format}: typed`)
      t.same(
        objects(g, node, RDFS_LABEL).map((o) => o.value),
        [format],
        `${profile} ${format}: labelled`,
      )
    }
    t.same(
      objects(g, distribution(g, 'CSV'), `${DCT}format`).map((o) => o.value),
      ['http://publications.europa.eu/resource/authority/file-type/CSV'],
      `${profile}: a known format keeps its IRI`,
    )
  }
})

t.test('what differs between the DCAT-AP profiles', async (t) => {
  await app.ok('package_create', {
    name: 'versiones',
    version: '2.0',
    extras: [
      { key: 'temporal_start', value: '2020-01-01' },
      { key: 'temporal_end', value: '2020-12-31' },
      { key: 'spatial', value: '{"type":"Point","coordinates":[-64.18,-31.42]}' },
      { key: 'alternate_identifier', value: '["otro-id"]' },
      { key: 'has_version', value: '["https://example.org/dataset/v1"]' },
    ],
    resources: [{ name: 'datos', url: 'https://example.org/d.csv', format: 'CSV', size: 1234 }],
  })
  const expect = {
    euro_dcat_ap_3: { version: `${DCAT}version`, size: `${XSD}nonNegativeInteger`, schemaDates: 0, geometryNode: true, dcatHasVersion: 1 },
    euro_dcat_ap_2: { version: OWL_VERSION, size: `${XSD}decimal`, schemaDates: 0, geometryNode: false, dcatHasVersion: 0 },
    euro_dcat_ap: { version: OWL_VERSION, size: `${XSD}decimal`, schemaDates: 2, geometryNode: false, dcatHasVersion: 0 },
  }
  for (const [profile, e] of Object.entries(expect)) {
    const g = await graph(app, 'versiones', profile)
    const [ds] = g.getSubjects(RDF_TYPE, `${DCAT}Dataset`, null)
    t.same(
      [...objects(g, ds, `${DCAT}version`), ...objects(g, ds, OWL_VERSION)].map((o) => o.value),
      ['2.0'],
      `${profile}: one version`,
    )
    t.equal(objects(g, ds, e.version)[0]?.value, '2.0', `${profile}: version under ${e.version}`)
    const [size] = objects(g, distribution(g, 'datos'), `${DCAT}byteSize`) as n3.Literal[]
    t.equal(size.datatype.value, e.size, `${profile}: byteSize datatype`)
    const [period] = objects(g, ds, `${DCT}temporal`)
    t.equal(objects(g, period, `${DCAT}startDate`)[0]?.value, '2020-01-01', `${profile}: dcat:startDate`)
    t.equal(objects(g, period, `${SCHEMA}startDate`).length + objects(g, period, `${SCHEMA}endDate`).length, e.schemaDates, `${profile}: schema.org dates for DCAT-AP 1 readers`)
    const [geometry] = objects(g, objects(g, ds, `${DCT}spatial`)[0], LOCN_GEOMETRY)
    t.equal(geometry.termType === 'BlankNode', e.geometryNode, `${profile}: locn:geometry ${e.geometryNode ? 'node' : 'literal'}`)
    t.equal(objects(g, ds, `${DCAT}hasVersion`).length, e.dcatHasVersion, `${profile}: dcat:hasVersion`)
    t.same(
      objects(g, ds, `${DCT}hasVersion`).map((o) => o.value),
      ['https://example.org/dataset/v1'],
      `${profile}: dct:hasVersion`,
    )
    const [id] = objects(g, ds, 'http://www.w3.org/ns/adms#identifier')
    t.equal(objects(g, id, 'http://www.w3.org/2004/02/skos/core#notation')[0]?.value, 'otro-id', `${profile}: alternate identifier as an adms:Identifier node`)
  }
  const both = await graph(app, 'versiones', 'euro_dcat_ap_2,euro_dcat_ap_3')
  t.equal(both.getQuads(null, `${DCAT}byteSize`, null, null).length, 1, 'several DCAT-AP profiles: the last one writes')
  t.equal(both.getQuads(null, `${DCAT}version`, null, null).length, 1, 'several DCAT-AP profiles: in its own terms')
})

t.test('statements and concepts: text becomes a labelled node of the class, an IRI is typed', async (t) => {
  await app.ok('package_create', {
    name: 'declaraciones',
    extras: [
      { key: 'access_rights', value: 'Solo para uso interno' },
      { key: 'provenance', value: 'http://example.org/procedencia' },
      { key: 'dcat_type', value: 'encuesta' },
      { key: 'conforms_to', value: '["Norma A", "https://example.org/norma-b"]' },
    ],
    resources: [{ name: 'r', url: 'https://example.org/r', status: 'http://purl.org/adms/status/Completed', rights: 'Uso libre' }],
  })
  const g = await graph(app, 'declaraciones', 'euro_dcat_ap_3')
  const [ds] = g.getSubjects(RDF_TYPE, `${DCAT}Dataset`, null)
  const node = (p: string, s: n3.Term = ds) => {
    const [o] = objects(g, s, p)
    return { kind: o.termType, types: objects(g, o, RDF_TYPE).map((x) => x.value), label: objects(g, o, RDFS_LABEL)[0]?.value, value: o.value }
  }
  t.match(node(`${DCT}accessRights`), { kind: 'BlankNode', types: [`${DCT}RightsStatement`], label: 'Solo para uso interno' })
  t.match(node(`${DCT}provenance`), { kind: 'NamedNode', types: [`${DCT}ProvenanceStatement`], value: 'http://example.org/procedencia' })
  t.match(node(`${DCT}type`), { kind: 'BlankNode', types: ['http://www.w3.org/2004/02/skos/core#Concept'], label: 'encuesta' })
  t.same(
    objects(g, ds, `${DCT}conformsTo`)
      .map((o) => (o.termType === 'BlankNode' ? objects(g, o, RDFS_LABEL)[0].value : o.value))
      .sort(),
    ['Norma A', 'https://example.org/norma-b'],
  )
  const dist = distribution(g, 'r')
  t.match(node('http://www.w3.org/ns/adms#status', dist), { kind: 'NamedNode', types: ['http://www.w3.org/2004/02/skos/core#Concept'], value: 'http://purl.org/adms/status/Completed' })
  t.ok(objects(g, objects(g, dist, 'http://www.w3.org/ns/adms#status')[0], 'http://www.w3.org/2004/02/skos/core#prefLabel').length, 'a concept has the skos:prefLabel the shapes require')
  t.match(node(`${DCT}rights`, dist), { kind: 'BlankNode', types: [`${DCT}RightsStatement`], label: 'Uso libre' })
})

t.test('the catalog node states the site language (SITE_LOCALE en) as an EU authority IRI', async (t) => {
  const res = await app.app.inject({ method: 'GET', url: '/catalog.ttl?profiles=euro_dcat_ap_2' })
  const g = new n3.Store(new n3.Parser().parse(res.body))
  const [catalog] = g.getSubjects(RDF_TYPE, `${DCAT}Catalog`, null)
  t.same(
    objects(g, catalog, `${DCT}language`).map((o) => o.value),
    ['http://publications.europa.eu/resource/authority/language/ENG'],
  )
})

t.test('a dataset without distributions carries its licence itself, and it reads back as the license_id', async (t) => {
  await app.ok('package_create', { name: 'sin-recursos', license_id: 'odc-odbl' })
  const res = await app.app.inject({ method: 'GET', url: '/dataset/sin-recursos.ttl' })
  const g = new n3.Store(new n3.Parser().parse(res.body))
  const [ds] = g.getSubjects(RDF_TYPE, `${DCAT}Dataset`, null)
  t.equal(objects(g, ds, `${DCT}license`).length, 1, 'dct:license on the dataset')
  const page = await parseRdfPage(res.body, { contentType: 'text/turtle', sourceUrl: '' })
  t.equal(page.datasets[0].dict.license_id, 'odc-odbl')
})
