import t from 'tap'
import { sql } from 'kysely'
import { testApp, type TestApp } from '../helpers/app.js'
import { fillTable } from './views-fixtures.js'
import { createTable, syncReaderAccess, tableRef } from '../../src/datastore/table.js'
import { setDatastoreActive } from '../../src/datastore/active.js'

/**
 * The resource page reads a resource's rows from the DataStore when its table exists: sorted,
 * searched (Spanish-aware), paged, through datastore_search as the visitor; the file otherwise.
 */

const HTML = { accept: 'text/html,application/xhtml+xml' }

const h: TestApp = await testApp(t)
await h.ok('organization_create', { name: 'inec', title: 'INEC' })
const user = await h.ok('user_create', { name: 'mem', email: 'mem@x.org', password: '12345678', with_apitoken: true })
await h.ok('organization_member_create', { id: 'inec', username: 'mem', role: 'member' })

/** A dataset with one CSV link whose rows are (or are not) in the DataStore; the catalogue is written after, so no cached page predates the table. */
async function dataset(name: string, opts: { private?: boolean; table?: boolean } = {}): Promise<{ rid: string; page: string }> {
  const ds = await h.ok('package_create', { name, title: `Población ${name}`, owner_org: 'inec', private: opts.private ?? false, resources: [{ name: 'Población por provincia', url: 'http://127.0.0.1:9/poblacion.csv', format: 'CSV' }] })
  const rid = ds.resources[0].id as string
  if (opts.table !== false) await fillTable(h.db.kysely, rid)
  await h.ok('package_patch', { id: name, notes: 'Proyecciones.' })
  return { rid, page: `/dataset/${name}/resource/${rid}` }
}

const get = (url: string, headers: Record<string, string> = {}) => h.app.inject({ url, headers: { ...HTML, ...headers } })

/** The visible rows of the table: each row's cells as text. */
function rows(body: string): string[][] {
  const start = body.indexOf('preview-datastore')
  if (start < 0) return []
  const table = body.slice(start, body.indexOf('id="metadata-title"'))
  const tbody = /<tbody>([\s\S]*?)<\/tbody>/.exec(table)?.[1] ?? ''
  return [...tbody.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => [...m[1].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => c[1]))
}

const pub = await dataset('publico')

t.test('the first page of rows, with the labels of the columns', async (t) => {
  const res = await get(pub.page)
  t.equal(res.statusCode, 200)
  const body = res.body
  t.match(body, /<div class="preview preview-datastore">/)
  t.notMatch(body, /preview-none/, 'the file (unreachable) is not fetched')
  t.match(
    body,
    /<th scope="col"><a href="[^"]*sort=provincia#preview-title" rel="nofollow">Provincia<span class="sort-mark" aria-hidden="true"> ↕<\/span><span class="visually-hidden">, ordenar de menor a mayor<\/span><\/a><\/th><th scope="col" class="num"><a href="[^"]*sort=anio#preview-title" rel="nofollow">Año/,
    'labels from info.label; numbers aligned right; each header sorts',
  )
  t.match(body, />fuente<span/, 'a column without a label shows its name')
  const r = rows(body)
  t.equal(r.length, 20, 'twenty rows a page')
  t.same(r[0], ['Azuay', '2020', '881394', 'INEC'])
  t.same(r[19], ['Santa Elena', '2020', '401178', 'INEC'])
  t.same(r[15], ['Napo', '2020', '133705', '&lt;b&gt;INEC&lt;/b&gt; &amp; &lt;script&gt;x()&lt;/script&gt;'], 'cells are escaped')
  t.same(r[17], ['Pastaza', '2020', '', 'INEC'], 'a null is an empty cell')
  t.match(body, /Filas 1 a 20 de 48\./)
  t.match(body, new RegExp(`<a href="${pub.page}\\?page=2#preview-title" rel="next">Siguiente</a>`), 'paged')
  t.match(body, new RegExp(`href="/datastore/dump/${pub.rid}\\?bom=true"`), 'every row as CSV from the dump')
  t.match(body, /<form class="table-filter" action="[^"]+#preview-title" method="get" role="search"/)
})

t.test('sorting by a column, both ways, nulls last', async (t) => {
  const desc = await get(`${pub.page}?sort=poblacion&dir=desc`)
  const r = rows(desc.body)
  t.same(
    r.slice(0, 3).map((x) => [x[0], x[2]]),
    [
      ['Guayas', '4389434'],
      ['Guayas', '4387434'],
      ['Pichincha', '3230233'],
    ],
  )
  t.match(desc.body, /<th scope="col" aria-sort="descending" class="num"><a href="[^"]*sort=poblacion#preview-title" rel="nofollow">Población<span class="sort-mark" aria-hidden="true"> ▼/, 'the header says so and sorts back ascending')
  t.match(desc.body, /<input type="hidden" name="sort" value="poblacion"><input type="hidden" name="dir" value="desc">/, 'the search form keeps the order')
  const last = await get(`${pub.page}?sort=poblacion&dir=desc&page=3`)
  t.same(rows(last.body).at(-1), ['Pastaza', '2020', '', 'INEC'], 'the empty value comes last')
  t.match(last.body, /Filas 41 a 48 de 48\./)
  const asc = await get(`${pub.page}?sort=provincia`)
  t.same(
    rows(asc.body)
      .slice(0, 4)
      .map((x) => x[0]),
    ['Azuay', 'Azuay', 'Bolívar', 'Bolívar'],
  )
})

t.test('searching: words without accents find accented ones, in every column or one', async (t) => {
  const any = await get(`${pub.page}?q=camara`)
  t.same(
    rows(any.body)
      .map((x) => x[3])
      .sort(),
    ['Cámara de Comercio de Carchi', 'Cámara de Comercio de Manabí', 'Cámara de Comercio de Zamora Chinchipe'],
    'q=camara finds «Cámara»',
  )
  t.match(any.body, /Filas 1 a 3 de 3\. Coinciden con «camara»\./)
  t.match(any.body, /<input id="table-q" type="search" name="q" value="camara">/)
  t.match(any.body, new RegExp(`<a class="button secondary" href="${pub.page}#preview-title">Quitar búsqueda y orden</a>`))

  const col = await get(`${pub.page}?q=Manabi&col=provincia`)
  t.same(
    rows(col.body).map((x) => [x[0], x[1]]),
    [
      ['Manabí', '2020'],
      ['Manabí', '2022'],
    ],
  )
  t.match(col.body, /<option value="provincia" selected>Provincia<\/option>/)
  const wrongCol = await get(`${pub.page}?q=Manabi&col=anio`)
  t.match(wrongCol.body, /Ninguna fila coincide con la búsqueda\./)
  t.same(rows(wrongCol.body), [])

  const paged = await get(`${pub.page}?q=inec&per=50`)
  t.match(paged.body, /Filas 1 a 45 de 45\./, 'per=50: one page')
  t.notMatch(paged.body, /class="pagination"/)
  t.match(paged.body, /<option value="50" selected>50<\/option>/)
})

t.test('what cannot be applied is left out, the table stays', async (t) => {
  const bad = await get(`${pub.page}?sort=nonexistent&q=azuay&col=nope`)
  t.equal(bad.statusCode, 200)
  t.match(bad.body, /No se pudo aplicar la búsqueda o el orden pedidos; se muestran las primeras filas\./)
  t.equal(rows(bad.body).length, 20)
  const past = await get(`${pub.page}?page=99`)
  t.match(past.body, /Esta página está después de la última; la tabla tiene 48 filas\./)
  t.match(past.body, new RegExp(`<a href="${pub.page}\\?page=3#preview-title" rel="prev">`), 'a way back to the last page')
  const junk = await get(`${pub.page}?page=abc&per=7`)
  t.equal(rows(junk.body).length, 20, 'unknown paging values fall back to the defaults')
})

t.test('no table: the file is previewed as before', async (t) => {
  const plain = await dataset('sin-tabla', { table: false })
  const res = await get(plain.page)
  t.equal(res.statusCode, 200)
  t.notMatch(res.body, /preview-datastore/)
  t.match(res.body, /class="preview preview-none"/)

  // flagged active but its table is gone (dropped by hand): the file again, no error
  const gone = await dataset('tabla-borrada')
  await sql`DROP TABLE ${sql.id('datastore', gone.rid)}`.execute(h.db.kysely)
  await h.ok('package_patch', { id: 'tabla-borrada', notes: 'Sin filas.' })
  const after = await get(gone.page)
  t.equal(after.statusCode, 200)
  t.notMatch(after.body, /preview-datastore/)
})

t.test('a private dataset: its rows only for those who may read it', async (t) => {
  const priv = await dataset('privado', { private: true })
  t.equal((await get(priv.page)).statusCode, 404, 'anonymous: no page at all')
  const member = await get(priv.page, { authorization: user.token })
  t.equal(member.statusCode, 200)
  t.equal(rows(member.body).length, 20, 'a member of the organization sees the rows')
  t.match(member.body, /Filas 1 a 20 de 48\./)
})

t.test("the dataset's activity page tells of its views", async (t) => {
  await h.ok('resource_view_create', { resource_id: pub.rid, view_type: 'datatables_view', title: 'Tabla' })
  const res = await get('/dataset/activity/publico')
  t.equal(res.statusCode, 200)
  t.match(res.body, /<li class="activity-item activity-view_new"[^>]*>\s*<p class="activity-what"><span class="activity-actor">admin<\/span> creó una vista de un recurso de <a href="\/dataset\/publico">Población publico<\/a><\/p>/)
})

t.test('a large table is counted from the estimate, not scanned on every page', async (t) => {
  const big = await dataset('grande', { table: false })
  const db = h.db.kysely
  await createTable(db, big.rid, [{ id: 'n', type: 'int4' }], { fullText: false })
  await sql`INSERT INTO ${tableRef(big.rid)} (n) SELECT g FROM generate_series(1, 120000) g`.execute(db)
  await sql`ANALYZE ${tableRef(big.rid)}`.execute(db)
  await syncReaderAccess(db, big.rid)
  await setDatastoreActive(db, big.rid, true)
  await h.ok('package_patch', { id: 'grande', notes: 'Muchas filas.' })
  const res = await get(`${big.page}?page=2`)
  t.match(res.body, /Filas 21 a 40 de unas 120\.000\./)
  t.same(rows(res.body)[0], ['21'])
})
