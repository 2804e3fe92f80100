import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createHash } from 'node:crypto'
import { testApp, type TestApp } from '../helpers/app.js'
import { postMultipart } from '../storage/multipart.js'

interface Teardown {
  teardown(fn: () => unknown): void
}

export const SITE = 'http://test.local'
export const UPLOAD_CONTENT = Buffer.from('year,amount\n2024,10\n2025,12\n')
export const UPLOAD_SHA256 = createHash('sha256').update(UPLOAD_CONTENT).digest('hex')

/** The app with file storage in a temporary directory and a site title for the catalog node. */
export async function dcatApp(t: Teardown, env: Record<string, string> = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'abierto-dcat-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
  return testApp(t, { DATA_DIR: dataDir, SITE_TITLE: 'Datos Abiertos de Prueba', SITE_DESCRIPTION: '', CREATE_UNOWNED_DATASET: 'true', ...env })
}

/** A dataset using every field the DCAT output maps: extras, tags, licence, a link and an upload. */
export async function richDataset(app: TestApp, org = 'ministerio'): Promise<any> {
  const orgs = await app.ok('organization_list', {})
  if (!orgs.includes(org)) await app.ok('organization_create', { name: org, title: 'Ministerio de Economía' })
  const ds = await app.ok('package_create', {
    name: 'presupuesto-2024',
    title: 'Presupuesto 2024',
    notes: 'Gastos e ingresos <previstos> & "ejecutados".',
    owner_org: org,
    license_id: 'cc-by',
    url: 'https://example.org/presupuesto',
    version: '1.2',
    maintainer: 'Oficina de Datos',
    maintainer_email: 'datos@example.org',
    tags: [{ name: 'presupuesto' }, { name: 'economía' }],
    extras: [
      { key: 'uri', value: 'https://harvested.example.org/dataset/presupuesto' },
      { key: 'identifier', value: 'https://harvested.example.org/id/42' },
      { key: 'guid', value: 'guid-42' },
      { key: 'issued', value: '2024-01-15' },
      { key: 'modified', value: '2024-06-01T10:00:00' },
      { key: 'theme', value: '["ECON", "http://publications.europa.eu/resource/authority/data-theme/GOVE"]' },
      { key: 'language', value: 'es,en' },
      { key: 'frequency', value: 'R/P1M' },
      { key: 'spatial_uri', value: 'http://publications.europa.eu/resource/authority/country/ARG' },
      { key: 'spatial_text', value: 'Argentina' },
      { key: 'spatial', value: '{"type":"Polygon","coordinates":[[[-73.5,-55.1],[-53.6,-55.1],[-53.6,-21.8],[-73.5,-21.8],[-73.5,-55.1]]]}' },
      { key: 'temporal_start', value: '2024-01-01' },
      { key: 'temporal_end', value: '2024-12-31' },
    ],
    resources: [{ name: 'Portal de consulta', description: 'Consulta en línea', url: 'https://example.org/consulta', format: 'HTML' }],
  })
  const res = await postMultipart(
    app.app,
    'resource_create',
    { package_id: ds.id, name: 'presupuesto.csv', description: 'Datos', format: 'CSV' },
    { filename: 'presupuesto.csv', content: UPLOAD_CONTENT, contentType: 'text/csv' },
    app.sysadminToken,
  )
  if (res.statusCode !== 200) throw new Error(`upload failed: ${res.body}`)
  return app.ok('package_show', { id: ds.id })
}

/** A dataset with nothing but a name (and a link resource without format). */
export async function minimalDataset(app: TestApp): Promise<any> {
  return app.ok('package_create', { name: 'minimo', resources: [{ url: 'https://example.org/file' }] })
}
