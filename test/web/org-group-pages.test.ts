import t from 'tap'
import { testApp } from '../helpers/app.js'

const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' }

/** Dataset links of the result list, in order. */
function results(body: string): string[] {
  const list = body.match(/<ul class="dataset-list">([\s\S]*?)<\/ul>/)
  return list ? [...list[1].matchAll(/<h3><a href="\/dataset\/([^"]+)">/g)].map((m) => m[1]) : []
}

/** Organization or group links of a list page, in order. */
function listed(body: string, kind: string): string[] {
  return [...body.matchAll(new RegExp(`<h2><a href="/${kind}/([^"]+)">`, 'g'))].map((m) => m[1])
}

t.test('organization and group pages', async (t) => {
  const h = await testApp(t)
  const get = (url: string) => h.app.inject({ url, headers: HTML })
  await h.ok('organization_create', {
    name: 'inec',
    title: 'Instituto Nacional de Estadística',
    description: 'Produce las **estadísticas oficiales** del país. <b>Más</b> en [su sitio](http://inec.example).\n\nSegundo párrafo <script>alert(1)</script>.',
    image_url: 'http://example.org/inec.png',
  })
  await h.ok('organization_create', { name: 'salud', title: 'Ministerio de Salud', description: 'Salud pública.' })
  await h.ok('organization_create', { name: 'cerrada', title: 'Organización cerrada' })
  await h.ok('organization_delete', { id: 'cerrada' })
  await h.ok('group_create', { name: 'economia', title: 'Economía', description: 'Datos económicos' })
  await h.ok('group_create', { name: 'vacio', title: 'Grupo vacío' })
  await h.ok('package_create', { name: 'poblacion', title: 'Población por provincia', owner_org: 'inec', groups: [{ name: 'economia' }], tags: [{ name: 'censo' }], resources: [{ url: 'http://e.org/a.csv', format: 'CSV' }] })
  await h.ok('package_create', { name: 'empleo', title: 'Encuesta de empleo', owner_org: 'inec', groups: [{ name: 'economia' }], tags: [{ name: 'empleo' }] })
  await h.ok('package_create', { name: 'pib', title: 'Producto interno bruto', owner_org: 'inec', tags: [{ name: 'cuentas' }] })
  await h.ok('package_create', { name: 'camas', title: 'Camas hospitalarias', owner_org: 'salud', groups: [{ name: 'economia' }], tags: [{ name: 'salud' }] })
  await h.ok('package_create', { name: 'privado-inec', title: 'Microdatos reservados', owner_org: 'inec', private: true, groups: [{ name: 'economia' }], tags: [{ name: 'censo' }] })

  t.test('/organization lists each with its public count, description text and image', async (t) => {
    const res = await get('/organization')
    t.equal(res.statusCode, 200)
    t.match(res.body, /<a href="\/organization" aria-current="page">Organizaciones<\/a>/, 'the nav marks the section')
    t.same(listed(res.body, 'organization'), ['inec', 'salud'], 'by title; the deleted one is gone')
    t.match(res.body, /<p class="result-count">2 organizaciones<\/p>/)
    t.match(res.body, /<img class="group-item-image" src="http:\/\/example.org\/inec.png" alt="">/, 'decorative image')
    t.match(res.body, /<p class="group-item-description">Produce las estadísticas oficiales del país. Más en su sitio. Segundo párrafo \.<\/p>/, 'markup reduced to its text, scripts dropped')
    t.match(res.body, /<p class="group-item-count">3 conjuntos de datos<\/p>/, 'the private dataset is not counted')
    t.match(res.body, /<p class="group-item-count">1 conjunto de datos<\/p>/)
    t.same(listed((await get('/organization?sort=title%20desc')).body, 'organization'), ['salud', 'inec'])
    const filtered = await get('/organization?q=estadistica')
    t.same(listed(filtered.body, 'organization'), ['inec'], 'the filter ignores accents')
    t.match(filtered.body, /<input id="group-q" type="search" name="q" value="estadistica">/)
    t.match(filtered.body, /1 organización encontrada para «estadistica»/)
    const none = await get('/organization?q=zzz')
    t.match(none.body, /No se encontraron organizaciones/)
    t.match(none.body, /<a href="\/organization">Ver todas las organizaciones<\/a>/)
    t.equal((await get('/organization?page=x')).statusCode, 400)
  })

  t.test('/group sorts by dataset count and pages by 21', async (t) => {
    for (let i = 1; i <= 21; i++) await h.ok('group_create', { name: `g-${String(i).padStart(2, '0')}`, title: `G ${String(i).padStart(2, '0')}` })
    const byCount = await get('/group?sort=package_count%20desc')
    t.equal(byCount.statusCode, 200)
    t.equal(listed(byCount.body, 'group')[0], 'economia', 'the group with datasets first')
    t.match(byCount.body, /<option value="package_count desc" selected>Más conjuntos de datos<\/option>/)
    t.match(byCount.body, /<p class="group-item-count">3 conjuntos de datos<\/p>/, 'public datasets of the group (the private one is not counted)')
    const p1 = await get('/group')
    t.match(p1.body, /23 grupos/)
    t.equal(listed(p1.body, 'group').length, 21)
    t.match(p1.body, /<a href="\/group\?page=2" rel="next">Siguiente<\/a>/)
    const p2 = await get('/group?page=2')
    t.same(listed(p2.body, 'group'), ['g-21', 'vacio'], 'the rest, in the same order')
    t.match(p2.body, /<a href="\/group\?page=2" aria-current="page"><span class="visually-hidden">Página <\/span>2<\/a>/)
    for (const page of ['9', '99999999999999999999']) {
      const past = await get(`/group?page=${page}`)
      t.equal(past.statusCode, 200, `page=${page}`)
      t.match(past.body, /<a href="\/group">Ir a la primera página de resultados<\/a>/)
    }
    t.equal((await get('/group?page=0')).statusCode, 400)
  })

  t.test("an organization's page is the search page of its datasets", async (t) => {
    const res = await get('/organization/inec')
    t.equal(res.statusCode, 200)
    t.match(res.body, /<title>Instituto Nacional de Estadística · /)
    t.match(res.body, /<h1>Instituto Nacional de Estadística<\/h1>/)
    t.match(res.body, /<img class="group-image" src="http:\/\/example.org\/inec.png" alt="">/)
    t.match(res.body, /<p class="group-description">Produce las estadísticas oficiales del país. Más en su sitio.<\/p>\s*<p class="group-description">Segundo párrafo \.<\/p>/)
    t.notMatch(res.body, /<script>alert/)
    t.same(results(res.body).sort(), ['empleo', 'pib', 'poblacion'], 'its public datasets only')
    t.match(res.body, /3 conjuntos de datos encontrados/)
    t.notMatch(res.body, /id="facet-organization"/, 'its own filter is not a facet')
    t.match(res.body, /<form class="search-form dataset-search-form" action="\/organization\/inec" method="get" role="search">/)
    t.match(res.body, /<label for="search-q">Buscar conjuntos de datos de Instituto Nacional de Estadística<\/label>/)
    t.match(res.body, /<a href="\/organization\/inec\?tags=censo"><span class="facet-label">censo<\/span> <span class="count">1</, 'facet links stay on the page; the private dataset is not counted')

    const tagged = await get('/organization/inec?tags=censo')
    t.same(results(tagged.body), ['poblacion'])
    t.match(tagged.body, /<a href="\/organization\/inec" class="facet-active" aria-current="true">/)
    const searched = await get('/organization/inec?q=camas')
    t.same(results(searched.body), [], "another organization's dataset is not found here")
    t.match(searched.body, /<a href="\/organization\/inec">Buscar sin el texto «camas»<\/a>/)
    t.match((await get('/organization/salud')).body, /1 conjunto de datos encontrado</)
  })

  t.test("a group's page", async (t) => {
    const res = await get('/group/economia')
    t.equal(res.statusCode, 200)
    t.match(res.body, /<h1>Economía<\/h1>/)
    t.match(res.body, /<a href="\/group" aria-current="page">Grupos<\/a>/)
    t.same(results(res.body).sort(), ['camas', 'empleo', 'poblacion'])
    t.notMatch(res.body, /id="facet-groups"/)
    t.match(res.body, /<a href="\/group\/economia\?organization=salud"><span class="facet-label">Ministerio de Salud<\/span>/)
    t.same(results((await get('/group/economia?organization=inec&tags=empleo')).body), ['empleo'])
    const empty = await get('/group/vacio')
    t.match(empty.body, /0 conjuntos de datos encontrados/)
    t.match(empty.body, /No se encontraron conjuntos de datos/)
  })

  t.test('unknown, deleted and mistyped ones are 404 pages', async (t) => {
    for (const url of ['/organization/no-existe', '/organization/cerrada', '/organization/economia', '/group/inec', '/group/no-existe']) {
      const res = await get(url)
      t.equal(res.statusCode, 404, url)
      t.match(res.body, /Página no encontrada/, url)
    }
    t.equal((await get('/organization/inec?page=0')).statusCode, 400)
  })

  t.test('in English', async (t) => {
    const list = await get('/organization?lang=en')
    t.match(list.body, /<p class="result-count">2 organizations<\/p>/)
    t.match(list.body, /<p class="group-item-count">1 dataset<\/p>/)
    const page = await get('/group/economia?lang=en')
    t.match(page.body, /3 datasets found/)
    t.match(page.body, /<p class="group-kind">Group<\/p>/)
  })
})
