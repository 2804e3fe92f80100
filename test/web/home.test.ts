import t from 'tap'
import { testApp } from '../helpers/app.js'

const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' }

t.test('home page, language choice and HTML 404s', async (t) => {
  const h = await testApp(t)
  await h.ok('organization_create', { name: 'ministerio-salud', title: 'Ministerio de Salud' })
  await h.ok('group_create', { name: 'salud', title: 'Salud' })
  await h.ok('package_create', { name: 'camas-hospitalarias', title: 'Camas hospitalarias', owner_org: 'ministerio-salud', groups: [{ name: 'salud' }], resources: [{ url: 'http://example.org/camas.csv', format: 'CSV' }] })
  await h.ok('package_create', { name: 'secreto', title: 'Dataset secreto', owner_org: 'ministerio-salud', private: true })

  const home = await h.app.inject({ url: '/', headers: HTML })
  t.equal(home.statusCode, 200)
  t.match(home.headers['content-type'], /text\/html/)
  t.match(home.headers['content-security-policy'], /script-src 'self'/)
  t.match(home.body, /<html lang="es">/)
  t.match(home.body, /Camas hospitalarias/)
  t.match(home.body, /1 conjunto de datos/, 'the count is of public datasets, singular in Spanish')
  t.notMatch(home.body, /secreto/i, 'a private dataset is not listed to anonymous visitors')
  t.match(home.body, /href="\/organization\/ministerio-salud">Ministerio de Salud<\/a> <span class="count">1</)
  t.match(home.body, /href="\/dataset\?res_format=CSV">CSV</)

  const en = await h.app.inject({ url: '/?lang=en', headers: HTML })
  t.match(en.body, /<html lang="en">/)
  t.match(en.body, /Recently updated/)
  t.match(en.headers['set-cookie'], /lang=en/)
  const cookie = await h.app.inject({ url: '/', headers: { ...HTML, cookie: 'lang=en' } })
  t.match(cookie.body, /<html lang="en">/, 'the cookie keeps the chosen language')
  const accept = await h.app.inject({ url: '/', headers: { ...HTML, 'accept-language': 'en-US,en;q=0.9' } })
  t.match(accept.body, /<html lang="en">/, 'Accept-Language picks English')
  const unknown = await h.app.inject({ url: '/', headers: { ...HTML, 'accept-language': 'fr' } })
  t.match(unknown.body, /<html lang="es">/, 'the site default otherwise')

  const missing = await h.app.inject({ url: '/no/such/page', headers: HTML })
  t.equal(missing.statusCode, 404)
  t.match(missing.body, /Página no encontrada/)
  const api = await h.app.inject({ url: '/no/such/page' })
  t.equal(api.statusCode, 404)
  t.equal(api.json().error.__type, 'Not Found Error', 'clients not asking for HTML keep the JSON envelope')
  const apiHtml = await h.app.inject({ url: '/api/3/action/nope', headers: HTML })
  t.equal(apiHtml.json(), 'Bad request - Action name not known: nope', 'the API answers JSON even to browsers')

  const css = await h.app.inject({ url: '/assets/abierto.css' })
  t.equal(css.statusCode, 200)
  t.match(css.headers['content-type'], /text\/css/)
})

t.test("CKAN's language prefixes (/en/dataset) answer the same pages", async (t) => {
  const { rewriteLocalePrefix } = await import('../../src/web/locale-prefix.js')
  t.equal(rewriteLocalePrefix('/en/dataset/x'), '/dataset/x?lang=en')
  t.equal(rewriteLocalePrefix('/es'), '/?lang=es')
  t.equal(rewriteLocalePrefix('/en/dataset?q=a'), '/dataset?q=a&lang=en')
  t.equal(rewriteLocalePrefix('/fr/dataset'), '/fr/dataset', 'only the supported languages')
  t.equal(rewriteLocalePrefix('/en/api/3/action/package_list'), '/en/api/3/action/package_list', 'the API has no prefix')
  t.equal(rewriteLocalePrefix('/dataset/en'), '/dataset/en')
  const h = await testApp(t)
  const page = await h.app.inject({ url: '/en', headers: HTML })
  t.equal(page.statusCode, 200)
  t.match(page.body, /<html lang="en">/)
})
