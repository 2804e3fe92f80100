import t from 'tap'
import { testApp } from '../helpers/app.js'
import { formatters } from '../../src/web/format.js'

const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' }

/** The page's schema.org block, parsed as a search engine would. */
function jsonLd(body: string): any {
  const m = /<script type="application\/ld\+json">([\s\S]*?)<\/script>/.exec(body)
  if (!m) throw new Error('no JSON-LD block')
  return JSON.parse(m[1])
}

const NOTES = [
  '# Camas por hospital',
  '',
  'Número de camas **disponibles** por hospital, según el [INEC](https://www.ecuadorencifras.gob.ec/).',
  '',
  '<p onclick="alert(1)">Publicado <em>mensualmente</em>.</p><script>alert(2)</script><img src=x onerror="alert(3)">',
  '',
  '[trampa](javascript:alert(4)) <a href="javascript:alert(5)">otra</a>',
].join('\n')

t.test('dataset page: everything the dataset dict holds', async (t) => {
  const h = await testApp(t)
  await h.ok('organization_create', { name: 'ministerio-salud', title: 'Ministerio de Salud', image_url: 'https://example.org/logo-msp.png' })
  await h.ok('group_create', { name: 'salud', title: 'Salud pública' })
  const ds = await h.ok('package_create', {
    name: 'camas-hospitalarias',
    title: 'Camas hospitalarias',
    notes: NOTES,
    owner_org: 'ministerio-salud',
    groups: [{ name: 'salud' }],
    license_id: 'cc-by',
    tags: [{ name: 'salud' }, { name: 'camas UCI' }],
    author: 'Dirección de Estadística',
    author_email: 'estadistica@salud.gob.ec',
    maintainer: 'Equipo de datos',
    version: '2.1',
    url: 'https://www.salud.gob.ec/camas',
    extras: [
      { key: 'frecuencia', value: 'mensual' },
      { key: 'cobertura <b>', value: 'nacional & provincial' },
    ],
    resources: [
      { name: 'Camas 2024', url: 'https://example.org/camas-2024.csv', format: 'CSV', size: 2048, description: 'Datos de **2024**' },
      { url: 'https://example.org/camas.xlsx', format: 'XLSX' },
    ],
  })

  const res = await h.app.inject({ url: '/dataset/camas-hospitalarias', headers: HTML })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^text\/html/)
  t.match(res.headers.vary, /\bAccept\b/, 'the answer depends on Accept (RDF or HTML)')
  t.match(res.headers['content-security-policy'], /script-src 'self'/)
  const body = res.body

  t.match(body, /<title>Camas hospitalarias · /)
  t.match(body, /<h1 id="dataset-title">Camas hospitalarias<\/h1>/)
  // notes: Markdown rendered, its h1 under the page's h1, HTML sanitised
  t.match(body, /<h2>Camas por hospital<\/h2>/, 'a heading in the notes sits under the page title')
  t.match(body, /Número de camas <strong>disponibles<\/strong> por hospital/)
  t.match(body, /<a href="https:\/\/www.ecuadorencifras.gob.ec\/" rel="nofollow noopener">INEC<\/a>/)
  t.match(body, /<p>Publicado <em>mensualmente<\/em>.<\/p>/, 'allowed HTML in the notes stays, without its handler')
  t.notMatch(body, /alert\([1235]\)/, 'no script, handler or javascript: link survives (nor its text in the meta description)')
  t.match(body, /\[trampa\]\(javascript:alert\(4\)\)/, 'a Markdown link markdown-it refuses stays as inert text')
  t.notMatch(body, /onclick|onerror|href="javascript/i)

  // resources: name linking to its page, format, size, description excerpt, buttons
  const csv = ds.resources[0]
  const xlsx = ds.resources[1]
  t.match(body, new RegExp(`<h3><a href="/dataset/camas-hospitalarias/resource/${csv.id}">Camas 2024</a></h3>`))
  t.match(body, /<span class="format-badge">CSV<\/span>/)
  t.match(body, /<span class="resource-size">2 KB<\/span>/)
  t.match(body, /<p class="resource-excerpt">Datos de 2024<\/p>/, 'the description excerpt is plain text')
  t.match(body, /<a class="button" href="https:\/\/example.org\/camas-2024.csv" rel="nofollow noopener">Ir al recurso<span class="visually-hidden">: Camas 2024<\/span><\/a>/)
  t.match(body, new RegExp(`<h3><a href="/dataset/camas-hospitalarias/resource/${xlsx.id}">Recurso sin nombre</a></h3>`), 'an unnamed resource is named so')

  // licence, organization, groups, tags
  t.match(body, /<a href="http:\/\/www.opendefinition.org\/licenses\/cc-by" rel="license">Creative Commons Attribution<\/a>/)
  t.match(body, /<img src="https:\/\/example.org\/logo-msp.png" alt="" class="org-logo">\s*<a href="\/organization\/ministerio-salud">Ministerio de Salud<\/a>/)
  t.match(body, /<a href="\/group\/salud">Salud pública<\/a>/)
  t.match(body, /<a href="\/dataset\?tags=salud" class="tag">salud<\/a>/)
  t.match(body, /<a href="\/dataset\?tags=camas%20UCI" class="tag">camas UCI<\/a>/, 'tags link to the filtered search, encoded')

  // metadata table
  t.match(body, /<th scope="row">Autor<\/th><td><a href="mailto:estadistica@salud.gob.ec">Dirección de Estadística<\/a><\/td>/)
  t.match(body, /<th scope="row">Responsable<\/th><td>Equipo de datos<\/td>/)
  t.match(body, /<th scope="row">Versión<\/th><td>2.1<\/td>/)
  t.match(body, /<th scope="row">Fuente<\/th><td><a href="https:\/\/www.salud.gob.ec\/camas" rel="nofollow noopener">https:\/\/www.salud.gob.ec\/camas<\/a>/)
  const es = formatters('es')
  t.match(body, `<th scope="row">Creado</th><td><time datetime="${ds.metadata_created}">${es.date(ds.metadata_created)}</time>`)
  t.match(body, `<th scope="row">Última actualización</th><td><time datetime="${ds.metadata_modified}">${es.date(ds.metadata_modified)}</time>`)
  t.match(body, /<th scope="row">frecuencia<\/th><td>mensual<\/td>/)
  t.match(body, /<th scope="row">cobertura &lt;b&gt;<\/th><td>nacional &amp; provincial<\/td>/, 'extras are escaped')

  // machine-readable forms: links and head alternates
  t.match(body, /<a href="\/dataset\/camas-hospitalarias.ttl" type="text\/turtle">/)
  t.match(body, /<a href="\/dataset\/camas-hospitalarias.jsonld" type="application\/ld\+json">/)
  t.match(body, /<a href="\/dataset\/camas-hospitalarias.rdf" type="application\/rdf\+xml">/)
  t.match(body, /<a href="\/api\/3\/action\/package_show\?id=camas-hospitalarias" type="application\/json">/)
  t.match(body, /<link rel="alternate" type="text\/turtle" href="http:\/\/test.local\/dataset\/camas-hospitalarias.ttl"/)
  t.match(body, /<link rel="alternate" type="application\/ld\+json" href="http:\/\/test.local\/dataset\/camas-hospitalarias.jsonld"/)
  t.match(body, /<link rel="alternate" type="application\/rdf\+xml" href="http:\/\/test.local\/dataset\/camas-hospitalarias.rdf"/)
  for (const path of ['/dataset/camas-hospitalarias.ttl', '/api/3/action/package_show?id=camas-hospitalarias']) {
    t.equal((await h.app.inject({ url: path })).statusCode, 200, `${path} answers`)
  }

  // Open Graph and canonical
  t.match(body, /<link rel="canonical" href="http:\/\/test.local\/dataset\/camas-hospitalarias">/)
  t.match(body, /<meta property="og:description" content="Camas por hospital Número de camas disponibles por hospital, según el INEC. Publicado mensualmente./, 'the notes as plain text')
  t.notMatch(body, /name="robots"/, 'a public dataset is indexable')

  // schema.org JSON-LD
  const ld = jsonLd(body)
  t.equal(ld['@context'], 'https://schema.org')
  t.equal(ld['@type'], 'Dataset')
  t.equal(ld.name, 'Camas hospitalarias')
  t.equal(ld.url, 'http://test.local/dataset/camas-hospitalarias')
  t.equal(ld.identifier, ds.id)
  t.match(ld.description, /^Camas por hospital Número de camas/)
  t.same(ld.keywords, ['camas UCI', 'salud'])
  t.equal(ld.license, 'http://www.opendefinition.org/licenses/cc-by')
  t.same(ld.publisher, { '@type': 'Organization', name: 'Ministerio de Salud', url: 'http://test.local/organization/ministerio-salud' })
  t.equal(ld.version, '2.1')
  t.equal(ld.distribution.length, 2)
  t.same(ld.distribution[0], {
    '@type': 'DataDownload',
    name: 'Camas 2024',
    description: 'Datos de 2024',
    encodingFormat: 'CSV',
    contentUrl: 'https://example.org/camas-2024.csv',
    contentSize: '2048 B',
    dateModified: `${csv.metadata_modified}Z`,
  })
  t.match(ld.dateModified, /Z$/)

  // English
  const en = await h.app.inject({ url: '/dataset/camas-hospitalarias?lang=en', headers: HTML })
  t.match(en.body, /<h2 id="resources-title">Data and resources<\/h2>/)
  t.match(en.body, /<th scope="row">Author<\/th>/)
  t.match(en.body, /<link rel="canonical" href="http:\/\/test.local\/dataset\/camas-hospitalarias">/, 'the language parameter is not part of the canonical URL')

  // reached by id: redirected to the name, as CKAN's read view does
  const byId = await h.app.inject({ url: `/dataset/${ds.id}?lang=en`, headers: HTML })
  t.equal(byId.statusCode, 302)
  t.equal(byId.headers.location, '/dataset/camas-hospitalarias?lang=en')
})

t.test('JSON-LD cannot be broken out of; a bare dataset still renders', async (t) => {
  const h = await testApp(t)
  await h.ok('organization_create', { name: 'org' })
  const evil = await h.ok('package_create', { name: 'evil', owner_org: 'org', title: '</script><script>alert(1)</script><!-- \u2028 & -->' })
  const res = await h.app.inject({ url: '/dataset/evil', headers: HTML })
  t.equal(res.statusCode, 200)
  const block = /<script type="application\/ld\+json">([\s\S]*?)<\/script>/.exec(res.body)![1]
  t.notMatch(block, /[<>&\u2028]/, 'no markup character inside the data block')
  t.equal(evil.title, '</script><script>alert(1)</script><!-- \u2028 & -->')
  t.equal(JSON.parse(block).name, evil.title, 'the title survives the escaping')
  t.equal(JSON.parse(block).description, JSON.parse(block).name, 'Google requires a description: the title stands in')
  t.match(res.body, /<h1 id="dataset-title">&lt;\/script&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;/)
  t.match(res.body, /Este conjunto de datos no tiene descripción./)
  t.match(res.body, /Este conjunto de datos todavía no tiene recursos./)
  t.match(res.body, /Licencia no especificada|License not specified/)
})

t.test('content negotiation keeps serving RDF', async (t) => {
  const h = await testApp(t)
  await h.ok('organization_create', { name: 'org' })
  const ds = await h.ok('package_create', { name: 'negociado', title: 'Negociado', owner_org: 'org' })
  const get = (accept: string, url = '/dataset/negociado') => h.app.inject({ url, headers: { accept } })
  const ttl = await get('text/turtle')
  t.equal(ttl.statusCode, 200)
  t.equal(ttl.headers['content-type'], 'text/turtle; charset=utf-8')
  t.match(ttl.body, /dcat:Dataset/)
  t.match(ttl.headers.vary, /\bAccept\b/)
  const rdf = await get('application/rdf+xml')
  t.equal(rdf.headers['content-type'], 'application/rdf+xml; charset=utf-8')
  const ld = await get('application/ld+json', `/dataset/${ds.id}`)
  t.equal(ld.headers['content-type'], 'application/ld+json; charset=utf-8')
  const browser = await get(HTML.accept)
  t.equal(browser.statusCode, 200)
  t.match(browser.headers['content-type'], /^text\/html/)
  t.match(browser.body, /<h1 id="dataset-title">Negociado<\/h1>/)
  t.match(browser.headers.vary, /\bAccept\b/)
  const preferHtml = await get('text/html, text/turtle;q=0.5')
  t.match(preferHtml.headers['content-type'], /^text\/html/, 'HTML first in Accept: the page')
})

t.test('visibility: private, draft and deleted datasets answer as CKAN views do', async (t) => {
  const h = await testApp(t)
  await h.ok('organization_create', { name: 'org' })
  const priv = await h.ok('package_create', { name: 'privado', title: 'Dataset privado', owner_org: 'org', private: true })
  await h.ok('package_create', { name: 'borrador', title: 'Dataset en borrador', owner_org: 'org', state: 'draft' })
  await h.ok('package_create', { name: 'borrado', title: 'Dataset borrado', owner_org: 'org' })
  await h.ok('package_delete', { id: 'borrado' })

  for (const ref of ['privado', priv.id, 'borrador', 'borrado', 'no-existe']) {
    const res = await h.app.inject({ url: `/dataset/${ref}`, headers: HTML })
    t.equal(res.statusCode, 404, `${ref}: 404 to anonymous visitors (CKAN's read view turns NotAuthorized into 404)`)
    t.match(res.body, /Página no encontrada/)
    t.notMatch(res.body, /Dataset (privado|en borrador|borrado)/, 'nothing of the dataset shows')
  }
  const api = await h.call('package_show', { id: 'privado' }, { token: null })
  t.equal(api.statusCode, 403, 'the API keeps its 403')

  const admin = { ...HTML, authorization: h.sysadminToken }
  const seen = await h.app.inject({ url: '/dataset/privado', headers: admin })
  t.equal(seen.statusCode, 200, 'a user allowed to read it sees the page')
  t.match(seen.body, /<span class="state-badge">Privado<\/span>/)
  t.match(seen.body, /<meta name="robots" content="noindex">/, 'a private page is not for search engines')
  const draft = await h.app.inject({ url: '/dataset/borrador', headers: admin })
  t.equal(draft.statusCode, 200)
  t.match(draft.body, /<span class="state-badge">Borrador<\/span>/)
})
