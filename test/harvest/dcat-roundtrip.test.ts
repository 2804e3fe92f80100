import t from 'tap'
import { testApp, type TestApp } from '../helpers/app.js'
import { createSource, jobReport, startJob, LOCAL_REMOTES } from './harvest-helpers.js'
import { freePort } from '../../scripts/lib/server-process.js'

/**
 * B harvests A's own DCAT output (Turtle, RDF/XML, JSON-LD, paged) and data.json: titles,
 * descriptions, tags, resources and licences survive; a second run with no change writes nothing;
 * changes on A (update, delete, made private) reach B.
 */

type Dict = Record<string, any>

/** A, listening where its SITE_URL says, so its hydra page links and dataset URIs resolve. */
async function remoteInstance(t: Tap): Promise<{ a: TestApp; aUrl: string }> {
  const port = await freePort()
  const aUrl = `http://127.0.0.1:${port}`
  const a = await testApp(t, { SITE_URL: aUrl })
  await a.app.listen({ port, host: '127.0.0.1' })
  return { a, aUrl }
}

function dataset(i: number, extra: Dict = {}): Dict {
  return {
    name: `ds-${i}`,
    title: `Conjunto ${i}: población y vivienda`,
    notes: `Descripción del conjunto ${i}, con acentos y ñ.`,
    owner_org: 'org-a',
    license_id: i % 2 ? 'cc-by' : 'odc-odbl',
    tags: [{ name: `etiqueta ${i}` }, { name: 'censo' }],
    resources: [
      { url: `http://files.example.org/${i}.csv`, name: `datos ${i}`, description: 'Tabla', format: 'CSV', mimetype: 'text/csv', size: 1000 + i },
      { url: `http://files.example.org/${i}.pdf`, name: `informe ${i}`, format: 'PDF' },
    ],
    ...extra,
  }
}

/** What must survive a DCAT round trip. */
function essence(d: Dict): Dict {
  return {
    title: d.title,
    notes: d.notes,
    license_id: d.license_id,
    tags: (d.tags as Dict[]).map((x) => x.name).sort(),
    resources: (d.resources as Dict[]).map((r) => ({ url: r.url, name: r.name, format: r.format })).sort((x, y) => String(x.url).localeCompare(String(y.url))),
  }
}

async function publicByTitle(app: TestApp): Promise<Dict[]> {
  const res = await app.ok<Dict>('package_search', { q: '*:*', rows: 1000 }, { token: null })
  return (res.results as Dict[]).map(essence).sort((x, y) => x.title.localeCompare(y.title))
}

async function setUp(t: Tap) {
  const { a, aUrl } = await remoteInstance(t)
  const b = await testApp(t, LOCAL_REMOTES)
  await a.ok('organization_create', { name: 'org-a', title: 'Organización A' })
  for (let i = 1; i <= 5; i++) await a.ok('package_create', dataset(i))
  await a.ok('package_create', dataset(6, { private: true }))
  await b.ok('organization_create', { name: 'espejo' })
  return { a, b, aUrl }
}
type Tap = { teardown(fn: () => unknown): void }

for (const [label, path, type] of [
  ['Turtle', '/catalog.ttl', 'dcat_rdf'],
  ['RDF/XML', '/catalog.rdf', 'dcat_rdf'],
  ['JSON-LD', '/catalog.jsonld', 'dcat_rdf'],
  ['data.json', '/data.json', 'dcat_json'],
] as const) {
  t.test(`B harvests A's ${label} catalog`, async (t) => {
    const { a, b, aUrl } = await setUp(t)
    const source = await createSource(b, { name: 'fuente-dcat', url: aUrl + path, source_type: type, owner_org: 'espejo' })
    const first = await startJob(b, source)
    await b.app.harvest.runInline(first)
    const r1 = await jobReport(b, first)
    t.same(r1.gatherErrors, [], 'no gather error')
    t.same(r1.objectErrors, [], 'no object error')
    t.equal(r1.stats.added, 5, 'the five public datasets are added, the private one is not offered')
    t.same(await publicByTitle(b), await publicByTitle(a), 'titles, descriptions, tags, resources and licences survive')

    const second = await startJob(b, source)
    await b.app.harvest.runInline(second)
    t.same((await jobReport(b, second)).stats, { added: 0, updated: 0, 'not modified': 5, errored: 0, deleted: 0 }, 'no change at A: nothing written')

    await a.ok('package_patch', { id: 'ds-1', notes: 'Nueva descripción' })
    await a.ok('package_delete', { id: 'ds-2' })
    await a.ok('package_patch', { id: 'ds-3', private: true })
    const third = await startJob(b, source)
    await b.app.harvest.runInline(third)
    const r3 = await jobReport(b, third)
    t.same([r3.stats.updated, r3.stats.deleted, r3.stats.errored], [1, 2, 0], 'one updated, two gone (deleted, made private)')
    t.same(await publicByTitle(b), await publicByTitle(a), 'B follows A')
  })
}

t.test('hydra paging: every page of a large catalog is harvested', async (t) => {
  const { a, b, aUrl } = await setUp(t)
  // 5 created by setUp; 100 per page → 3 pages
  for (let i = 7; i <= 211; i++) await a.ok('package_create', { name: `extra-${i}`, title: `Extra ${i}`, owner_org: 'org-a' })
  const source = await createSource(b, { name: 'fuente-dcat', url: `${aUrl}/catalog.ttl`, source_type: 'dcat_rdf', owner_org: 'espejo' })
  const job = await startJob(b, source)
  await b.app.harvest.runInline(job)
  const r = await jobReport(b, job)
  t.same([r.stats.added, r.stats.errored, r.gatherErrors.length], [210, 0, 0], `all 210 public datasets from three pages ${r.gatherErrors.join(' | ')}`)
})
