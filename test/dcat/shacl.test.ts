import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { parseRdfPage } from '../../src/dcat/read/catalog.js'
import { dcatApp, minimalDataset, richDataset } from './fixtures.js'
import { isUntypedDatasetLink, violations, type ShapesName } from './shacl.js'

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures/dcat')

/** Each DCAT-AP profile and the official shapes its output must pass (mandatory level, ranges). */
const PROFILES: [string, ShapesName][] = [
  ['euro_dcat_ap_3', 'DCAT-AP 3.0.0'],
  ['euro_dcat_ap_2', 'DCAT-AP 2.1.1'],
  ['euro_dcat_ap', 'DCAT-AP 2.1.1'],
]

t.test('DCAT-AP 2.1.1 and 3.0.0 shapes: rich, minimal, harvested and odd datasets, catalog page', async (t) => {
  const app = await dcatApp(t)
  const rich = await richDataset(app)
  const min = await minimalDataset(app)
  // a register licence without url becomes a blank dct:LicenseDocument
  const other = await app.ok('package_create', { name: 'otra-licencia', license_id: 'other-open', notes: 'x', resources: [{ url: 'https://example.org/y', format: 'XLSX' }] })
  const formats = await app.ok('package_create', {
    name: 'formatos-raros',
    resources: ['PHP', 'DTA', 'DB'].map((format) => ({ url: `https://example.org/f.${format.toLowerCase()}`, format, hash: 'ab'.repeat(32) })),
  })
  // our full DCAT-AP 2 and 3 datasets, as a harvest stores them
  const harvested: string[] = []
  for (const file of ['dcat-ap-2-full.ttl', 'dcat-ap-3-full.ttl']) {
    const page = await parseRdfPage(readFileSync(path.join(FIXTURES, file), 'utf8'), { contentType: 'text/turtle', sourceUrl: '' })
    harvested.push((await app.ok('package_create', { ...page.datasets[0].dict, name: file.replace('.ttl', '') })).name)
  }

  for (const [profile, shapes] of PROFILES) {
    for (const [label, url] of [
      ['rich dataset', `/dataset/${rich.name}.ttl`],
      ['minimal dataset', `/dataset/${min.name}.ttl`],
      ['licence without url', `/dataset/${other.name}.ttl`],
      ['formats without EU IRI', `/dataset/${formats.name}.ttl`],
      ...harvested.map((h) => [`harvested ${h}`, `/dataset/${h}.ttl`]),
      ['catalog page', '/catalog.ttl'],
    ]) {
      const res = await app.app.inject({ method: 'GET', url: `${url}?profiles=${profile}` })
      t.equal(res.statusCode, 200, `${profile} ${label}: 200`)
      // the one accepted exception: links to datasets the document does not describe (see isUntypedDatasetLink)
      const found = (await violations(res.body, shapes)).filter((v) => !isUntypedDatasetLink(v, res.body))
      t.same(found, [], `${profile} ${label}: no ${shapes} violations\n${JSON.stringify(found, null, 2)}\n${found.length ? res.body : ''}`)
    }
  }
})

t.test('the SHACL check fails on a graph that breaks the shapes', async (t) => {
  // a dataset without dct:description, a distribution without dcat:accessURL, a literal format, a SHA-256 checksum
  const bad = `@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> . @prefix spdx: <http://spdx.org/rdf/terms#> .
    <http://x/ds> a dcat:Dataset ; dct:title "x" ; dct:source <http://x/other> ; dcat:distribution <http://x/d> .
    <http://x/d> a dcat:Distribution ; dct:format "PHP" ; spdx:checksum [ a spdx:Checksum ; spdx:algorithm spdx:checksumAlgorithm_sha256 ;
      spdx:checksumValue "aa"^^<http://www.w3.org/2001/XMLSchema#hexBinary> ] .`
  for (const shapes of ['DCAT-AP 3.0.0', 'DCAT-AP 2.1.1'] as const) {
    const found = await violations(bad, shapes)
    const paths = new Set(found.map((v) => v.path))
    t.ok(paths.has('http://purl.org/dc/terms/description'), `${shapes}: missing description reported`)
    t.ok(paths.has('http://www.w3.org/ns/dcat#accessURL'), `${shapes}: missing accessURL reported`)
    t.ok(paths.has('http://purl.org/dc/terms/format'), `${shapes}: literal format reported`)
    const links = found.filter((v) => isUntypedDatasetLink(v, bad))
    t.same(
      links.map((v) => v.value),
      ['http://x/other'],
      `${shapes}: the untyped link to another dataset is the one exception`,
    )
  }
  t.ok(
    (await violations(bad, 'DCAT-AP 2.1.1')).some((v) => v.path === 'http://spdx.org/rdf/terms#algorithm'),
    'DCAT-AP 2.1.1: a SHA-256 checksum reported',
  )
})
