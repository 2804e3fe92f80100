import t, { type Test } from 'tap'
import Fastify from 'fastify'
import { dcatApp, richDataset } from './fixtures.js'
import { dcatRoutes } from '../../src/dcat/routes.js'

const ISO_8601 = /^(\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?|R\/P.+)$/
const ACCESS_LEVELS = ['public', 'restricted public', 'non-public']

/** DCAT-US 1.1 (project-open-data v1.1 schema): the fields required of every catalog and dataset. */
function checkDcatUs(t: Test, catalog: any): void {
  t.equal(catalog.conformsTo, 'https://project-open-data.cio.gov/v1.1/schema', 'catalog conformsTo')
  t.equal(catalog['@type'], 'dcat:Catalog')
  t.equal(catalog['@id'], 'http://test.local/data.json')
  t.ok(Array.isArray(catalog.dataset), 'catalog dataset list')
  for (const d of catalog.dataset) {
    const at = `dataset ${d.title}`
    t.equal(d['@type'], 'dcat:Dataset', `${at}: @type`)
    for (const k of ['title', 'description', 'identifier']) t.ok(typeof d[k] === 'string' && d[k].length > 0, `${at}: ${k}`)
    t.ok(Array.isArray(d.keyword) && d.keyword.length > 0 && d.keyword.every((k: unknown) => typeof k === 'string' && k !== ''), `${at}: keyword`)
    t.match(d.modified, ISO_8601, `${at}: modified is ISO 8601`)
    t.ok(typeof d.publisher?.name === 'string' && d.publisher.name !== '', `${at}: publisher.name`)
    t.ok(typeof d.contactPoint?.fn === 'string' && d.contactPoint.fn !== '', `${at}: contactPoint.fn`)
    t.match(d.contactPoint?.hasEmail, /^mailto:[\w.%+-]+@[\w.-]+\.[A-Za-z]{2,}$/, `${at}: contactPoint.hasEmail`)
    t.ok(ACCESS_LEVELS.includes(d.accessLevel), `${at}: accessLevel`)
    if (d.license !== undefined) t.match(d.license, /^https?:\/\//, `${at}: license is a URL`)
    for (const dist of d.distribution ?? []) {
      t.ok(dist.downloadURL || dist.accessURL, `${at}: distribution has downloadURL or accessURL`)
      if (dist.downloadURL) t.match(dist.mediaType, /^[-\w.+]+\/[-\w.+]+$/, `${at}: downloadURL needs mediaType`)
    }
  }
}

t.test('/data.json is a DCAT-US 1.1 catalog of the public datasets', async (t) => {
  const app = await dcatApp(t)
  const rich = await richDataset(app)
  await app.ok('package_create', { name: 'untagged', owner_org: 'ministerio', author: 'Ana', author_email: 'ana@example.org', resources: [{ url: 'https://example.org/x.json', format: 'JSON' }] })
  await app.ok('package_create', { name: 'private-one', owner_org: 'ministerio', private: true, maintainer_email: 'x@example.org' })
  const res = await app.app.inject({ method: 'GET', url: '/data.json' })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'application/json; charset=utf-8')
  const catalog = res.json()
  checkDcatUs(t, catalog)
  const byTitle = new Map(catalog.dataset.map((d: any) => [d.title, d]))
  t.same([...byTitle.keys()].sort(), ['Presupuesto 2024', 'untagged'], 'public datasets only')
  const r: any = byTitle.get('Presupuesto 2024')
  t.same(r.keyword.sort(), ['economía', 'presupuesto'])
  t.equal(r.identifier, 'https://harvested.example.org/id/42')
  t.equal(r.license, 'http://www.opendefinition.org/licenses/cc-by')
  t.equal(r.publisher.name, 'Ministerio de Economía')
  t.same(r.contactPoint, { '@type': 'vcard:Contact', fn: 'Oficina de Datos', hasEmail: 'mailto:datos@example.org' })
  t.equal(r.temporal, '2024-01-01/2024-12-31')
  t.equal(r.accrualPeriodicity, 'R/P1M')
  const upload = rich.resources.find((x: any) => x.url_type === 'upload')
  t.ok(
    r.distribution.some((d: any) => d.downloadURL === upload.url && d.mediaType === 'text/csv' && d.format === 'CSV'),
    'upload → downloadURL + mediaType',
  )
  const u: any = byTitle.get('untagged')
  t.same(u.keyword, ['untagged'], 'an untagged dataset is keyed by its name')
  t.same(u.contactPoint, { '@type': 'vcard:Contact', fn: 'Ana', hasEmail: 'mailto:ana@example.org' })
  t.equal(u.distribution.length, 1)
  t.match(u.distribution[0], { '@type': 'dcat:Distribution', accessURL: 'https://example.org/x.json', format: 'JSON' }, 'a link is an accessURL')
  t.notOk('downloadURL' in u.distribution[0], 'a link is not a downloadURL')
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
  checkDcatUs(t, catalog)
  const names = catalog.dataset.map((d: any) => d.title).sort()
  t.same(names, Array.from({ length: 23 }, (_, i) => `b-${i}`).sort(), '23 datasets, each once')
})
