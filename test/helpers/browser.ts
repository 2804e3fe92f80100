import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import net from 'node:net'
import path from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import type { AxeResults, Result } from 'axe-core'

/** Debian's chromium: the machine has no downloadable browser builds (CI installs the package, see .ci/run). */
export const CHROMIUM = '/usr/bin/chromium'

/**
 * The machine has no network: without these Chromium waits on connections of its own (updates,
 * sync, QUIC probes) and a page can hang. The sandbox needs user namespaces CI runners lack.
 */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']

export const SCREENSHOTS = path.resolve('test-results/screenshots')

/** Why the browser tests cannot run here: an explicit opt-out skips them, a missing browser fails them. */
export function browserUnavailable(): { skip: string } | { fail: string } | null {
  if (process.env.ABIERTO_SKIP_BROWSER === '1') return { skip: 'ABIERTO_SKIP_BROWSER=1: browser end-to-end tests skipped on request' }
  if (!existsSync(CHROMIUM)) return { fail: `${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium, as .ci/run does) or set ABIERTO_SKIP_BROWSER=1 to skip these tests explicitly` }
  return null
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ headless: true, executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 })
}

/** A port free right now, so SITE_URL (fixed when the app is built) can name the address the app then listens on. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo
      srv.close(() => resolve(port))
    })
  })
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
const WCAG_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']

/**
 * axe-core's WCAG 2.1 A/AA rules on the page as it is now. The source goes in through the
 * DevTools protocol (`evaluate`), which the page's CSP does not govern: no inline script needed.
 */
export async function axeViolations(page: Page): Promise<Result[]> {
  await page.evaluate(axeSource)
  const results = await page.evaluate(
    (tags) => (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<AxeResults> } }).axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
    WCAG_AA,
  )
  return results.violations
}

/** Violations as a readable assertion message: rule, impact, help, and each offending node's selector and HTML. */
export function describeViolations(violations: Result[]): string {
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n${v.nodes.map((n) => `    ${n.target.join(' ')}: ${n.html.slice(0, 200)}\n      ${n.failureSummary?.replace(/\n/g, ' ') ?? ''}`).join('\n')}`).join('\n')
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true })
  const file = path.join(SCREENSHOTS, `${name}.png`)
  await page.screenshot({ path: file, fullPage: true })
  return file
}

/**
 * What goes wrong in the page without failing a request: script errors and console errors
 * (Chromium reports Content-Security-Policy refusals there, e.g. an inline style or script).
 */
export function watchConsole(page: Page): string[] {
  const problems: string[] = []
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`))
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()}${msg.location().url ? ` (${msg.location().url})` : ''}`)
  })
  return problems
}

/** The focus indicator of the focused element, as computed. */
export function focusStyle(page: Page): Promise<{ tag: string; text: string; outlineStyle: string; outlineWidth: string; boxShadow: string }> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null
    const s = el ? getComputedStyle(el) : null
    return { tag: el?.tagName ?? '', text: (el?.textContent ?? '').trim().slice(0, 60), outlineStyle: s?.outlineStyle ?? '', outlineWidth: s?.outlineWidth ?? '', boxShadow: s?.boxShadow ?? '' }
  })
}
