import t from 'tap'
import { dcatApp, minimalDataset, richDataset, UPLOAD_CONTENT, UPLOAD_SHA256 } from './fixtures.js'
import { harvest, parse } from './parse.js'
import { findLicense, LICENSES } from '../../src/model/licenses.js'

const TYPES: Record<string, string> = { ttl: 'text/turtle', n3: 'text/n3', rdf: 'application/rdf+xml', xml: 'application/rdf+xml', jsonld: 'application/ld+json' }

// Every serialisation, read back by an independent parser, carries what a harvester maps.
t.test('every format parses back to the dataset values', async (t) => {
  const app = await dcatApp(t)
  const rich = await richDataset(app)
  const min = await minimalDataset(app)
  const upload = rich.resources.find((r: any) => r.url_type === 'upload')
  const link = rich.resources.find((r: any) => r.url_type !== 'upload')

  for (const ext of Object.keys(TYPES)) {
    const res = await app.app.inject({ method: 'GET', url: `/dataset/${rich.name}.${ext}` })
    t.equal(res.statusCode, 200, `${ext}: 200`)
    t.equal(res.headers['content-type'], `${TYPES[ext]}; charset=utf-8`, `${ext}: content type`)
    const [ds] = harvest(await parse(ext, res.body))
    t.ok(ds, `${ext}: one dcat:Dataset`)
    t.equal(ds.uri, 'https://harvested.example.org/dataset/presupuesto', `${ext}: the stored uri is the dataset IRI`)
    t.equal(ds.title, rich.title, `${ext}: title`)
    t.equal(ds.notes, rich.notes, `${ext}: notes (with markup characters)`)
    t.equal(ds.identifier, 'https://harvested.example.org/id/42', `${ext}: identifier stays a literal`)
    t.same(ds.tags, ['economía', 'presupuesto'], `${ext}: tags`)
    t.same(ds.licenses, [findLicense('cc-by')!.url], `${ext}: licence IRI is the register url (→ license_id cc-by)`)
    const byName = new Map(ds.resources.map((r) => [r.name, r]))
    const up = byName.get(upload.name)!
    t.equal(up.url, upload.url, `${ext}: upload url (downloadURL)`)
    t.equal(up.size, UPLOAD_CONTENT.length, `${ext}: byte size`)
    t.equal(up.hash, UPLOAD_SHA256, `${ext}: checksum value`)
    t.equal(up.algorithm, 'http://spdx.org/rdf/terms#checksumAlgorithm_sha256', `${ext}: checksum algorithm`)
    t.equal(up.format, 'http://publications.europa.eu/resource/authority/file-type/CSV', `${ext}: format IRI`)
    t.equal(up.mimetype, 'https://www.iana.org/assignments/media-types/text/csv', `${ext}: media type IRI`)
    t.equal(byName.get(link.name)?.url, link.url, `${ext}: link url (accessURL)`)
  }

  const res = await app.app.inject({ method: 'GET', url: `/dataset/${min.id}.jsonld` })
  const [ds] = harvest(await parse('jsonld', res.body))
  t.equal(ds.uri, `http://test.local/dataset/${min.id}`, 'minimal: dataset IRI from SITE_URL')
  t.equal(ds.title, 'minimo', 'minimal: title')
  t.equal(ds.resources[0].url, 'https://example.org/file', 'minimal: resource url')
  t.equal(ds.resources[0].uri, `http://test.local/dataset/${min.id}/resource/${min.resources[0].id}`, 'minimal: distribution IRI')
})

t.test('text XML cannot carry still gives well-formed RDF/XML', async (t) => {
  const app = await dcatApp(t)
  const ds = await app.ok('package_create', { name: 'control', title: 'a\u0001b\u000bc ]]> <&>', notes: 'tab\there 😀', resources: [{ url: 'https://example.org/a b' }] })
  for (const ext of ['ttl', 'rdf', 'jsonld', 'n3']) {
    const res = await app.app.inject({ method: 'GET', url: `/dataset/${ds.name}.${ext}` })
    const [d] = harvest(await parse(ext, res.body))
    t.equal(d.title, ext === 'rdf' ? 'abc ]]> <&>' : 'a\u0001b\u000bc ]]> <&>', `${ext}: title (control characters dropped only in XML)`)
    t.equal(d.notes, 'tab\there 😀', `${ext}: notes`)
    t.equal(d.resources[0].url, 'https://example.org/a%20b', `${ext}: a url with a space is still an IRI`)
  }
})

t.test('every register licence comes back as its license_id (by url, else by title)', async (t) => {
  const app = await dcatApp(t)
  for (const license of LICENSES) {
    const ds = await app.ok('package_create', { name: `lic-${license.id}`, license_id: license.id, resources: [{ url: 'https://example.org/a' }, { url: 'https://example.org/b' }] })
    for (const ext of ['ttl', 'rdf', 'jsonld']) {
      const res = await app.app.inject({ method: 'GET', url: `/dataset/${ds.name}.${ext}` })
      t.equal(harvest(await parse(ext, res.body))[0].license_id, license.id, `${license.id} (${ext})`)
    }
  }
})

t.test('schema.org profile and the dcat actions', async (t) => {
  const app = await dcatApp(t)
  const rich = await richDataset(app)
  const res = await app.app.inject({ method: 'GET', url: `/dataset/${rich.name}.jsonld?profiles=schemaorg` })
  t.equal(res.statusCode, 200)
  const quads = await parse('jsonld', res.body)
  const has = (p: string, o: string) => quads.some((q) => q.predicate.value === `http://schema.org/${p}` && q.object.value === o)
  t.ok(
    quads.some((q) => q.object.value === 'http://schema.org/Dataset'),
    'a schema:Dataset',
  )
  t.ok(has('name', rich.title), 'schema:name')
  t.ok(has('keywords', 'presupuesto'), 'schema:keywords')
  t.ok(has('contentUrl', rich.resources.find((r: any) => r.url_type === 'upload').url), 'upload → schema:contentUrl')
  t.ok(has('temporalCoverage', '2024-01-01/2024-12-31'), 'temporalCoverage')
  t.notOk(
    quads.some((q) => q.object.value === 'http://www.w3.org/ns/dcat#Dataset'),
    'no DCAT-AP triples under schemaorg only',
  )

  const both = await app.app.inject({ method: 'GET', url: '/catalog.ttl?profiles=euro_dcat_ap_3,schemaorg' })
  t.equal(both.statusCode, 200)
  const bothQuads = await parse('ttl', both.body)
  const catalogTypes = bothQuads
    .filter((q) => q.subject.value === 'http://test.local' && q.predicate.value.endsWith('#type'))
    .map((q) => q.object.value)
    .sort()
  t.same(catalogTypes, ['http://schema.org/DataCatalog', 'http://www.w3.org/ns/dcat#Catalog'], 'both profiles: the catalog node has both types')
  t.equal(harvest(bothQuads)[0].title, rich.title, 'both profiles: the DCAT dataset is still there')
  t.match(both.body, /profiles=euro_dcat_ap_3%2Cschemaorg&page=1/, 'page links keep the profiles')

  // the actions answer the serialised text as a JSON string, as ckanext-dcat does
  const ttl = await app.ok('dcat_dataset_show', { id: rich.name, format: 'ttl' }, { token: null })
  t.equal(typeof ttl, 'string')
  t.equal(harvest(await parse('ttl', ttl))[0].title, rich.title, 'dcat_dataset_show ttl')
  const xml = await app.ok('dcat_dataset_show', { id: rich.id }, { token: null })
  t.match(xml, /^<\?xml/, 'default format is RDF/XML')
  const catalog = await app.ok('dcat_catalog_search', { format: 'jsonld', q: 'presupuesto' }, { token: null })
  t.equal(harvest(await parse('jsonld', catalog)).length, 1, 'dcat_catalog_search')
  const bad = await app.call('dcat_dataset_show', { id: rich.id, format: 'yaml' }, { token: null })
  t.equal(bad.statusCode, 409, 'unknown format → 409 naming the field')
  t.match(bad.json().error, { format: [/Unknown format/] })
})
