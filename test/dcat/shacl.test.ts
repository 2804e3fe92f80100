import t from 'tap'
import { dcatApp, minimalDataset, richDataset } from './fixtures.js'
import { violations } from './shacl.js'

// The output must pass the DCAT-AP 3.0.0 SHACL shapes (mandatory level) from SEMIC.
t.test('DCAT-AP 3 shapes: rich dataset, minimal dataset, catalog page', async (t) => {
  const app = await dcatApp(t)
  const rich = await richDataset(app)
  const min = await minimalDataset(app)
  // a register licence without url becomes a blank dct:LicenseDocument
  const other = await app.ok('package_create', { name: 'otra-licencia', license_id: 'other-open', notes: 'x', resources: [{ url: 'https://example.org/y', format: 'XLSX' }] })

  for (const [label, url] of [
    ['rich dataset', `/dataset/${rich.name}.ttl`],
    ['minimal dataset', `/dataset/${min.name}.ttl`],
    ['licence without url', `/dataset/${other.name}.ttl`],
    ['catalog page', '/catalog.ttl'],
  ]) {
    const res = await app.app.inject({ method: 'GET', url })
    t.equal(res.statusCode, 200, `${label}: 200`)
    const found = await violations(res.body)
    t.same(found, [], `${label}: no SHACL violations\n${JSON.stringify(found, null, 2)}\n${found.length ? res.body : ''}`)
  }
})

t.test('the SHACL check fails on a graph that breaks the shapes', async (t) => {
  // a dataset without dct:description and a distribution without dcat:accessURL
  const bad = `@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
    <http://x/ds> a dcat:Dataset ; dct:title "x" ; dcat:distribution <http://x/d> . <http://x/d> a dcat:Distribution .`
  const found = await violations(bad)
  t.ok(
    found.some((v) => v.path === 'http://purl.org/dc/terms/description'),
    'missing description reported',
  )
  t.ok(
    found.some((v) => v.path === 'http://www.w3.org/ns/dcat#accessURL'),
    'missing accessURL reported',
  )
})
