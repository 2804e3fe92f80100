import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { sql } from 'kysely'
import { testApp, type TestApp } from '../helpers/app.js'
import { poll } from '../helpers/poll.js'
import { postMultipart } from '../storage/multipart.js'

interface Teardown {
  teardown(fn: () => unknown): void
}

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures/datastore/loader')

export function fixture(name: string): Buffer {
  return readFileSync(path.join(dir, name))
}

/** The shared files (test/fixtures/datastore/, written by scripts/make-datastore-fixtures.ts). */
export function sharedFixture(name: string): Buffer {
  return readFileSync(path.join(dir, '..', name))
}

export interface LoaderApp extends TestApp {
  /** resource_create with an uploaded file; returns the resource dict */
  upload(name: string, content: Buffer, fields?: Record<string, string>): Promise<Record<string, any>>
  /** resource_update with a new file */
  reupload(id: string, name: string, content: Buffer, fields?: Record<string, string>): Promise<Record<string, any>>
  /** xloader_status once the load has ended (complete or error) */
  settled(id: string): Promise<Record<string, any>>
  /** the table's rows without _id and _full_text, in _id order */
  rows(id: string): Promise<Record<string, unknown>[]>
}

/** An app with its job worker running, an organization `inec` and a dataset `censo`. */
export async function loaderApp(t: Teardown, env: Record<string, string> = {}): Promise<LoaderApp> {
  const h = await testApp(t, env, { jobWorker: true })
  await h.ok('organization_create', { name: 'inec', title: 'INEC' })
  await h.ok('package_create', { name: 'censo', owner_org: 'inec' })
  const answer = (res: { statusCode: number; body: string }) => {
    const json = JSON.parse(res.body)
    if (res.statusCode !== 200 || !json.success) throw new Error(`upload failed: ${res.statusCode} ${res.body}`)
    return json.result
  }
  return {
    ...h,
    async upload(name, content, fields = {}) {
      return answer(await postMultipart(h.app, 'resource_create', { package_id: 'censo', name, ...fields }, { filename: name, content }, h.sysadminToken))
    },
    async reupload(id, name, content, fields = {}) {
      return answer(await postMultipart(h.app, 'resource_patch', { id, ...fields }, { filename: name, content }, h.sysadminToken))
    },
    async settled(id) {
      return poll(`the load of ${id} to end`, async () => {
        const s = await h.ok('xloader_status', { resource_id: id })
        return s.status === 'complete' || s.status === 'error' ? s : undefined
      })
    },
    async rows(id) {
      const { rows } = await sql<Record<string, unknown>>`SELECT * FROM ${sql.id('datastore', id)} ORDER BY "_id"`.execute(h.db.kysely)
      return rows.map(({ _id, _full_text, ...rest }) => rest)
    },
  }
}
