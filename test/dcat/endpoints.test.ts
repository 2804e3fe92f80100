import t from 'tap'
import n3 from 'n3'
import { dcatApp } from './fixtures.js'
import { harvest, parse } from './parse.js'
import { world } from '../auth/roles-fixtures.js'
import { DATASETS_PER_PAGE } from '../../src/dcat/write/catalog.js'

const HYDRA = 'http://www.w3.org/ns/hydra/core#'

function hydra(turtle: string): Record<string, string> {
  const quads = new n3.Parser().parse(turtle)
  const node = quads.find((q) => q.object.value === `${HYDRA}PagedCollection`)?.subject
  if (!node) return {}
  const out: Record<string, string> = { '@id': node.value }
  for (const q of quads) {
    if (!q.subject.equals(node) || !q.predicate.value.startsWith(HYDRA)) continue
    out[q.predicate.value.slice(HYDRA.length)] = q.object.termType === 'Literal' && q.object.datatype.value.endsWith('#string') ? `"${q.object.value}"` : q.object.value
  }
  return out
}

t.test('paging: 250 datasets in 3 pages with hydra links; modified_since; CKAN errors', async (t) => {
  const app = await dcatApp(t)
  await app.ok('organization_create', { name: 'org' })
  const names: string[] = []
  for (let i = 0; i < 250; i += 25) {
    await Promise.all(Array.from({ length: 25 }, (_, k) => app.ok('package_create', { name: `ds-${String(i + k).padStart(3, '0')}`, owner_org: 'org' })))
  }
  t.equal(DATASETS_PER_PAGE, 100)
  const seen = new Set<string>()
  for (const page of [1, 2, 3]) {
    const res = await app.app.inject({ method: 'GET', url: `/catalog.ttl?page=${page}` })
    t.equal(res.statusCode, 200)
    const datasets = harvest(await parse('ttl', res.body))
    t.equal(datasets.length, page < 3 ? 100 : 50, `page ${page}: dataset count`)
    for (const d of datasets) seen.add(d.title!)
    const h = hydra(res.body)
    const url = (p: number) => `"http://test.local/catalog.ttl?page=${p}"`
    t.equal(h['@id'], `http://test.local/catalog.ttl?page=${page}`, `page ${page}: node`)
    t.equal(h.totalItems, '250')
    t.equal(h.itemsPerPage, '100')
    t.equal(h.firstPage, url(1))
    t.equal(h.first, url(1))
    t.equal(h.lastPage, url(3))
    t.equal(h.last, url(3))
    t.equal(h.nextPage, page < 3 ? url(page + 1) : undefined, `page ${page}: next`)
    t.equal(h.next, page < 3 ? url(page + 1) : undefined)
    t.equal(h.previousPage, page > 1 ? url(page - 1) : undefined, `page ${page}: previous`)
    t.equal(h.previous, page > 1 ? url(page - 1) : undefined)
  }
  t.equal(seen.size, 250, 'every dataset on exactly one page')
  for (let i = 0; i < 250; i++) names.push(`ds-${String(i).padStart(3, '0')}`)
  t.same([...seen].sort(), names, 'the titles are the datasets created')

  // past the end: no datasets, previous is the last page
  const past = await app.app.inject({ method: 'GET', url: '/catalog.ttl?page=7' })
  t.equal(harvest(await parse('ttl', past.body)).length, 0)
  t.equal(hydra(past.body).previous, '"http://test.local/catalog.ttl?page=3"')

  // modified_since keeps only what changed after it, and page links keep it (encoded)
  await new Promise((r) => setTimeout(r, 20))
  const since = new Date().toISOString()
  await new Promise((r) => setTimeout(r, 20))
  await app.ok('package_patch', { id: 'ds-007', notes: 'changed' })
  const recent = await app.app.inject({ method: 'GET', url: `/catalog.ttl?modified_since=${encodeURIComponent(since)}` })
  t.equal(recent.statusCode, 200)
  t.same(
    harvest(await parse('ttl', recent.body)).map((d) => d.title),
    ['ds-007'],
    'modified_since filters',
  )
  t.equal(hydra(recent.body).first, `"http://test.local/catalog.ttl?modified_since=${encodeURIComponent(since)}&page=1"`)
  const q = await app.app.inject({ method: 'GET', url: '/catalog.jsonld?q=name:ds-01*' })
  t.equal(harvest(await parse('jsonld', q.body)).length, 10, 'q filters (jsonld)')

  for (const [url, message] of [
    ['/catalog.ttl?page=0', 'Page param must be a positive integer starting in 1'],
    ['/catalog.ttl?page=abc', 'Page param must be a positive integer starting in 1'],
    ['/catalog.ttl?modified_since=yesterday', 'Wrong modified date format. Use ISO-8601 format'],
    ['/catalog.ttl?profiles=euro_dcat_ap_3,nope,bad', 'Unknown RDF profiles: bad, nope'],
  ]) {
    const res = await app.app.inject({ method: 'GET', url })
    t.equal(res.statusCode, 409, `${url}: 409`)
    t.equal(res.body, message, `${url}: CKAN's message`)
  }
  for (const url of ['/catalog.csv', '/catalog.', '/dataset/ds-001.yaml']) {
    const res = await app.app.inject({ method: 'GET', url })
    t.equal(res.statusCode, 404, `${url}: 404`)
  }
  const bad = await app.call('dcat_catalog_show', { page: -1 }, { token: null })
  t.equal(bad.statusCode, 409, 'action: bad page is a Validation Error')
  t.same(bad.json().error, { __type: 'Validation Error', message: 'Page param must be a positive integer starting in 1' })
})

t.test('private, draft, deleted datasets and harvest sources never leak', async (t) => {
  const w = await world(t, { CREATE_UNOWNED_DATASET: 'false' })
  const pub = await w.dataset('public', 'visible')
  const priv = await w.dataset('private', 'hidden-private')
  const draft = await w.dataset('draft', 'hidden-draft')
  const deleted = await w.dataset('deleted', 'hidden-deleted')
  await w.ok('package_create', { name: 'hidden-harvest', type: 'harvest', owner_org: 'org1', url: 'https://source.example.org/catalog.ttl' })

  for (const role of ['anonymous', 'registered', 'member', 'sysadmin'] as const) {
    const token = w.token(role)
    const headers = token ? { authorization: token } : {}
    for (const ext of ['ttl', 'rdf', 'jsonld']) {
      const res = await w.app.inject({ method: 'GET', url: `/catalog.${ext}`, headers })
      t.equal(res.statusCode, 200)
      t.same(
        harvest(await parse(ext, res.body)).map((d) => d.title),
        ['Title of visible'],
        `${role}: /catalog.${ext} lists the public dataset only`,
      )
      t.notMatch(res.body, /hidden/, `${role}: /catalog.${ext} never names a hidden one`)
    }
    const fq = await w.app.inject({ method: 'GET', url: `/catalog.ttl?fq=${encodeURIComponent('+state:(draft OR deleted) +private:true')}`, headers })
    t.notMatch(fq.body, /hidden/, `${role}: fq cannot widen the catalog`)
    const dj = await w.app.inject({ method: 'GET', url: '/data.json', headers })
    t.equal(dj.statusCode, 200)
    t.same(
      dj.json().dataset.map((d: any) => d.title),
      ['Title of visible'],
      `${role}: /data.json`,
    )
  }

  const ttl = (id: string, role: Parameters<typeof w.token>[0]) => {
    const token = w.token(role)
    return w.app.inject({ method: 'GET', url: `/dataset/${id}.ttl`, headers: token ? { authorization: token } : {} })
  }
  t.equal((await ttl(pub.name, 'anonymous')).statusCode, 200, 'public: 200')
  t.equal((await ttl(priv.name, 'anonymous')).statusCode, 403, 'private: anonymous 403')
  t.equal((await ttl(priv.id, 'other_admin')).statusCode, 403, 'private: outsider 403')
  const member = await ttl(priv.name, 'member')
  t.equal(member.statusCode, 200, 'private: member 200')
  t.equal(harvest(await parse('ttl', member.body))[0].title, 'Title of hidden-private')
  t.equal((await ttl(draft.name, 'anonymous')).statusCode, 403, 'draft: anonymous 403')
  for (const role of ['anonymous', 'member', 'admin'] as const) t.equal((await ttl(deleted.name, role)).statusCode, 404, `deleted: ${role} 404`)
  t.equal((await ttl(deleted.name, 'sysadmin')).statusCode, 200, 'deleted: sysadmin 200')
  t.equal((await ttl('no-such-dataset', 'anonymous')).statusCode, 404, 'unknown: 404')
})

t.test('content negotiation on /dataset/{id}', async (t) => {
  const app = await dcatApp(t)
  await app.ok('organization_create', { name: 'org' })
  const ds = await app.ok('package_create', { name: 'negotiated', title: 'Negotiated', owner_org: 'org' })
  const get = (accept?: string) => app.app.inject({ method: 'GET', url: `/dataset/${ds.name}`, headers: accept ? { accept } : {} })
  for (const [accept, type] of [
    ['text/turtle', 'text/turtle'],
    ['application/rdf+xml', 'application/rdf+xml'],
    ['application/ld+json', 'application/ld+json'],
    ['text/n3', 'text/n3'],
    ['text/html;q=0.5, text/turtle', 'text/turtle'],
    ['application/*', 'application/rdf+xml'],
  ]) {
    const res = await get(accept)
    t.equal(res.statusCode, 200, `${accept}: 200`)
    t.equal(res.headers['content-type'], `${type}; charset=utf-8`, `${accept}: ${type}`)
    t.equal(res.headers.vary, 'Accept', `${accept}: Vary`)
  }
  const jsonld = await get('application/ld+json')
  t.equal(harvest(await parse('jsonld', jsonld.body))[0].title, 'Negotiated')
  for (const accept of [undefined, 'text/html', '*/*', 'text/html, text/turtle', 'application/json']) {
    const res = await get(accept)
    t.equal(res.statusCode, 200, `${accept ?? 'no Accept'}: no RDF asked for, the dataset's HTML page`)
    t.match(res.headers['content-type'], /^text\/html/)
    t.match(res.headers.vary, /^Accept\b/, 'Vary still names Accept')
  }
})
