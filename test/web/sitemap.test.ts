import t from 'tap'
import { SaxesParser } from 'saxes'
import { testApp, type TestApp } from '../helpers/app.js'
import { Catalogue } from '../../src/web/pages/sitemap.js'

const SITE = 'http://test.local'

/** Parses with a strict XML parser (throws on anything not well-formed); returns the root element, the <loc>s and the <lastmod> of each loc. */
function parseSitemap(xml: string): { root: string; namespace: string; locs: string[]; lastmod: Map<string, string> } {
  const parser = new SaxesParser({ xmlns: true })
  let root = ''
  let namespace = ''
  const stack: string[] = []
  const locs: string[] = []
  const lastmod = new Map<string, string>()
  let text = ''
  parser.on('error', (err) => {
    throw err
  })
  parser.on('opentag', (node) => {
    if (!root) {
      root = node.local
      namespace = node.uri
    }
    stack.push(node.local)
    text = ''
  })
  parser.on('text', (s) => {
    text += s
  })
  parser.on('closetag', (node) => {
    stack.pop()
    if (node.local === 'loc') locs.push(text)
    if (node.local === 'lastmod') lastmod.set(locs[locs.length - 1], text)
  })
  parser.write(xml).close()
  return { root, namespace, locs, lastmod }
}

async function get(h: TestApp, url: string) {
  const res = await h.app.inject({ url })
  return { status: res.statusCode, type: String(res.headers['content-type']), body: res.body }
}

async function catalogue(h: TestApp) {
  await h.ok('organization_create', { name: 'ministerio-salud', title: 'Ministerio de Salud' })
  await h.ok('organization_create', { name: 'oculta', title: 'Sin datos públicos' })
  await h.ok('group_create', { name: 'salud', title: 'Salud' })
  const publics = []
  for (const name of ['camas-hospitalarias', 'vacunacion-2024', 'poblacion-censo']) publics.push(await h.ok('package_create', { name, title: name, owner_org: 'ministerio-salud' }))
  await h.ok('package_create', { name: 'secreto-privado', owner_org: 'oculta', private: true })
  await h.ok('package_create', { name: 'borrador-draft', owner_org: 'ministerio-salud', state: 'draft' })
  await h.ok('package_create', { name: 'borrado-deleted', owner_org: 'ministerio-salud' })
  await h.ok('package_delete', { id: 'borrado-deleted' })
  return publics as Array<{ id: string; name: string; metadata_modified: string }>
}

const FIXED = [`${SITE}/`, `${SITE}/dataset`, `${SITE}/organization`, `${SITE}/group`]
const HEAD = [...FIXED, `${SITE}/organization/ministerio-salud`, `${SITE}/organization/oculta`, `${SITE}/group/salud`]

t.test('one urlset while the catalogue fits in a file; robots.txt', async (t) => {
  const h = await testApp(t)
  const publics = await catalogue(h)
  const byName = [...publics].sort((a, b) => (a.name < b.name ? -1 : 1))

  const res = await get(h, '/sitemap.xml')
  t.equal(res.status, 200)
  t.match(res.type, /^application\/xml; charset=utf-8/)
  const map = parseSitemap(res.body)
  t.equal(map.root, 'urlset')
  t.equal(map.namespace, 'http://www.sitemaps.org/schemas/sitemap/0.9')
  t.same(map.locs, [...HEAD, ...byName.map((d) => `${SITE}/dataset/${d.name}`)], 'fixed pages, organizations, groups, then public datasets in name order')
  for (const d of publics) {
    const lastmod = map.lastmod.get(`${SITE}/dataset/${d.name}`)
    t.ok(lastmod && Date.parse(lastmod) === Date.parse(`${d.metadata_modified}Z`), `lastmod of ${d.name} is its metadata_modified (${lastmod})`)
  }
  t.notMatch(res.body, /secreto|borrador|borrado/, 'private, draft and deleted datasets are not listed')
  t.equal(map.lastmod.size, 3, 'only datasets carry a lastmod')

  const asAdmin = await h.app.inject({ url: '/sitemap.xml', headers: { authorization: h.sysadminToken } })
  t.notMatch(asAdmin.body, /secreto|borrador/, 'a token does not add what anonymous visitors cannot see')
  t.equal((await get(h, '/sitemap-2.xml')).status, 404, 'no second file for a small catalogue')

  const robots = await get(h, '/robots.txt')
  t.equal(robots.status, 200)
  t.match(robots.type, /^text\/plain/)
  t.match(robots.body, /^User-agent: \*$/m)
  t.match(robots.body, /^Disallow: \/api\/$/m)
  t.match(robots.body, /^Disallow: \/dataset\/\*\/resource\/\*\/download$/m)
  t.match(robots.body, /^Sitemap: http:\/\/test\.local\/sitemap\.xml$/m)
})

t.test('a sitemap index beyond the URLs a file may hold', async (t) => {
  // 10 URLs, 4 per file: the fixed pages | both organizations, the group, a dataset | the other two datasets
  const h = await testApp(t, { SITEMAP_URLS_PER_FILE: '4' })
  const publics = await catalogue(h)
  const byName = publics.map((d) => `${SITE}/dataset/${d.name}`).sort()

  const index = await get(h, '/sitemap.xml')
  t.equal(index.status, 200)
  const parsed = parseSitemap(index.body)
  t.equal(parsed.root, 'sitemapindex')
  t.same(
    parsed.locs,
    [1, 2, 3].map((n) => `${SITE}/sitemap-${n}.xml`),
  )

  const files = []
  for (const n of [1, 2, 3]) {
    const file = await get(h, `/sitemap-${n}.xml`)
    t.equal(file.status, 200, `sitemap-${n}.xml`)
    const map = parseSitemap(file.body)
    t.equal(map.root, 'urlset')
    t.ok(map.locs.length <= 4, `sitemap-${n}.xml holds at most 4 URLs`)
    files.push(map.locs)
  }
  t.same(files, [FIXED, [...HEAD.slice(4), byName[0]], byName.slice(1)], 'each URL once, in order, split at the boundary')
  t.equal((await get(h, '/sitemap-4.xml')).status, 404)
  t.equal((await get(h, '/sitemap-0.xml')).status, 404)

  await h.ok('package_create', { name: 'otro-mas', owner_org: 'ministerio-salud' })
  await h.ok('package_create', { name: 'y-otro', owner_org: 'ministerio-salud' })
  const grown = parseSitemap((await get(h, '/sitemap.xml')).body)
  t.equal(grown.locs.length, 3, '12 URLs still fit in 3 files')
  await h.ok('package_create', { name: 'el-decimotercero', owner_org: 'ministerio-salud' })
  t.equal(parseSitemap((await get(h, '/sitemap.xml')).body).locs.length, 4, 'the 13th URL opens a 4th file')
})

t.test('datasets read in batches continue after the last name (keyset) across batch and file boundaries', async (t) => {
  const h = await testApp(t)
  await h.ok('organization_create', { name: 'org' })
  const names = Array.from({ length: 11 }, (_, i) => `dataset-${i}`)
  for (const name of names) await h.ok('package_create', { name, owner_org: 'org' })
  await h.ok('package_create', { name: 'privado', owner_org: 'org', private: true })
  const ids = names.map((n) => `${SITE}/dataset/${n}`).sort()

  const log = h.app.log
  const cat = await Catalogue.read({ runner: h.app.actions, config: h.config }, log, 2)
  t.equal(cat.datasets, 11)
  t.equal(cat.total, 16)
  const read = async (from: number, count: number) => {
    const out: string[] = []
    for await (const batch of cat.entries(from, count)) {
      t.ok(batch.length <= 2 || from < cat.head.length, 'a batch holds at most 2 datasets')
      out.push(...batch.map((e) => e.loc))
    }
    return out
  }
  const all = await read(0, cat.total)
  t.same(all, [...FIXED, `${SITE}/organization/org`, ...ids])
  const pieces = [await read(0, 7), await read(7, 7), await read(14, 7)]
  t.same(pieces.flat(), all, 'files of 7 cover the sequence exactly once')
  t.same(await read(8, 3), all.slice(8, 11))
})
