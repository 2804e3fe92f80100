import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import t, { type Test } from 'tap'
import type { Page } from 'playwright-core'
import { testApp, type TestApp } from '../helpers/app.js'
import { axeViolations, browserUnavailable, describeViolations, focusStyle, freePort, launchBrowser, screenshot, watchConsole } from '../helpers/browser.js'

/**
 * The portal in a real browser (Debian's chromium through playwright-core): what a citizen does,
 * axe-core's WCAG 2.1 A/AA rules on every page type, keyboard use, and a screenshot of each page
 * type in test-results/screenshots/ to look at.
 */

const FIXTURES = path.resolve('test/fixtures/preview')
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name))

interface Seeded {
  poblacion: { id: string; name: string }
  resources: Record<'csv' | 'xlsx' | 'ods', { id: string; url: string; bytes: Buffer }>
}

async function upload(base: string, token: string, datasetId: string, name: string, format: string, filename: string): Promise<{ id: string; url: string }> {
  const form = new FormData()
  form.set('package_id', datasetId)
  form.set('name', name)
  form.set('format', format)
  form.set('upload', new Blob([fixture(filename)]), filename)
  const res = await fetch(`${base}/api/3/action/resource_create`, { method: 'POST', headers: { authorization: token }, body: form })
  const json = (await res.json()) as { success: boolean; result: { id: string; url: string } }
  if (!json.success) throw new Error(`resource_create ${filename}: ${JSON.stringify(json)}`)
  return json.result
}

/** A small catalogue: two organizations, two groups, enough datasets for a second results page, a private and a draft one. */
async function seed(h: TestApp, base: string): Promise<Seeded> {
  await h.ok('organization_create', { name: 'instituto-estadistica', title: 'Instituto Nacional de Estadística y Censos', description: 'Estadísticas oficiales del país.' })
  await h.ok('organization_create', { name: 'ministerio-salud', title: 'Ministerio de Salud Pública', description: 'Salud pública.' })
  await h.ok('group_create', { name: 'sociedad', title: 'Sociedad', description: 'Población, hogares y vivienda.' })
  await h.ok('group_create', { name: 'salud', title: 'Salud' })
  const poblacion = await h.ok('package_create', {
    name: 'poblacion-provincia',
    title: 'Población por provincia',
    notes: 'Proyecciones de **población** por provincia y año.\n\n- Fuente: censos\n- Cobertura: nacional',
    owner_org: 'instituto-estadistica',
    groups: [{ name: 'sociedad' }],
    tags: [{ name: 'censo' }, { name: 'demografía' }],
    license_id: 'cc-by',
    author: 'Dirección de Estadísticas Sociodemográficas',
    extras: [{ key: 'frecuencia', value: 'anual' }],
  })
  await h.ok('package_create', {
    name: 'camas-hospitalarias',
    title: 'Camas hospitalarias',
    notes: 'Camas disponibles por establecimiento de salud.',
    owner_org: 'ministerio-salud',
    groups: [{ name: 'salud' }],
    tags: [{ name: 'salud' }],
    resources: [{ name: 'Camas 2024', url: 'http://example.org/camas.csv', format: 'CSV' }],
  })
  for (let i = 1; i <= 24; i++) {
    await h.ok('package_create', {
      name: `indicador-${String(i).padStart(2, '0')}`,
      title: `Indicador económico ${i}`,
      notes: `Serie mensual del indicador ${i}.`,
      owner_org: 'instituto-estadistica',
      resources: [{ name: `Serie ${i}`, url: `http://example.org/indicador-${i}.xlsx`, format: i % 2 ? 'XLSX' : 'CSV' }],
    })
  }
  await h.ok('package_create', { name: 'secreto', title: 'Dataset secreto privado', owner_org: 'ministerio-salud', private: true })
  await h.ok('package_create', { name: 'borrador', title: 'Dataset en borrador', owner_org: 'ministerio-salud', state: 'draft' })

  const csv = await upload(base, h.sysadminToken, poblacion.id, 'Población 2020-2022 (CSV)', 'CSV', 'latin1-semicolon.csv')
  const xlsx = await upload(base, h.sysadminToken, poblacion.id, 'Habitantes por cantón (XLSX)', 'XLSX', 'two-sheets.xlsx')
  const ods = await upload(base, h.sysadminToken, poblacion.id, 'Datos 2023 (ODS)', 'ODS', 'repeats.ods')
  return {
    poblacion,
    resources: {
      csv: { ...csv, bytes: fixture('latin1-semicolon.csv') },
      xlsx: { ...xlsx, bytes: fixture('two-sheets.xlsx') },
      ods: { ...ods, bytes: fixture('repeats.ods') },
    },
  }
}

const unavailable = browserUnavailable()

t.test('the portal in Chromium', { skip: unavailable && 'skip' in unavailable ? unavailable.skip : false }, async (t) => {
  if (unavailable && 'fail' in unavailable) {
    t.fail(unavailable.fail)
    return
  }
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'abierto-browser-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
  const h = await testApp(t, { SITE_URL: base, DATA_DIR: dataDir })
  await h.app.listen({ port, host: '127.0.0.1' })
  const [data, browser] = await Promise.all([seed(h, base), launchBrowser()])
  t.teardown(() => browser.close())
  // scenarios are independent (a context each): three at a time keep Chromium and the server busy while another waits
  t.jobs = 3

  /**
   * One page per scenario, in a fresh context (no cookies) of a browser set to Ecuadorian Spanish;
   * the page must log no script error, CSP refusal or failed load (`expected`: the ones a scenario provokes).
   */
  const scenario = (name: string, fn: (t: Test, page: Page, problems: string[]) => Promise<void>, expected?: RegExp) =>
    t.test(name, async (t) => {
      const page = await browser.newPage({ locale: 'es-EC' })
      page.setDefaultTimeout(10_000)
      const problems = watchConsole(page)
      try {
        await fn(t, page, problems)
      } finally {
        await page.close()
      }
      t.same(
        problems.filter((p) => !expected?.test(p)),
        [],
        `${name}: no script errors, Content-Security-Policy refusals or failed loads`,
      )
    })

  /** axe's WCAG 2.1 A/AA rules, reflow at a phone's width (WCAG 1.4.10: no sideways scrolling at 320 CSS px), and screenshots. */
  const accessible = async (t: Test, page: Page, label: string, narrowShot = false) => {
    const violations = await axeViolations(page)
    t.equal(violations.length, 0, `axe WCAG 2.1 A/AA on the ${label}: ${violations.length ? `\n${describeViolations(violations)}` : 'no violations'}`)
    const name = label.replace(/[^a-z0-9]+/gi, '-')
    await screenshot(page, name)
    const size = page.viewportSize()
    await page.setViewportSize({ width: 320, height: 640 })
    const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, view: window.innerWidth }))
    t.ok(widths.page <= widths.view, `the ${label} reflows at 320 px (content ${widths.page} px wide)`)
    if (narrowShot) await screenshot(page, `${name}-narrow`)
    if (size) await page.setViewportSize(size)
  }

  const open = async (page: Page, url: string, status = 200) => {
    const res = await page.goto(`${base}${url}`)
    if (res?.status() !== status) throw new Error(`${url}: status ${res?.status()}, expected ${status}`)
    return res
  }

  const mainText = (page: Page) => page.locator('main').innerText()

  scenario('home page: accessible, keyboard reaches the skip link first and it moves focus to main', async (t, page, problems) => {
    await open(page, '/')
    t.equal(await page.locator('html').getAttribute('lang'), 'es')
    t.match(await page.locator('h1').innerText(), /Abierto/)
    t.match(await mainText(page), /Población por provincia/)
    t.notMatch(await mainText(page), /secreto|borrador/i, 'private and draft datasets are not shown')
    t.notMatch(await mainText(page), /\*\*/, 'a Markdown description is excerpted as text')
    await accessible(t, page, 'home')
    // the harness itself: under the page's CSP, axe runs and sees an input without a label
    await page.evaluate(() => document.querySelector('main')?.insertAdjacentHTML('beforeend', '<input type="text" id="unlabelled">'))
    t.ok(
      (await axeViolations(page)).some((v) => v.id === 'label'),
      'axe runs under the CSP and reports an unlabelled input',
    )
    await page.evaluate(() => document.getElementById('unlabelled')?.remove())
    // and the console watch: an inline style is refused by the CSP, and the refusal is seen
    const [refusal] = await Promise.all([page.waitForEvent('console', (m) => m.type() === 'error'), page.evaluate(() => document.querySelector('main')?.insertAdjacentHTML('beforeend', '<p id="csp-probe" style="color: red">x</p>'))])
    t.match(refusal.text(), /Content Security Policy/, 'the CSP refuses an inline style attribute, and the scenario would see it')
    t.equal(await page.evaluate(() => getComputedStyle(document.getElementById('csp-probe')!).color), 'rgb(29, 29, 31)', 'the refused style is not applied')
    const seen = problems.findIndex((p) => p.includes(refusal.text()))
    t.ok(seen >= 0, 'the refusal reached the console watch')
    if (seen >= 0) problems.splice(seen, 1)
    await page.evaluate(() => document.getElementById('csp-probe')?.remove())

    await page.keyboard.press('Tab')
    const first = await focusStyle(page)
    t.equal(first.text, 'Saltar al contenido', 'the first Tab stop is the skip link')
    t.ok(await page.locator('.skip-link').isVisible(), 'the focused skip link is on screen')
    t.ok(first.outlineStyle !== 'none' && first.outlineWidth !== '0px', `the skip link shows its focus (${first.outlineStyle} ${first.outlineWidth})`)
    await page.keyboard.press('Enter')
    t.equal(await page.evaluate(() => document.activeElement?.id), 'content', 'Enter on the skip link moves focus to main')
    await page.keyboard.press('Tab')
    t.equal(await page.evaluate(() => document.activeElement?.closest('main') !== null), true, 'the next Tab stop is inside main')

    // every Tab stop from the top of the page shows a visible focus indicator
    await open(page, '/')
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab')
      const s = await focusStyle(page)
      t.ok((s.outlineStyle !== 'none' && s.outlineWidth !== '0px') || s.boxShadow !== 'none', `Tab stop ${i + 1} (${s.tag} "${s.text}") has a visible focus indicator`)
    }
  })

  scenario('language switch: English sets lang="en", changes the strings and persists to the next page', async (t, page) => {
    await open(page, '/')
    t.equal(await page.locator('nav a[href="/dataset"]').innerText(), 'Conjuntos de datos')
    await Promise.all([page.waitForURL(/lang=en/), page.getByRole('link', { name: 'English' }).click()])
    t.equal(await page.locator('html').getAttribute('lang'), 'en')
    t.equal(await page.locator('nav a[href="/dataset"]').innerText(), 'Datasets')
    t.match(await mainText(page), /Recently updated/)
    await accessible(t, page, 'home-english')
    await Promise.all([page.waitForURL(`${base}/`), page.locator('a.brand').click()])
    t.equal(await page.locator('html').getAttribute('lang'), 'en', 'the choice persists to a page linked without ?lang')
    t.equal(await page.locator('nav a[href="/dataset"]').innerText(), 'Datasets')
    await Promise.all([page.waitForURL(/lang=es/), page.getByRole('link', { name: 'Español' }).click()])
    t.equal(await page.locator('html').getAttribute('lang'), 'es', 'and back to Spanish')
  })

  scenario(
    '404 page',
    async (t, page) => {
      await open(page, '/no/existe/esta-pagina', 404)
      t.equal(await page.locator('h1').innerText(), 'Página no encontrada')
      await accessible(t, page, '404')
      await open(page, '/dataset/no-existe', 404)
      t.equal(await page.locator('h1').innerText(), 'Página no encontrada', 'an unknown dataset is the HTML 404 too')
    },
    /status of 404 .*\/(no\/existe\/esta-pagina|dataset\/no-existe)\)$/,
  )

  scenario('search with accents: "poblacion" typed in the home search box finds "Población por provincia"', async (t, page) => {
    await open(page, '/')
    await page.getByLabel('Buscar conjuntos de datos').fill('poblacion')
    await Promise.all([page.waitForURL(/\/dataset\?q=poblacion/), page.keyboard.press('Enter')])
    t.ok(await page.getByRole('link', { name: 'Población por provincia' }).isVisible(), 'the accented title is found without its accent')
    t.notMatch(await mainText(page), /Camas hospitalarias/, 'a dataset without the word is not')
    t.equal(await page.getByLabel('Buscar conjuntos de datos').inputValue(), 'poblacion', 'the box keeps the words searched')
    await accessible(t, page, 'search', true)
  })

  scenario('facet click and removal', async (t, page) => {
    await open(page, '/dataset')
    t.match(await mainText(page), /Población por provincia/)
    const facet = page.locator('.facets a[href*="organization=ministerio-salud"]')
    await Promise.all([page.waitForURL(/organization=ministerio-salud/), facet.click()])
    t.match(await mainText(page), /Camas hospitalarias/)
    t.notMatch(await mainText(page), /Población por provincia|Indicador económico/, 'the filter leaves the other organization out')
    t.equal(await page.locator('.facets a[aria-current]').count(), 1, 'the active facet value is marked')
    await accessible(t, page, 'search-facet')
    // a second facet combines with the first
    await Promise.all([page.waitForURL(/groups=salud/), page.locator('.facets a[href*="groups=salud"]').first().click()])
    t.match(page.url(), /organization=ministerio-salud/, 'both filters in force')
    // removing the organization keeps the group
    await Promise.all([page.waitForURL((u) => !u.search.includes('organization=')), page.locator('.active-filters a', { hasText: 'Ministerio de Salud Pública' }).click()])
    t.match(page.url(), /groups=salud/)
    t.match(await mainText(page), /Camas hospitalarias/)
    await Promise.all([page.waitForURL((u) => !u.search.includes('groups=')), page.locator('.active-filters a', { hasText: 'Salud' }).first().click()])
    t.match(await mainText(page), /Población por provincia/, 'with no filter everything is back')
  })

  scenario('paging', async (t, page) => {
    await open(page, '/dataset')
    // the order chosen in the form (a GET form: no script needed) holds across pages
    await page.locator('#search-sort').selectOption('title_string asc')
    await Promise.all([page.waitForURL(/sort=title_string/), page.locator('.sort-row button').click()])
    const first = await page.locator('.dataset-item h3').allInnerTexts()
    t.ok(first.length > 0 && first.length < 26, `page 1 holds part of the 26 datasets (${first.length})`)
    await Promise.all([page.waitForURL(/page=2/), page.locator('a[rel="next"]').first().click()])
    const second = await page.locator('.dataset-item h3').allInnerTexts()
    t.ok(second.length > 0, 'page 2 has results')
    t.same(
      second.filter((x) => first.includes(x)),
      [],
      'page 2 repeats nothing of page 1',
    )
    t.equal(await page.locator('[aria-current="page"]', { hasText: '2' }).count(), 1, 'the current page is marked')
    t.match(page.url(), /sort=title_string/, 'the order is kept across pages')
    await accessible(t, page, 'search-page-2')
    await Promise.all([page.waitForURL((u) => !u.search.includes('page=2')), page.locator('a[rel="prev"]').first().click()])
    t.same(await page.locator('.dataset-item h3').allInnerTexts(), first, 'back to page 1')
  })

  scenario('dataset page', async (t, page) => {
    await open(page, `/dataset/${data.poblacion.name}`)
    t.equal(await page.locator('h1').innerText(), 'Población por provincia')
    t.equal(await page.locator('main strong', { hasText: 'población' }).count(), 1, 'the description is rendered from Markdown')
    const text = await mainText(page)
    for (const s of ['Población 2020-2022 (CSV)', 'Habitantes por cantón (XLSX)', 'Datos 2023 (ODS)', 'Instituto Nacional de Estadística y Censos', 'Sociedad', 'censo', 'frecuencia', 'anual']) t.match(text, s)
    t.ok(await page.locator('main a[href="/dataset?tags=censo"]').count(), 'a tag links to the filtered search')
    await accessible(t, page, 'dataset', true)
  })

  const previews = [
    { kind: 'csv' as const, label: 'resource-csv-latin1', expect: ['Provincia', 'Año', 'Población', 'Niños', 'Bolívar', 'Cañar', 'Galápagos', '80;100'] },
    { kind: 'xlsx' as const, label: 'resource-xlsx', expect: ['Cantón', 'Habitantes', 'Índice', 'Quito', 'Guayaquil', 'Notas'] },
    { kind: 'ods' as const, label: 'resource-ods', expect: ['Provincia', 'Fecha de corte', 'Población', 'Azuay', 'Datos 2023'] },
  ]
  for (const p of previews) {
    scenario(`resource preview: ${p.kind.toUpperCase()}, and its download link serves the uploaded bytes`, async (t, page) => {
      const r = data.resources[p.kind]
      await open(page, `/dataset/${data.poblacion.id}/resource/${r.id}`)
      const table = page.locator('main table').first()
      t.ok(await table.isVisible(), 'the preview is a table')
      t.ok((await table.locator('th').count()) > 0, 'with header cells')
      const text = await mainText(page)
      for (const s of p.expect) t.match(text, s, `the preview shows "${s}"`)
      t.notMatch(text, /\uFFFD|Ã/, 'no mojibake')
      await accessible(t, page, p.label, p.kind === 'csv')
      const href = await page.locator('main a[href*="/download"]').first().getAttribute('href')
      t.ok(href, 'a download link')
      const res = await page.request.get(new URL(href!, base).toString())
      t.equal(res.status(), 200)
      t.ok(Buffer.from(await res.body()).equals(r.bytes), 'the bytes downloaded are the bytes uploaded')
    })
  }

  scenario('organization pages', async (t, page) => {
    await open(page, '/organization')
    t.match(await mainText(page), /Instituto Nacional de Estadística y Censos/)
    t.match(await mainText(page), /Ministerio de Salud Pública/)
    await accessible(t, page, 'organization-list')
    await Promise.all([
      page.waitForURL(/\/organization\/instituto-estadistica/),
      page
        .getByRole('link', { name: /Instituto Nacional de Estadística y Censos/ })
        .first()
        .click(),
    ])
    t.match(await page.locator('h1').innerText(), /Instituto Nacional de Estadística y Censos/)
    t.match(await mainText(page), /Población por provincia/)
    t.notMatch(await mainText(page), /Camas hospitalarias/, "another organization's dataset is not listed")
    await accessible(t, page, 'organization')
  })

  scenario('group pages', async (t, page) => {
    await open(page, '/group')
    t.match(await mainText(page), /Sociedad/)
    await accessible(t, page, 'group-list')
    await Promise.all([
      page.waitForURL(/\/group\/sociedad/),
      page
        .getByRole('link', { name: /^Sociedad/ })
        .first()
        .click(),
    ])
    t.match(await page.locator('h1').innerText(), /Sociedad/)
    t.match(await mainText(page), /Población por provincia/)
    t.notMatch(await mainText(page), /Camas hospitalarias/)
    await accessible(t, page, 'group')
  })
})
