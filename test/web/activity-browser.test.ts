import t, { type Test } from 'tap'
import type { Page } from 'playwright-core'
import { testApp } from '../helpers/app.js'
import { axeViolations, browserUnavailable, describeViolations, freePort, launchBrowser, screenshot, watchConsole } from '../helpers/browser.js'

/**
 * The activity pages in Chromium: the dataset's "Actividad" tab reached from the dataset page,
 * its older/newer links, and the home page's recent changes; axe's WCAG 2.1 A/AA rules, no CSP
 * refusal, reflow at 320 px, and screenshots (test-results/screenshots/activity-*.png).
 */

const unavailable = browserUnavailable()

t.test('activity pages in Chromium', { skip: unavailable && 'skip' in unavailable ? unavailable.skip : false }, async (t) => {
  if (unavailable && 'fail' in unavailable) {
    t.fail(unavailable.fail)
    return
  }
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  // pages of five, so eight activities make two pages
  const h = await testApp(t, { SITE_URL: base, ACTIVITY_LIST_LIMIT: '5' })
  await h.app.listen({ port, host: '127.0.0.1' })
  const browser = await launchBrowser()
  t.teardown(() => browser.close())

  await h.ok('organization_create', { name: 'instituto-estadistica', title: 'Instituto Nacional de Estadística y Censos' })
  await h.ok('user_create', { name: 'mlopez', email: 'm@example.org', password: 'una-clave-larga-123', fullname: 'María López Ávila' })
  await h.ok('organization_member_create', { id: 'instituto-estadistica', username: 'mlopez', role: 'editor' })
  const { token } = await h.ok('api_token_create', { user: 'mlopez', name: 'test' })
  await h.ok('package_create', { name: 'poblacion-provincia', title: 'Población por provincia', notes: 'Proyecciones de población.', owner_org: 'instituto-estadistica' }, { token })
  for (let i = 1; i <= 6; i++) await h.ok('package_patch', { id: 'poblacion-provincia', notes: `Proyecciones de población, revisión ${i}.` }, { token })
  await h.ok('package_patch', { id: 'poblacion-provincia', title: 'Población por provincia y cantón, con un título largo que ocupa más de una línea' }, { token })
  await h.ok('package_create', { name: 'camas-hospitalarias', title: 'Camas hospitalarias', owner_org: 'instituto-estadistica' })
  await h.ok('package_create', { name: 'secreto', title: 'Dataset secreto privado', owner_org: 'instituto-estadistica', private: true }, { token })

  const check = async (t: Test, page: Page, name: string) => {
    const violations = await axeViolations(page)
    t.equal(violations.length, 0, `axe WCAG 2.1 A/AA on ${name}: ${violations.length ? `\n${describeViolations(violations)}` : 'no violations'}`)
    await screenshot(page, name)
    const size = page.viewportSize()
    await page.setViewportSize({ width: 320, height: 640 })
    const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, view: window.innerWidth }))
    t.ok(widths.page <= widths.view, `${name} reflows at 320 px (content ${widths.page} px wide)`)
    await screenshot(page, `${name}-narrow`)
    if (size) await page.setViewportSize(size)
  }

  const page = await browser.newPage({ locale: 'es-EC' })
  page.setDefaultTimeout(10_000)
  const problems = watchConsole(page)
  t.teardown(() => page.close())

  await page.goto(`${base}/`)
  const box = page.locator('.recent-changes')
  t.equal(await box.locator('h2').innerText(), 'Cambios recientes')
  t.equal(await box.locator('.activity-item').count(), 5, 'five recent changes')
  const boxText = await box.innerText()
  t.match(boxText, /Administrador|admin/i, "the sysadmin's creation of Camas hospitalarias is among them")
  t.match(boxText, /María López Ávila actualizó el conjunto de datos Población por provincia y cantón/, 'who and what, in Spanish')
  t.notMatch(await page.locator('main').innerText(), /secreto/i, 'the private dataset is not shown')
  await check(t, page, 'activity-home')

  // from the dataset page to its activity tab
  await Promise.all([
    page.waitForURL(/\/dataset\/poblacion-provincia$/),
    box
      .getByRole('link', { name: /Población por provincia y cantón/ })
      .first()
      .click(),
  ])
  t.equal(await page.locator('.tabs [aria-current="page"]').innerText(), 'Conjunto de datos', 'the dataset page is the first tab')
  await check(t, page, 'activity-dataset-page-tabs')
  await page.setViewportSize({ width: 320, height: 640 })
  const tops = await page.locator('.tabs a').evaluateAll((links) => links.map((a) => a.getBoundingClientRect().top))
  t.equal(new Set(tops).size, 1, `both tabs on one row at 320 px (tops ${tops.join(', ')})`)
  await page.setViewportSize({ width: 1280, height: 720 })
  await Promise.all([page.waitForURL(/\/dataset\/activity\/poblacion-provincia$/), page.getByRole('navigation', { name: 'Secciones del conjunto de datos' }).getByRole('link', { name: 'Actividad' }).click()])
  t.equal(await page.locator('.tabs [aria-current="page"]').innerText(), 'Actividad')
  const items = page.locator('.activity-item')
  t.equal(await items.count(), 5, 'a page of five')
  t.match(await items.first().innerText(), /María López Ávila actualizó el conjunto de datos Población por provincia y cantón/)
  t.match(await items.first().locator('time').innerText(), /de \d{4}/, 'a date as Spanish writes it')
  t.equal(await page.locator('a[rel="prev"]').count(), 0, 'no newer page from the first')
  await check(t, page, 'activity-dataset')

  await Promise.all([page.waitForURL(/before=/), page.getByRole('link', { name: 'Actividad anterior' }).click()])
  t.equal(await items.count(), 3, 'the three oldest on the second page')
  t.match(await items.last().innerText(), /María López Ávila creó el conjunto de datos Población por provincia/)
  t.equal(await page.locator('a[rel="next"]').count(), 0, 'nothing older than the creation')
  await check(t, page, 'activity-dataset-older')
  await Promise.all([page.waitForURL(/after=/), page.getByRole('link', { name: 'Actividad más reciente' }).click()])
  t.equal(await items.count(), 5, 'newer: back to the five newest')

  // the kind-of-change filter is a plain GET form: no script
  await page.getByLabel('Tipo de cambio').selectOption('new package')
  await Promise.all([page.waitForURL(/activity_type=new\+package/), page.getByRole('button', { name: 'Filtrar' }).click()])
  t.equal(await items.count(), 1, 'creation only')
  t.match(await items.first().innerText(), /creó el conjunto de datos/)
  await check(t, page, 'activity-dataset-filtered')

  await Promise.all([page.waitForURL(/lang=en/), page.getByRole('link', { name: 'English' }).click()])
  t.match(await items.first().innerText(), /María López Ávila created the dataset/)
  await check(t, page, 'activity-dataset-english')

  t.same(problems, [], 'no script errors, Content-Security-Policy refusals or failed loads')
})
