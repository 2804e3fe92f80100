import t from 'tap'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { testApp, type TestApp } from '../helpers/app.js'
import { postMultipart } from '../storage/multipart.js'

const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' }
const fixture = (name: string) => readFileSync(path.join('test/fixtures/preview', name))

interface Teardown {
  teardown(fn: () => unknown): void
}

async function portal(t: Teardown): Promise<TestApp> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'abierto-resource-page-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
  const h = await testApp(t, { DATA_DIR: dataDir })
  await h.ok('organization_create', { name: 'inec', title: 'INEC' })
  return h
}

/** resource_create with a file, as ckanapi sends it. */
async function upload(h: TestApp, fields: Record<string, string>, filename: string, content: Buffer): Promise<any> {
  const res = await postMultipart(h.app, 'resource_create', fields, { filename, content }, h.sysadminToken)
  if (res.statusCode !== 200) throw new Error(`upload failed: ${res.body}`)
  return res.json().result
}

const page = (h: TestApp, url: string, headers: Record<string, string> = {}) => h.app.inject({ url, headers: { ...HTML, ...headers } })

// one portal for the file: each subtest works on datasets of its own
const h = await portal(t)

t.test('a Latin-1 CSV separated by semicolons: decoded cells, detected encoding and separator, download', async (t) => {
  const ds = await h.ok('package_create', { name: 'poblacion', title: 'Población por provincia', owner_org: 'inec' })
  const content = fixture('latin1-semicolon.csv')
  const r = await upload(h, { package_id: 'poblacion', name: 'Población 2020-2022', description: 'Proyección **oficial**. <script>alert(1)</script>' }, 'población.csv', content)

  const res = await page(h, `/dataset/poblacion/resource/${r.id}`)
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^text\/html/)
  const body = res.body
  t.match(body, /<h1 id="resource-title">Población 2020-2022<\/h1>/)
  t.match(body, /<title>Población 2020-2022 · Población por provincia · /)
  t.match(body, /Proyección <strong>oficial<\/strong>./, 'the description is Markdown')
  t.notMatch(body, /alert\(1\)/, 'and sanitised')
  t.match(body, /<a href="\/dataset\/poblacion">Población por provincia<\/a>/, 'a link back to the dataset')

  // the preview table
  t.match(body, /<div class="table-scroll" tabindex="0" role="region" aria-label="Tabla de vista previa de Población 2020-2022 \(desplazable\)">/, 'the scrollable region is focusable and named')
  t.match(body, /<caption>Vista previa de Población 2020-2022<\/caption>/)
  t.match(body, /<th scope="col">Provincia<\/th><th scope="col">Año<\/th><th scope="col">Población<\/th><th scope="col">Niños<\/th><th scope="col">Tasa<\/th>/, 'Latin-1 headers decoded')
  t.match(body, /<tr><td>Cañar<\/td><td>2021<\/td><td>281396<\/td><td>50222<\/td><td>10,1<\/td><\/tr>/)
  t.match(body, /<td>Galápagos<\/td>/)
  t.match(body, /<td>80;100<\/td>/, 'a quoted separator stays in its cell')
  t.match(body, /<p class="preview-notes">Se muestran 5 filas. Codificación detectada: Windows-1252 \(Latin-1\). Separador detectado: punto y coma \(;\).<\/p>/)
  t.match(body, /Codificación detectada: Windows-1252 \(Latin-1\)./)
  t.match(body, /Separador detectado: punto y coma \(;\)./)

  // download button and metadata
  const download = `/dataset/${ds.id}/resource/${r.id}/download/poblacion.csv`
  t.match(body, `<a class="button" href="${download}">Descargar<span class="visually-hidden">: Población 2020-2022</span></a>`)
  const file = await h.app.inject({ url: download })
  t.equal(file.statusCode, 200, 'the button leads to the file')
  t.same(file.rawPayload, content)
  t.match(body, /<th scope="row">Formato<\/th><td>CSV<\/td>/)
  t.match(body, new RegExp(`<th scope="row">Tamaño</th><td>196 B \\(196 B\\)</td>`))
  t.match(body, /<th scope="row">Tipo MIME<\/th><td>text\/csv<\/td>/)
  t.match(body, /<th scope="row">Última modificación<\/th><td><time datetime="/)
  t.match(body, /<th scope="row">hash<\/th><td>[0-9a-f]{64}<\/td>/, 'other fields in the table')
  t.match(body, `<link rel="canonical" href="http://test.local/dataset/poblacion/resource/${r.id}">`)

  const byId = await page(h, `/dataset/${ds.id}/resource/${r.id}?lang=en`)
  t.equal(byId.statusCode, 200, 'the dataset may be named by id')
  t.match(byId.body, `<link rel="canonical" href="http://test.local/dataset/poblacion/resource/${r.id}">`, 'canonical by name')
  t.match(byId.body, /Detected encoding: Windows-1252 \(Latin-1\). Detected separator: semicolon \(;\)./)
  t.match(byId.body, /<h2 id="preview-title">Preview<\/h2>/)
})

t.test('spreadsheets: XLSX and ODS show the first sheet and list the sheet names', async (t) => {
  await h.ok('package_create', { name: 'hojas', owner_org: 'inec' })
  const xlsx = await upload(h, { package_id: 'hojas', name: 'Cantones' }, 'cantones.xlsx', fixture('two-sheets.xlsx'))
  const ods = await upload(h, { package_id: 'hojas', name: 'Provincias' }, 'provincias.ods', fixture('repeats.ods'))

  const x = (await page(h, `/dataset/hojas/resource/${xlsx.id}`)).body
  t.match(x, /Hojas del libro: <ul class="sheet-list"><li><strong>Población<\/strong><\/li><li>Notas<\/li><\/ul>. Se muestra la hoja «Población»./)
  t.match(x, /<caption>Vista previa de Cantones \(Población\)<\/caption>/)
  t.match(x, /<th scope="col">Cantón<\/th><th scope="col">Fecha<\/th><th scope="col">Habitantes<\/th><th scope="col">Índice<\/th>/)
  t.match(x, /<tr><td>Quito<\/td><td>2023-03-15<\/td><td>2,800,000<\/td><td>12.50%<\/td><\/tr>/)
  t.match(x, /Se muestran 3 filas./)
  t.notMatch(x, /Codificación detectada/, 'no encoding for a workbook')

  const long = Buffer.from(['n,cuadrado', ...Array.from({ length: 150 }, (_, i) => `${i + 1},${(i + 1) ** 2}`)].join('\n'))
  const big = await upload(h, { package_id: 'hojas', name: 'Cuadrados' }, 'cuadrados.csv', long)
  const b = (await page(h, `/dataset/hojas/resource/${big.id}`)).body
  t.match(b, /<tr><td>100<\/td><td>10000<\/td><\/tr>/)
  t.notMatch(b, /<td>101<\/td>/, 'the first 100 rows only')
  t.match(b, /<p class="preview-notes">Se muestran solo las primeras 100 filas; descargue el archivo para verlo completo. Codificación detectada: UTF-8. Separador detectado: coma \(,\).<\/p>/)

  const o = (await page(h, `/dataset/hojas/resource/${ods.id}`)).body
  t.match(o, /<li><strong>Datos 2023<\/strong><\/li><li>Fuentes<\/li>/)
  t.match(o, /<th scope="col">Población<\/th><th scope="col"><span class="visually-hidden">Columna 4<\/span><\/th><th scope="col">Nota<\/th>/, 'a blank header still names its column for screen readers')
  t.match(o, /<tr><td>Azuay<\/td><td>2023-03-15<\/td><td>881.394<\/td><td><\/td><td>a {2}b\nc<\/td><\/tr>/)
})

t.test('JSON, text, image, PDF and no preview', async (t) => {
  const ds = await h.ok('package_create', {
    name: 'varios',
    owner_org: 'inec',
    resources: [
      { name: 'Mapa', url: 'https://example.org/mapa.png', format: 'PNG' },
      { name: 'Shapefile', url: 'https://example.org/limites.zip', format: 'SHP', frecuencia: 'anual' },
      { name: 'Sin dirección', url: '', format: 'CSV' },
      { name: 'Peligroso', url: 'javascript:alert(1)', format: 'PNG' },
    ],
  })
  const [png, shp, empty, evil] = ds.resources
  const json = await upload(h, { package_id: 'varios', name: 'Puntos', format: 'GeoJSON' }, 'puntos.geojson', fixture('points.geojson'))
  const text = await upload(h, { package_id: 'varios', name: 'Notas', format: 'TXT' }, 'notas.txt', fixture('notes.txt'))
  const pdf = await upload(h, { package_id: 'varios', name: 'Informe' }, 'informe.pdf', Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n'))
  t.equal(pdf.mimetype, 'application/pdf')

  const j = (await page(h, `/dataset/varios/resource/${json.id}`)).body
  t.match(j, /<div class="preview-scroll" tabindex="0" role="region" aria-label="Contenido JSON de Puntos"><pre class="preview-text"><code>\{\n {2}&quot;type&quot;: &quot;FeatureCollection&quot;/, 'pretty-printed and escaped')

  const tx = (await page(h, `/dataset/varios/resource/${text.id}`)).body
  t.match(tx, /<pre class="preview-text"><code>línea 1\nlínea 2\n/)
  t.match(tx, /<p class="preview-notes">Se muestra solo el comienzo del archivo; descárguelo para verlo completo.<\/p>/)

  const img = (await page(h, `/dataset/varios/resource/${png.id}`)).body
  t.match(img, /<img class="preview-image" src="https:\/\/example.org\/mapa.png" alt="Mapa">/)
  t.match(img, /<a class="button" href="https:\/\/example.org\/mapa.png" rel="nofollow noopener">Ir al recurso/)

  const bad = (await page(h, `/dataset/varios/resource/${evil.id}`)).body
  t.notMatch(bad, /(href|src)="javascript:/, 'a javascript: URL is never a link or an image')
  t.match(bad, /<th scope="row">URL<\/th><td>javascript:alert\(1\)<\/td>/, 'it is shown as text')

  const p = await page(h, `/dataset/varios/resource/${pdf.id}`)
  const download = `/dataset/${ds.id}/resource/${pdf.id}/download/informe.pdf`
  t.match(p.body, `<iframe class="preview-pdf" src="${download}" title="Documento PDF: Informe"></iframe>`)
  const served = await h.app.inject({ url: download })
  t.equal(served.headers['content-type'], 'application/pdf')
  t.match(served.headers['content-disposition'], /^inline;/, 'served inline, so the frame shows it')

  const none = (await page(h, `/dataset/varios/resource/${shp.id}`)).body
  t.match(none, /<p class="preview-none">No hay vista previa disponible para este formato. Puede descargar el archivo para abrirlo con su propio programa.<\/p>/)
  t.match(none, /<th scope="row">frecuencia<\/th><td>anual<\/td>/, 'extra resource fields in the table')

  const noUrl = (await page(h, `/dataset/varios/resource/${empty.id}`)).body
  t.match(noUrl, /<p class="preview-none">Este recurso no tiene una dirección de datos, así que no hay nada que previsualizar.<\/p>/)
  t.notMatch(noUrl, /class="button"/, 'no download button without an address')

  const en = (await page(h, `/dataset/varios/resource/${shp.id}?lang=en`)).body
  t.match(en, /No preview is available for this format./)
})

t.test('the resource must belong to a dataset the visitor may see', async (t) => {
  const a = await h.ok('package_create', { name: 'ds-a', owner_org: 'inec', resources: [{ name: 'de A', url: 'https://example.org/a.zip', format: 'ZIP' }] })
  const b = await h.ok('package_create', { name: 'ds-b', owner_org: 'inec', resources: [{ name: 'de B', url: 'https://example.org/b.zip', format: 'ZIP' }] })
  const priv = await h.ok('package_create', { name: 'oculto', owner_org: 'inec', private: true, resources: [{ name: 'secreto', url: 'https://example.org/s.zip', format: 'ZIP' }] })
  const ra = a.resources[0].id
  const rb = b.resources[0].id
  const rp = priv.resources[0].id
  // (zip links: no preview is fetched, the test stays off the network)

  t.equal((await page(h, `/dataset/ds-a/resource/${ra}`)).statusCode, 200)
  const wrong = await page(h, `/dataset/ds-a/resource/${rb}`)
  t.equal(wrong.statusCode, 404, "a resource of another dataset is not found under this one's URL")
  t.match(wrong.body, /Página no encontrada/)
  t.notMatch(wrong.body, /de B/)
  t.equal((await page(h, `/dataset/ds-a/resource/00000000-0000-0000-0000-000000000000`)).statusCode, 404)
  t.equal((await page(h, `/dataset/no-existe/resource/${ra}`)).statusCode, 404)
  const hidden = await page(h, `/dataset/oculto/resource/${rp}`)
  t.equal(hidden.statusCode, 404, 'a private dataset: 404 to anonymous visitors, as CKAN')
  t.notMatch(hidden.body, /secreto/)
  const member = await page(h, `/dataset/oculto/resource/${rp}`, { authorization: h.sysadminToken })
  t.equal(member.statusCode, 200)
  t.match(member.body, /<meta name="robots" content="noindex">/)
  await h.ok('package_delete', { id: 'ds-a' })
  t.equal((await page(h, `/dataset/ds-a/resource/${ra}`)).statusCode, 404, 'a deleted dataset: 404')
})
