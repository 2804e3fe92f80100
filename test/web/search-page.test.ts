import t from 'tap'
import { testApp, type TestApp } from '../helpers/app.js'

const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' }
const ODD_FORMAT = 'Hoja "ODS": v2'
/** package_search reads any `+state` in a filter as the caller's own state clause */
const SLY_FORMAT = 'ODS +state'

/** The catalogue every assertion below reads: built through the API, as a publisher would. */
async function catalogue(h: TestApp): Promise<void> {
  await h.ok('organization_create', { name: 'inec', title: 'Instituto Nacional de Estadística' })
  await h.ok('organization_create', { name: 'ministerio-salud', title: 'Ministerio de Salud' })
  await h.ok('group_create', { name: 'salud', title: 'Salud pública' })
  await h.ok('group_create', { name: 'economia', title: 'Economía' })
  await h.ok('package_create', {
    name: 'poblacion-provincias',
    title: 'Población por provincia',
    notes: 'Proyecciones de población por provincia y cantón.',
    owner_org: 'inec',
    groups: [{ name: 'economia' }],
    tags: [{ name: 'censo' }, { name: 'demografía' }],
    license_id: 'cc-by',
    resources: [{ url: 'http://example.org/p.csv', format: 'CSV' }],
  })
  await h.ok('package_create', {
    name: 'camas-hospitalarias',
    title: 'Camas hospitalarias',
    owner_org: 'ministerio-salud',
    groups: [{ name: 'salud' }],
    tags: [{ name: 'salud' }, { name: 'hospitales' }],
    license_id: 'odc-odbl',
    resources: [
      { url: 'http://example.org/c.csv', format: 'CSV' },
      { url: 'http://example.org/c.xlsx', format: 'XLSX' },
    ],
  })
  await h.ok('package_create', { name: 'hoja-rara', title: 'Hoja con formato raro', owner_org: 'inec', resources: [{ url: 'http://example.org/h', format: ODD_FORMAT }] })
  await h.ok('package_create', { name: 'escape-me', title: 'Datos <script>alert(1)</script> crudos', owner_org: 'inec' })
  await h.ok('package_create', { name: 'secreto-salud', title: 'Expedientes secretos', owner_org: 'ministerio-salud', private: true, tags: [{ name: 'salud' }] })
  await h.ok('package_create', { name: 'borrado', title: 'Conjunto borrado', owner_org: 'ministerio-salud', tags: [{ name: 'salud' }] })
  await h.ok('package_delete', { id: 'borrado' })
  await h.ok('package_create', { name: 'borrador', title: 'Conjunto en borrador', owner_org: 'ministerio-salud', state: 'draft', tags: [{ name: 'salud' }], resources: [{ url: 'http://example.org/b', format: SLY_FORMAT }] })
  await h.ok('package_create', { name: 'estado', title: 'Estado de cuentas', owner_org: 'ministerio-salud', resources: [{ url: 'http://example.org/e', format: SLY_FORMAT }] })
  // a run for paging and sorting: 22 datasets, and 12 tags on them for "show more"
  for (let i = 1; i <= 22; i++) {
    const n = String(i).padStart(2, '0')
    await h.ok('package_create', { name: `serie-${n}`, title: `Serie ${n}`, owner_org: 'inec', tags: [{ name: 'serie' }, { name: `t${String(i % 12).padStart(2, '0')}` }] })
  }
}

const PUBLIC = 5 + 22

/** Dataset links of the result list, in order. */
function results(body: string): string[] {
  const list = body.match(/<ul class="dataset-list">([\s\S]*?)<\/ul>/)
  return list ? [...list[1].matchAll(/<h3><a href="\/dataset\/([^"]+)">/g)].map((m) => m[1]) : []
}

t.test('dataset search page', async (t) => {
  const h = await testApp(t)
  await catalogue(h)
  const get = (url: string, headers: Record<string, string> = HTML) => h.app.inject({ url, headers })

  t.test('everything public, with facets and counts', async (t) => {
    const res = await get('/dataset')
    t.equal(res.statusCode, 200)
    t.match(res.body, new RegExp(`<h2 id="results-title" class="result-count">${PUBLIC} conjuntos de datos encontrados</h2>`))
    t.notMatch(res.body, /secretos|borrado|borrador/i, 'private, deleted and draft datasets are not listed')
    t.equal(results(res.body).length, 20, '20 per page')
    t.match(res.body, /<a href="\/dataset\?organization=ministerio-salud"><span class="facet-label">Ministerio de Salud<\/span> <span class="count">2<\/span>/, 'the count is of public datasets only')
    t.match(res.body, /<a href="\/dataset\?organization=inec"><span class="facet-label">Instituto Nacional de Estadística<\/span> <span class="count">25<\/span>/)
    t.match(res.body, /<a href="\/dataset\?res_format=CSV"><span class="facet-label">CSV<\/span> <span class="count">2</)
    t.match(res.body, /<a href="\/dataset\?license_id=cc-by"><span class="facet-label">Creative Commons Attribution<\/span>/, 'licences by title')
    t.match(res.body, /<a href="\/dataset\?groups=salud"><span class="facet-label">Salud pública<\/span>/, 'groups by title')
    t.notMatch(res.body, /facet-active|filter-chip/, 'no filter is active')
    // 13 tags: the first 10 by count, then "show more"
    const tags = res.body.match(/<h3 id="facet-tags">[\s\S]*?<\/section>/)![0]
    t.equal([...tags.matchAll(/<li>/g)].length, 10)
    t.match(tags, /<a href="\/dataset\?tags=serie"><span class="facet-label">serie<\/span> <span class="count">22</, 'the most used tag first')
    t.match(tags, /<a href="\/dataset\?_tags_limit=0">Mostrar más/)
    const expanded = await get('/dataset?_tags_limit=0')
    const all = expanded.body.match(/<h3 id="facet-tags">[\s\S]*?<\/section>/)![0]
    t.equal([...all.matchAll(/<li>/g)].length, 17, 'all of them once asked (serie, t00–t11, censo, demografía, salud, hospitales)')
    t.match(all, /<a href="\/dataset">Mostrar menos/)
    t.match(expanded.body, /<link rel="canonical" href="http:\/\/test.local\/dataset">/, 'showing more is the same page')
  })

  t.test('a facet link adds its filter; the active one removes it', async (t) => {
    const res = await get('/dataset?tags=salud')
    t.same(results(res.body), ['camas-hospitalarias'])
    t.match(res.body, /1 conjunto de datos encontrado</, 'singular')
    t.match(res.body, /<a href="\/dataset" class="facet-active" aria-current="true"><span class="visually-hidden">Quitar filtro: <\/span><span class="facet-label">salud<\/span>/, 'the active value links to the search without it')
    t.match(res.body, /<a href="\/dataset\?tags=salud&amp;tags=hospitales"><span class="facet-label">hospitales/, 'another value adds to it')
    t.match(res.body, /<a href="\/dataset\?organization=ministerio-salud&amp;tags=salud">/, 'another facet adds to it')
    t.match(res.body, /<a class="filter-chip" href="\/dataset"><span class="visually-hidden">Quitar filtro <\/span>Etiquetas: salud/)
    t.match(res.body, /<input type="hidden" name="tags" value="salud">/, 'the form keeps the filter')
  })

  t.test('filters combine with AND, across and within facets', async (t) => {
    t.same(results((await get('/dataset?organization=inec&tags=censo')).body), ['poblacion-provincias'])
    t.same(results((await get('/dataset?tags=salud&tags=hospitales&res_format=XLSX')).body), ['camas-hospitalarias'])
    const none = await get('/dataset?tags=salud&tags=censo&q=camas')
    t.equal(none.statusCode, 200)
    t.same(results(none.body), [])
    t.match(none.body, /0 conjuntos de datos encontrados para «camas»/)
    t.match(none.body, /No se encontraron conjuntos de datos/)
    t.match(none.body, /<a href="\/dataset\?q=camas&amp;tags=censo">Quitar el filtro Etiquetas: salud<\/a>/, 'a link to widen the search by each filter')
    t.match(none.body, /<a href="\/dataset\?q=camas&amp;tags=salud">Quitar el filtro Etiquetas: censo<\/a>/)
    t.match(none.body, /<a href="\/dataset\?q=camas">Quitar todos los filtros<\/a>/)
    t.match(none.body, /<a href="\/dataset\?tags=salud&amp;tags=censo">Buscar sin el texto «camas»<\/a>/)
  })

  t.test('values with spaces, quotes and colons are quoted for the filter', async (t) => {
    const res = await get(`/dataset?res_format=${encodeURIComponent(ODD_FORMAT)}`)
    t.equal(res.statusCode, 200)
    t.same(results(res.body), ['hoja-rara'])
    t.match(res.body, /Formatos: Hoja &quot;ODS&quot;: v2/, 'shown escaped')
    const facet = (await get('/dataset')).body
    t.match(facet, /<a href="\/dataset\?res_format=Hoja\+%22ODS%22%3A\+v2"><span class="facet-label">Hoja &quot;ODS&quot;: v2<\/span>/)
    const broken = await get(`/dataset?tags=${encodeURIComponent('x" OR tags:"salud')}`)
    t.equal(broken.statusCode, 200)
    t.same(results(broken.body), [], 'a value that tries to close its quotes is still one literal value')
    const sly = await get(`/dataset?res_format=${encodeURIComponent(SLY_FORMAT)}`)
    t.same(results(sly.body), ['estado'], 'a value containing `+state` does not bring drafts in')
  })

  t.test('paging', async (t) => {
    const p1 = await get('/dataset?tags=serie&sort=title_string%20asc')
    t.match(p1.body, /22 conjuntos de datos encontrados/)
    t.equal(results(p1.body).length, 20)
    t.equal(results(p1.body)[0], 'serie-01')
    t.match(p1.body, /<nav class="pagination" aria-label="Páginas de resultados">/)
    t.match(p1.body, /<a href="\/dataset\?tags=serie&amp;sort=title_string\+asc" aria-current="page"><span class="visually-hidden">Página <\/span>1<\/a>/)
    t.match(p1.body, /<a href="\/dataset\?tags=serie&amp;sort=title_string\+asc&amp;page=2" rel="next">Siguiente<\/a>/)
    t.notMatch(p1.body, /rel="prev"/)
    const p2 = await get('/dataset?tags=serie&sort=title_string%20asc&page=2')
    t.same(results(p2.body), ['serie-21', 'serie-22'])
    t.match(p2.body, /aria-current="page"><span class="visually-hidden">Página <\/span>2<\/a>/)
    t.match(p2.body, /<a href="\/dataset\?tags=serie&amp;sort=title_string\+asc" rel="prev">Anterior<\/a>/)
    t.match(p2.body, /<option value="title_string asc" selected>Nombre \(A-Z\)<\/option>/, 'the order chosen is selected')
    t.match(p2.body, /<input type="hidden" name="tags" value="serie">/)
    t.notMatch(p2.body, /<input type="hidden" name="page"/, 'a new search starts at page 1')
  })

  t.test('sort orders', async (t) => {
    t.same(results((await get('/dataset?tags=serie&sort=title_string%20desc')).body).slice(0, 2), ['serie-22', 'serie-21'])
    const modified = results((await get('/dataset?tags=serie&sort=metadata_modified%20desc')).body)
    t.equal(modified[0], 'serie-22', 'the last written first')
    const unknown = await get('/dataset?tags=serie&sort=nonsense')
    t.equal(unknown.statusCode, 200, 'an unknown order falls back to relevance')
    t.match(unknown.body, /<option value="score desc, metadata_modified desc" selected>Relevancia/)
  })

  t.test('bad page values are a 400 page; pages past the end the no-results help', async (t) => {
    for (const p of ['0', '-1', 'x', '1.5', '2e3']) {
      const res = await get(`/dataset?page=${p}`)
      t.equal(res.statusCode, 400, `page=${p}`)
      t.match(res.body, /El parámetro «page» debe ser un número entero positivo/)
    }
    for (const p of ['3', '99999999999999999999999']) {
      const res = await get(`/dataset?tags=serie&page=${p}`)
      t.equal(res.statusCode, 200, `page=${p}`)
      t.same(results(res.body), [])
      t.match(res.body, /Esta página está más allá de la última con resultados/)
      t.match(res.body, /<a href="\/dataset\?tags=serie">Ir a la primera página de resultados<\/a>/)
    }
    t.equal((await get('/dataset?page=')).statusCode, 200, 'an empty page is page 1')
    const syntax = await get('/dataset?q=title%3A%28')
    t.equal(syntax.statusCode, 400, 'a query the parser refuses is the visitor’s mistake')
    t.match(syntax.body, /Solicitud no válida/)
  })

  t.test('accents and typos', async (t) => {
    const plain = await get('/dataset?q=poblacion')
    t.same(results(plain.body), ['poblacion-provincias'], 'unaccented words find accented ones')
    t.match(plain.body, /<input id="search-q" type="search" name="q" value="poblacion"/, 'the query stays in the box')
    t.notMatch(plain.body, /class="correction"/, 'a known word is no typo')
    const plural = await get('/dataset?q=provincias')
    t.same(results(plural.body), ['poblacion-provincias'])
    t.notMatch(plural.body, /class="correction"/, 'another form of a known word is no typo either')

    const typo = await get('/dataset?q=poblacon')
    t.same(results(typo.body), ['poblacion-provincias'])
    t.match(typo.body, /<p class="correction">Mostrando resultados para <strong>población<\/strong><\/p>/, 'the correction, spelt as the catalogue spells it')
    const elsewhere = await get('/dataset?q=poblacon&organization=ministerio-salud')
    t.same(results(elsewhere.body), [])
    t.match(elsewhere.body, /<p class="correction">¿Quisiste decir <a href="\/dataset\?q=poblaci%C3%B3n&amp;organization=ministerio-salud">población<\/a>\?<\/p>/)
    const en = await get('/dataset?q=poblacon&lang=en')
    t.match(en.body, /1 dataset found for “poblacon”/)
    t.match(en.body, /Showing results for <strong>población<\/strong>/)

    // the API answer keeps CKAN's shape: the corrections stay inside the process
    const api = await h.app.inject({ url: '/api/3/action/package_search?q=poblacon' })
    t.same(Object.keys(api.json().result).sort(), ['count', 'facets', 'results', 'search_facets', 'sort'])
    t.notMatch(api.body, /suggestions|corrections/)
  })

  t.test('everything printed is escaped', async (t) => {
    const res = await get('/dataset?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E')
    t.equal(res.statusCode, 200)
    t.notMatch(res.body, /<script>alert/)
    t.match(res.body, /value="&lt;script&gt;alert\(1\)&lt;\/script&gt;"/)
    const list = await get('/dataset?q=crudos')
    t.same(results(list.body), ['escape-me'])
    t.match(list.body, /Datos &lt;script&gt;alert\(1\)&lt;\/script&gt; crudos/)
    t.notMatch(list.body, /<script>alert/)
  })

  t.test('English', async (t) => {
    const res = await get('/dataset?tags=salud&lang=en')
    t.match(res.body, /<h2 id="results-title" class="result-count">1 dataset found<\/h2>/)
    t.match(res.body, /<h3 id="facet-tags">Tags<\/h3>/)
    t.match(res.body, /Remove filter: <\/span><span class="facet-label">salud/)
    const many = await get('/dataset?lang=en')
    t.match(many.body, new RegExp(`${PUBLIC} datasets found`))
    t.match(many.body, /<nav class="pagination" aria-label="Result pages">/)
  })
})
