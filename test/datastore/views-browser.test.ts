import t from 'tap'
import type { Page } from 'playwright-core'
import { testApp } from '../helpers/app.js'
import { axeViolations, browserUnavailable, describeViolations, freePort, launchBrowser, screenshot, watchConsole } from '../helpers/browser.js'
import { fillTable } from './views-fixtures.js'

/**
 * The DataStore table of a resource page in Chromium: what a citizen does with it (sort by a
 * column, search, change the page size, page), axe's WCAG 2.1 A/AA rules, reflow at 320 px, and
 * screenshots (test-results/screenshots/datastore-*.png) to look at.
 */

const unavailable = browserUnavailable()

t.test('the DataStore table in Chromium', { skip: unavailable && 'skip' in unavailable ? unavailable.skip : false }, async (t) => {
  if (unavailable && 'fail' in unavailable) {
    t.fail(unavailable.fail)
    return
  }
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const h = await testApp(t, { SITE_URL: base })
  await h.app.listen({ port, host: '127.0.0.1' })
  await h.ok('organization_create', { name: 'inec', title: 'Instituto Nacional de Estadística y Censos' })
  const ds = await h.ok('package_create', {
    name: 'poblacion-provincia',
    title: 'Población por provincia',
    owner_org: 'inec',
    resources: [{ name: 'Proyección de población 2020-2022', url: 'http://127.0.0.1:9/poblacion.csv', format: 'CSV' }],
  })
  const rid = ds.resources[0].id as string
  await fillTable(h.db.kysely, rid)
  await h.ok('package_patch', { id: ds.id, notes: 'Proyecciones de población por provincia.' })
  const pagePath = `/dataset/poblacion-provincia/resource/${rid}`

  const browser = await launchBrowser()
  t.teardown(() => browser.close())
  const page: Page = await browser.newPage({ locale: 'es-EC', viewport: { width: 1280, height: 900 } })
  page.setDefaultTimeout(10_000)
  const problems = watchConsole(page)
  const cells = (row: number) => page.locator('.preview-datastore tbody tr').nth(row).locator('td').allInnerTexts()
  const count = () => page.locator('.preview-datastore tbody tr').count()
  const status = () => page.locator('.table-count').innerText()
  const accessible = async (label: string) => {
    const violations = await axeViolations(page)
    t.equal(violations.length, 0, `axe WCAG 2.1 A/AA, ${label}: ${violations.length ? `\n${describeViolations(violations)}` : 'no violations'}`)
  }

  await page.goto(`${base}${pagePath}`)
  t.equal(await count(), 20)
  t.same(await cells(0), ['Azuay', '2020', '881394', 'INEC'])
  t.equal(await status(), 'Filas 1 a 20 de 48.')
  await accessible('first page')
  await screenshot(page, 'datastore-table-wide')

  // sort by Población: ascending, then descending with the header's state announced
  await Promise.all([
    page.waitForURL(/sort=poblacion/),
    page
      .locator('thead')
      .getByRole('link', { name: /^Población/ })
      .click(),
  ])
  t.equal((await cells(0))[0], 'Galápagos', 'the smallest first')
  t.equal(await page.locator('th[aria-sort]').getAttribute('aria-sort'), 'ascending')
  await Promise.all([
    page.waitForURL(/dir=desc/),
    page
      .locator('thead')
      .getByRole('link', { name: /^Población/ })
      .click(),
  ])
  t.same((await cells(0)).slice(0, 3), ['Guayas', '2022', '4389434'], 'the largest first')
  t.equal(await page.locator('th[aria-sort]').getAttribute('aria-sort'), 'descending')
  t.ok(page.url().endsWith('#preview-title'), 'the page comes back to the table')

  // search without accents, in every column: the order chosen is kept
  await page.getByLabel('Buscar en la tabla').fill('camara')
  await Promise.all([page.waitForURL(/q=camara/), page.getByRole('button', { name: 'Aplicar' }).click()])
  t.equal(await count(), 3)
  t.equal(await status(), 'Filas 1 a 3 de 3. Coinciden con «camara».')
  t.match(page.url(), /sort=poblacion&dir=desc/)
  t.same((await cells(0)).slice(0, 1), ['Manabí'], 'still the largest first')
  await accessible('searched and sorted')
  await screenshot(page, 'datastore-table-searched')

  // in one column only
  await page.getByLabel('Buscar en la tabla').fill('loja')
  await page.getByLabel('En la columna').selectOption({ label: 'Provincia' })
  await Promise.all([page.waitForURL(/col=provincia/), page.getByRole('button', { name: 'Aplicar' }).click()])
  t.same((await page.locator('.preview-datastore tbody tr td:first-child').allInnerTexts()).sort(), ['Loja', 'Loja'])

  // back to everything, 50 rows a page, then paging by 20
  t.equal(new URL(page.url()).search, '?q=loja&col=provincia&sort=poblacion&dir=desc', 'the form leaves empty and default fields out of the address')
  await Promise.all([page.waitForURL((u) => !u.search.includes('q=')), page.getByRole('link', { name: 'Quitar búsqueda y orden' }).click()])
  t.equal(await count(), 20)
  await page.getByLabel('Filas por página').selectOption('50')
  await Promise.all([page.waitForURL(/per=50/), page.getByRole('button', { name: 'Aplicar' }).click()])
  t.equal(await count(), 48)
  await page.getByLabel('Filas por página').selectOption('20')
  await Promise.all([page.waitForURL((u) => u.search === ''), page.getByRole('button', { name: 'Aplicar' }).click()])
  await Promise.all([page.waitForURL(/page=2/), page.getByRole('link', { name: 'Siguiente' }).click()])
  t.equal(await status(), 'Filas 21 a 40 de 48.')
  t.same(await cells(0), ['Santo Domingo de los Tsáchilas', '2020', '458580', 'INEC'])
  t.equal(await page.locator('.pagination a[aria-current="page"]').textContent(), 'Página 2')

  // the keyboard reaches the sort links, and the table scrolls inside its own region
  await page.goto(`${base}${pagePath}`)
  await page.locator('#table-q').focus()
  let reached = false
  for (let i = 0; i < 10 && !reached; i++) {
    await page.keyboard.press('Tab')
    reached = await page.evaluate(() => document.activeElement?.closest('thead') !== null)
  }
  t.ok(reached, 'Tab from the search box reaches the column headers')

  // a phone: the page does not scroll sideways (WCAG 1.4.10), the table does in its region
  await page.setViewportSize({ width: 320, height: 640 })
  await page.goto(`${base}${pagePath}?sort=poblacion&dir=desc`)
  const widths = await page.evaluate(() => ({
    page: document.documentElement.scrollWidth,
    view: window.innerWidth,
    table: document.querySelector('.preview-datastore .table-scroll')?.scrollWidth ?? 0,
    region: document.querySelector('.preview-datastore .table-scroll')?.clientWidth ?? 0,
  }))
  t.ok(widths.page <= widths.view, `reflows at 320 px (page ${widths.page} px wide)`)
  t.ok(widths.region <= widths.view, `the table's region fits (${widths.region} px)`)
  await accessible('320 px')
  await screenshot(page, 'datastore-table-320')

  t.same(problems, [], 'no script errors, CSP refusals or failed loads')
})
