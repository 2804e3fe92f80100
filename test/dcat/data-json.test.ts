import t from 'tap'
import Fastify from 'fastify'
import { dcatApp, richDataset } from './fixtures.js'
import { dcatRoutes } from '../../src/dcat/routes.js'
import { dataJsonErrors } from './data-json-schema.js'

t.test('the schema check refuses what the issue found in data.json output', async (t) => {
  const base = {
    conformsTo: 'https://project-open-data.cio.gov/v1.1/schema',
    dataset: [{ title: 'x', description: 'x', identifier: 'x', accessLevel: 'public', publisher: { name: 'p' }, contactPoint: { fn: 'c', hasEmail: 'mailto:a@example.org' } }],
  }
  t.same(dataJsonErrors(base), [], 'a minimal dataset is valid')
  const twoAddresses = structuredClone(base)
  twoAddresses.dataset[0].contactPoint.hasEmail = 'mailto:a@example.org, b@example.org'
  t.not(dataJsonErrors(twoAddresses).length, 0, 'two addresses in hasEmail')
  const noPublisher: any = structuredClone(base)
  delete noPublisher.dataset[0].publisher
  t.not(dataJsonErrors(noPublisher).length, 0, 'no publisher')
  const badLanding: any = structuredClone(base)
  badLanding.dataset[0].landingPage = 'not a url'
  t.not(dataJsonErrors(badLanding).length, 0, 'landingPage not a URI')
})

t.test('/data.json is a DCAT-US 1.1 catalog of the public datasets, valid against the non-federal schema', async (t) => {
  const app = await dcatApp(t)
  const rich = await richDataset(app)
  await app.ok('package_create', {
    name: 'untagged',
    owner_org: 'ministerio',
    author: 'Ana',
    author_email: 'ana@example.org',
    extras: [
      { key: 'conforms_to', value: '["https://example.org/norma"]' },
      { key: 'documentation', value: '["https://example.org/guia", "la guía impresa"]' },
    ],
    resources: [{ url: 'https://example.org/x.json', format: 'JSON' }],
  })
  await app.ok('package_create', { name: 'private-one', owner_org: 'ministerio', private: true, maintainer_email: 'x@example.org' })
  await app.ok('group_create', { name: 'salud', title: 'Salud pública', description: 'Hospitales y campañas' })
  await app.ok('group_create', { name: 'vacia', title: 'Sin conjuntos' })
  await app.ok('package_create', {
    name: 'two-addresses',
    owner_org: 'ministerio',
    maintainer: 'Mesa de ayuda',
    maintainer_email: 'ayuda@example.org, otra@example.org',
    tags: [{ name: 'ayuda' }],
    groups: [{ name: 'salud' }],
  })
  await app.ok('package_create', {
    name: 'odd-values',
    title: 'Valores raros',
    owner_org: 'ministerio',
    url: 'portal interno',
    extras: [
      { key: 'contact_email', value: 'sin arroba' },
      { key: 'license', value: 'https://example.org/licencia-propia' },
      { key: 'modified', value: '10/05/2016' },
      { key: 'issued', value: 'hace mucho' },
      { key: 'language', value: '["http://publications.europa.eu/resource/authority/language/SPA", "no es un idioma"]' },
      { key: 'frequency', value: 'http://publications.europa.eu/resource/authority/frequency/WEEKLY' },
      { key: 'rights', value: 'x'.repeat(256) },
      { key: 'temporal_start', value: '2020-01-01' },
      { key: 'temporal_end', value: 'hoy' },
      { key: 'theme', value: '["agua", "agua"]' },
    ],
    resources: [{ url: 'https://example.org/a.csv', mimetype: 'CSV file', format: 'CSV' }, { url: 'ftp://example.org/b.csv' }],
  })
  const res = await app.app.inject({ method: 'GET', url: '/data.json' })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'application/json; charset=utf-8')
  const catalog = res.json()
  t.same(dataJsonErrors(catalog), [], 'valid against the non-federal DCAT-US 1.1 schema')
  t.equal(catalog['@id'], 'http://test.local/data.json')
  const byTitle = new Map(catalog.dataset.map((d: any) => [d.title, d]))
  t.same([...byTitle.keys()].sort(), ['Presupuesto 2024', 'Valores raros', 'two-addresses', 'untagged'], 'public datasets only')

  const r: any = byTitle.get('Presupuesto 2024')
  t.same(r.keyword.sort(), ['economía', 'presupuesto'])
  t.equal(r.identifier, 'https://harvested.example.org/id/42')
  t.equal(r.landingPage, 'https://example.org/presupuesto', "landingPage is the dataset's url")
  t.equal(r.license, 'http://www.opendefinition.org/licenses/cc-by')
  t.equal(r.publisher.name, 'Ministerio de Economía')
  t.same(r.contactPoint, { '@type': 'vcard:Contact', fn: 'Oficina de Datos', hasEmail: 'mailto:datos@example.org' })
  t.equal(r.modified, '2024-06-01T10:00:00')
  t.equal(r.issued, '2024-01-15')
  t.equal(r.temporal, '2024-01-01/2024-12-31')
  t.equal(r.accrualPeriodicity, 'R/P1M')
  t.same(r.language, ['es', 'en'])
  t.equal(r.spatial, 'Argentina')
  const upload = rich.resources.find((x: any) => x.url_type === 'upload')
  t.ok(
    r.distribution.some((d: any) => d.downloadURL === upload.url && d.mediaType === 'text/csv' && d.format === 'CSV'),
    'upload → downloadURL + mediaType',
  )

  const u: any = byTitle.get('untagged')
  t.notOk('keyword' in u, 'an untagged dataset has no keyword (no made-up tag)')
  t.notOk('landingPage' in u, 'no url, no landingPage')
  t.equal(u.conformsTo, 'https://example.org/norma')
  t.same(u.references, ['https://example.org/guia'], 'documentation pages are the references; text is no URI')
  t.same(u.contactPoint, { '@type': 'vcard:Contact', fn: 'Ana', hasEmail: 'mailto:ana@example.org' })
  t.equal(u.distribution.length, 1)
  t.match(u.distribution[0], { '@type': 'dcat:Distribution', accessURL: 'https://example.org/x.json', format: 'JSON' }, 'a link is an accessURL')
  t.notOk('downloadURL' in u.distribution[0], 'a link is not a downloadURL')

  t.same(catalog.themeTaxonomy, [{ id: 'salud', label: 'Salud pública', description: 'Hospitales y campañas' }], "themeTaxonomy: the published datasets' groups")
  const two: any = byTitle.get('two-addresses')
  t.same(two.theme, ['salud'], 'no theme extra: the groups are the themes')
  t.same(two.contactPoint, { '@type': 'vcard:Contact', fn: 'Mesa de ayuda', hasEmail: 'mailto:ayuda@example.org' }, 'one address: the first')

  const odd: any = byTitle.get('Valores raros')
  t.equal(odd.contactPoint.hasEmail, 'mailto:webmaster@test.local', "no usable address: the site's webmaster mailbox")
  t.notOk('landingPage' in odd, 'a url that is no URL is not a landingPage')
  t.equal(odd.license, 'https://example.org/licencia-propia', 'a harvested licence outside the register keeps its URL')
  t.match(odd.modified, /^\d{4}-\d{2}-\d{2}T/, 'an unreadable modified falls back to metadata_modified')
  t.not(odd.modified, '10/05/2016')
  t.match(odd.issued, /^\d{4}-\d{2}-\d{2}T/, 'an unreadable issued falls back to metadata_created')
  t.same(odd.language, ['spa'], 'an EU language IRI becomes its code; text that is no language tag is left out')
  t.notOk('accrualPeriodicity' in odd, 'a frequency IRI is no ISO 8601 repeating interval')
  t.notOk('rights' in odd, 'rights over 255 characters')
  t.notOk('temporal' in odd, 'an interval needs two dates')
  t.same(odd.theme, ['agua'])
  t.same(
    odd.distribution.map((d: any) => [d.accessURL, d.mediaType]),
    [['https://example.org/a.csv', undefined]],
    'a mimetype that is no media type is left out; an ftp URL is no distribution',
  )
})

t.test('/data.json streams in batches without losing or repeating a dataset', async (t) => {
  const app = await dcatApp(t)
  await app.ok('organization_create', { name: 'org' })
  for (let i = 0; i < 23; i++) await app.ok('package_create', { name: `b-${i}`, owner_org: 'org', maintainer_email: 'm@example.org' })
  // the same routes with a batch of 5: five searches, the last one partial
  const small = Fastify({ logger: false })
  await small.register(dcatRoutes, { runner: app.app.actions, resolveCaller: async () => ({ user: null }), config: app.config, dataJsonBatch: 5 })
  t.teardown(() => small.close())
  const res = await small.inject({ method: 'GET', url: '/data.json' })
  t.equal(res.statusCode, 200)
  const catalog = JSON.parse(res.body)
  t.same(dataJsonErrors(catalog), [])
  const names = catalog.dataset.map((d: any) => d.title).sort()
  t.same(names, Array.from({ length: 23 }, (_, i) => `b-${i}`).sort(), '23 datasets, each once')
})
