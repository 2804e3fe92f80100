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

  /**
   * One page per scenario, in a fresh context (no cookies) of a browser set to Ecuadorian Spanish;
   * the page must log no script error, CSP refusal or failed load (`expected`: the ones a scenario provokes).
   */
  const scenario = (name: string, fn: (t: Test, page: Page) => Promise<void>, expected?: RegExp) =>
    t.test(name, async (t) => {
      const page = await browser.newPage({ locale: 'es-EC' })
      page.setDefaultTimeout(10_000)
      const problems = watchConsole(page)
      try {
        await fn(t, page)
      } finally {
        await page.close()
      }
      t.same(
        problems.filter((p) => !expected?.test(p)),
        [],
        `${name}: no script errors, Content-Security-Policy refusals or failed loads`,
      )
    })

  const accessible = async (t: Test, page: Page, label: string) => {
    const violations = await axeViolations(page)
    t.equal(violations.length, 0, `axe WCAG 2.1 A/AA on the ${label}: ${violations.length ? `\n${describeViolations(violations)}` : 'no violations'}`)
    await screenshot(page, label.replace(/[^a-z0-9]+/gi, '-'))
  }

  const open = async (page: Page, url: string, status = 200) => {
    const res = await page.goto(`${base}${url}`)
    if (res?.status() !== status) throw new Error(`${url}: status ${res?.status()}, expected ${status}`)
    return res
  }

  const mainText = (page: Page) => page.locator('main').innerText()

  scenario('home page: accessible, keyboard reaches the skip link first and it moves focus to main', async (t, page) => {
    await open(page, '/')
    t.equal(await page.locator('html').getAttribute('lang'), 'es')
    t.match(await page.locator('h1').innerText(), /Abierto/)
    t.match(await mainText(page), /Población por provincia/)
    t.notMatch(await mainText(page), /secreto|borrador/i, 'private and draft datasets are not shown')
    await accessible(t, page, 'home')
    // the harness itself: under the page's CSP, axe runs and sees an input without a label
    await page.evaluate(() => document.querySelector('main')?.insertAdjacentHTML('beforeend', '<input type="text" id="unlabelled">'))
    t.ok(
      (await axeViolations(page)).some((v) => v.id === 'label'),
      'axe runs under the CSP and reports an unlabelled input',
    )
    await page.evaluate(() => document.getElementById('unlabelled')?.remove())

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

  scenario('download link serves the uploaded bytes', async (t) => {
    for (const [kind, r] of Object.entries(data.resources)) {
      t.ok(r.url.startsWith(`${base}/dataset/`), `${kind} url is on this site`)
      const res = await fetch(r.url)
      t.equal(res.status, 200, `${kind} download`)
      t.ok(Buffer.from(await res.arrayBuffer()).equals(r.bytes), `${kind}: the bytes downloaded are the bytes uploaded`)
    }
  })
})
