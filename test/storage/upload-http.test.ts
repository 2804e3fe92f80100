import t from 'tap'
import http from 'node:http'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, readdirSync, existsSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { testApp, type TestApp } from '../helpers/app.js'
import { insertGroup } from '../helpers/fixtures.js'
import { insertUser } from '../actions/group-fixtures.js'
import { addMember } from '../auth/roles-fixtures.js'
import { openBlobStore } from '../../src/storage/open.js'
import { resourceKey, type BlobStore } from '../../src/storage/blob-store.js'
import { startS3 } from './s3rver.js'
import { multipartBody, postMultipart, type FilePart } from './multipart.js'

type Kind = 'fs' | 's3'
interface Teardown {
  teardown(fn: () => unknown): void
}

interface Env extends TestApp {
  store: BlobStore
  dataDir: string
  org: string
  upload(action: string, fields: Record<string, string>, file?: FilePart, token?: string | null): Promise<{ status: number; json: any }>
  download(url: string, headers?: Record<string, string>, token?: string | null): Promise<{ status: number; headers: Record<string, string>; body: Buffer; redirected: string | null }>
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex')

/** The app on the adapter under test, plus a second view of the same storage to inspect it. */
async function setup(t: Teardown, kind: Kind, env: Record<string, string> = {}): Promise<Env> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'abierto-files-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
  const storageEnv = kind === 's3' ? (await startS3(t)).env : {}
  const app = await testApp(t, { DATA_DIR: dataDir, ...storageEnv, ...env })
  const store = await openBlobStore(app.config)
  const org = await insertGroup(app.db.kysely, 'org1')
  return {
    ...app,
    store,
    dataDir,
    org,
    async upload(action, fields, file, token) {
      const res = await postMultipart(app.app, action, fields, file, token === undefined ? app.sysadminToken : token)
      return { status: res.statusCode, json: res.json() }
    },
    async download(url, headers = {}, token = null) {
      const res = await app.app.inject({ method: 'GET', url: new URL(url).pathname, headers: { ...headers, ...(token ? { authorization: token } : {}) } })
      const location = res.headers.location as string | undefined
      // S3: a presigned redirect straight to the object store, as a browser would follow it
      if (res.statusCode === 302 && location && location.includes('X-Amz-Signature')) {
        const s3 = await fetch(location, { headers })
        return { status: s3.status, headers: Object.fromEntries(s3.headers), body: Buffer.from(await s3.arrayBuffer()), redirected: location }
      }
      return { status: res.statusCode, headers: res.headers as Record<string, string>, body: res.rawPayload, redirected: location ?? null }
    },
  }
}

async function resourceRows(e: Env, packageId: string): Promise<number> {
  const rows = await e.db.kysely.selectFrom('resource').select('id').where('package_id', '=', packageId).execute()
  return rows.length
}

for (const kind of ['fs', 's3'] as Kind[]) {
  t.test(`${kind}: upload in ckanapi's multipart shape, download byte-identical, Range`, async (t) => {
    const e = await setup(t, kind)
    const ds = await e.ok('package_create', { name: 'ds', owner_org: 'org1' })
    const content = Buffer.concat([Buffer.from('provincia,poblacion\n'), Buffer.from('Córdoba,3978984\n'.repeat(20000))])
    const { status, json } = await e.upload('resource_create', { package_id: 'ds', name: 'Población', description: 'censo' }, { filename: 'Población 2022.csv', content })
    t.equal(status, 200, JSON.stringify(json).slice(0, 300))
    const r = json.result
    t.equal(r.url_type, 'upload')
    t.equal(r.url, `http://test.local/dataset/${ds.id}/resource/${r.id}/download/poblacion-2022.csv`)
    t.equal(r.size, content.length)
    t.equal(r.hash, sha256(content))
    t.equal(r.mimetype, 'text/csv')
    t.equal(r.format, 'CSV', 'format guessed when empty')
    t.equal(r.name, 'Población', 'the other fields came through as params')
    t.equal(r.description, 'censo')
    t.match(r.last_modified, /^\d{4}-\d\d-\d\dT/)
    const shown = await e.ok('package_show', { id: 'ds' })
    t.same(shown.resources[0], r, 'package_show shows the same resource')
    t.same(await e.store.keys('resources/'), [resourceKey(r.id)], 'the blob key comes from the id')
    t.same(await e.store.keys('staging/'), [], 'nothing left in staging')

    const full = await e.download(r.url)
    t.equal(full.status, 200)
    t.equal(sha256(full.body), sha256(content), 'byte-identical')
    t.equal(Number(full.headers['content-length']), content.length)
    t.equal(full.headers['content-type'], 'text/csv')
    t.match(full.headers['content-disposition'], /filename="poblacion-2022.csv"/)
    t.ok(full.headers.etag, 'ETag')
    const ckanForm = await e.download(`http://test.local/dataset/ds/resource/${r.id}/download`)
    t.equal(sha256(ckanForm.body), sha256(content), "CKAN's URL without file name, dataset by name")

    const part = await e.download(r.url, { range: 'bytes=20-39' })
    t.equal(part.status, 206)
    t.same(part.body, content.subarray(20, 40))
    t.equal(part.headers['content-range'], `bytes 20-39/${content.length}`)
    if (kind === 'fs') {
      // (s3rver, unlike S3 and MinIO, reads a suffix range as 0-n: not ours to test)
      const tail = await e.download(r.url, { range: 'bytes=-16' })
      t.equal(tail.status, 206)
      t.same(tail.body, content.subarray(content.length - 16))
    }
    const beyond = await e.download(r.url, { range: `bytes=${content.length + 10}-` })
    t.equal(beyond.status, 416)

    const wrongDataset = await e.ok('package_create', { name: 'other', owner_org: 'org1' })
    t.equal((await e.download(`http://test.local/dataset/${wrongDataset.id}/resource/${r.id}/download/x.csv`)).status, 404, 'the resource must belong to the dataset in the URL')
    t.equal((await e.download(`http://test.local/dataset/ds/resource/00000000-0000-0000-0000-000000000000/download/x.csv`)).status, 404)
  })

  t.test(`${kind}: content sniffing, not only the extension`, async (t) => {
    const e = await setup(t, kind)
    await e.ok('package_create', { name: 'ds', owner_org: 'org1' })
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64')
    const { json } = await e.upload('resource_create', { package_id: 'ds' }, { filename: 'mapa.csv', content: png })
    t.equal(json.result.mimetype, 'image/png', 'a PNG named .csv is a PNG')
    const pdf = Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n')
    const given = await e.upload('resource_create', { package_id: 'ds', format: 'Informe', mimetype: 'application/x-custom' }, { filename: 'informe', content: pdf })
    t.equal(given.json.result.mimetype, 'application/x-custom', 'an explicit mimetype wins, as in CKAN')
    t.equal(given.json.result.format, 'Informe', 'an explicit format is kept')
    const noExt = await e.upload('resource_create', { package_id: 'ds' }, { filename: 'informe', content: pdf })
    t.equal(noExt.json.result.mimetype, 'application/pdf')
    t.equal(noExt.json.result.format, 'PDF', 'format from the sniffed type when the name has no extension')
  })

  t.test(`${kind}: MAX_RESOURCE_SIZE_MB is enforced while streaming`, async (t) => {
    const e = await setup(t, kind, { MAX_RESOURCE_SIZE_MB: '1' })
    const ds = await e.ok('package_create', { name: 'ds', owner_org: 'org1' })
    const over = await e.upload('resource_create', { package_id: 'ds', name: 'big' }, { filename: 'big.bin', content: randomBytes(1024 * 1024 + 1) })
    t.equal(over.status, 409)
    t.same(over.json.error, { __type: 'Validation Error', upload: ['File upload too large: the limit is 1 MB (MAX_RESOURCE_SIZE_MB)'] })
    t.equal(await resourceRows(e, ds.id), 0, 'no resource row')
    t.same(await e.store.keys('staging/'), [], 'no partial blob')
    t.same(await e.store.keys('resources/'), [])
    const exact = await e.upload('resource_create', { package_id: 'ds', name: 'exact' }, { filename: 'exact.bin', content: randomBytes(1024 * 1024) })
    t.equal(exact.status, 200, 'exactly the limit is allowed')
    t.equal(exact.json.result.size, 1024 * 1024)
    // the body limit for JSON (BODY_LIMIT_MB) does not apply to multipart files
    const big = await setup(t, kind, { BODY_LIMIT_MB: '1', MAX_RESOURCE_SIZE_MB: '4' })
    await big.ok('package_create', { name: 'ds', owner_org: 'org1' })
    const three = await big.upload('resource_create', { package_id: 'ds' }, { filename: 'three.bin', content: randomBytes(3 * 1024 * 1024) })
    t.equal(three.status, 200, 'a 3 MB file passes a 1 MB body limit')
  })

  t.test(`${kind}: a client that disconnects mid-upload leaves nothing behind`, async (t) => {
    const e = await setup(t, kind)
    const ds = await e.ok('package_create', { name: 'ds', owner_org: 'org1' })
    await e.app.listen({ port: 0, host: '127.0.0.1' })
    const port = (e.app.server.address() as { port: number }).port
    const file = randomBytes(40 * 1024 * 1024)
    const { body, contentType } = multipartBody({ package_id: 'ds', name: 'cut' }, { filename: 'cut.bin', content: file })
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/api/3/action/resource_create', headers: { 'content-type': contentType, 'content-length': body.length, authorization: e.sysadminToken } })
    req.on('error', () => undefined)
    // about half the body (past the first S3 part), then the socket goes away
    await new Promise<void>((resolve) => req.write(body.subarray(0, 20 * 1024 * 1024), () => resolve()))
    // (S3 shows no object before the multipart upload completes: there, give the server time to start it)
    if (kind === 'fs') {
      let staging: string[] = []
      for (const until = Date.now() + 20_000; staging.length === 0 && Date.now() < until;) {
        await new Promise((r) => setTimeout(r, 20))
        staging = await e.store.keys('staging/')
      }
      t.equal(staging.length, 1, 'the file was being staged when the client left')
    } else await new Promise((r) => setTimeout(r, 400))
    req.destroy()
    let staged: string[] = ['?']
    for (let i = 0; i < 50 && staged.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 100))
      staged = await e.store.keys('staging/')
    }
    t.same(staged, [], 'the partial blob is removed')
    t.same(await e.store.keys('resources/'), [])
    t.equal(await resourceRows(e, ds.id), 0, 'no resource row')
    const after = await e.upload('resource_create', { package_id: 'ds' }, { filename: 'ok.csv', content: Buffer.from('a\n1\n') })
    t.equal(after.status, 200, 'the server goes on')
  })

  t.test(`${kind}: a private dataset's file only for those who may read it`, async (t) => {
    const e = await setup(t, kind, { MAX_RESOURCE_SIZE_MB: '2' })
    const db = e.db.kysely
    const member = await insertUser(db, 'member')
    const outsider = await insertUser(db, 'outsider')
    await addMember(db, e.org, member.id, 'member')
    await e.ok('package_create', { name: 'secret', owner_org: 'org1', private: true })
    const content = Buffer.from('confidencial\n')
    const { json } = await e.upload('resource_create', { package_id: 'secret' }, { filename: 'secreto.csv', content })
    const url = json.result.url as string
    const anon = await e.download(url)
    t.equal(anon.status, 403, 'anonymous')
    t.equal(anon.redirected, null, 'no presigned URL is issued before the check')
    t.notSame(anon.body, content)
    const out = await e.download(url, {}, outsider.token)
    t.equal(out.status, 403, 'a user outside the organization')
    t.equal(out.redirected, null)
    const ok = await e.download(url, {}, member.token)
    t.equal(ok.status, 200, 'a member of the organization')
    t.same(ok.body, content)
    const up = await e.upload('resource_create', { package_id: 'secret' }, { filename: 'x.csv', content }, member.token)
    t.equal(up.status, 403, 'a member may not upload')
    const anonUp = await e.upload('resource_create', { package_id: 'secret' }, { filename: 'x.csv', content }, null)
    t.equal(anonUp.status, 403)
    t.same(await e.store.keys('staging/'), [], 'refused uploads leave nothing')
    // refused before the file is read: past the 2 MB limit, yet authorization is what answers
    const huge = await e.upload('resource_create', { package_id: 'secret' }, { filename: 'x.bin', content: randomBytes(3 * 1024 * 1024) }, outsider.token)
    t.equal(huge.status, 403)
    t.match(huge.json.error.message, /not authorized to create resources/)
    const missing = await e.upload('resource_create', { package_id: 'nope' }, { filename: 'x.csv', content })
    t.equal(missing.status, 404, 'an unknown dataset, before the file')
  })

  t.test(`${kind}: path-traversal file names are harmless`, async (t) => {
    const e = await setup(t, kind)
    await e.ok('package_create', { name: 'ds', owner_org: 'org1' })
    for (const [name, expected] of [
      ['../../../../etc/passwd', 'passwd'],
      ['..\\..\\windows\\win.ini', 'win.ini'],
      ['..', 'upload'],
      ['x\\"; evil=1.csv', 'x-evil1.csv'],
    ]) {
      const { status, json } = await e.upload('resource_create', { package_id: 'ds' }, { filename: name, content: Buffer.from('x') })
      t.equal(status, 200, name)
      const r = json.result
      t.equal(r.url.split('/').pop(), encodeURIComponent(expected), `${name} → ${expected}`)
      const dl = await e.download(r.url)
      t.equal(dl.status, 200)
      t.notMatch(dl.headers['content-disposition'], /[\r\n]|\.\.\//)
    }
    const keys = await e.store.keys('resources/')
    t.equal(keys.length, 4)
    for (const k of keys) t.match(k, /^resources\/[0-9a-f-]{36}$/, 'keys from ids only')
    if (kind === 'fs') {
      t.same(readdirSync(path.join(e.dataDir, 'files')).sort(), ['resources', 'staging'], 'nothing written beside the store')
      t.notOk(existsSync(path.join(e.dataDir, 'etc')))
    }
  })

  t.test(`${kind}: replace, failed replace, back to a link, delete and purge`, async (t) => {
    const e = await setup(t, kind)
    const ds = await e.ok('package_create', { name: 'ds', owner_org: 'org1' })
    const v1 = Buffer.from('version,1\n')
    const v2 = Buffer.from('version,2\nmore,rows\n')
    const r = (await e.upload('resource_create', { package_id: 'ds', name: 'datos' }, { filename: 'v1.csv', content: v1 })).json.result
    const patched = await e.upload('resource_patch', { id: r.id }, { filename: 'v2.csv', content: v2 })
    t.equal(patched.status, 200)
    t.equal(patched.json.result.hash, sha256(v2))
    t.equal(patched.json.result.size, v2.length)
    t.equal(patched.json.result.name, 'datos', 'patch keeps the other fields')
    t.match(patched.json.result.url, /\/download\/v2\.csv$/)
    t.same((await e.download(patched.json.result.url)).body, v2, 'the new file is served')
    t.same(await e.store.keys('resources/'), [resourceKey(r.id)], 'the old file is gone, one blob remains')
    t.same(await e.store.keys('staging/'), [])

    // a replacement whose row cannot be written leaves the current file in place
    const failed = await e.upload('resource_update', { id: r.id, created: 'not a date' }, { filename: 'v3.csv', content: Buffer.from('v3') })
    t.equal(failed.status, 409)
    t.same((await e.download(patched.json.result.url)).body, v2, 'still the committed file')
    t.same(await e.store.keys('staging/'), [], 'the rejected upload is removed')
    t.equal((await e.ok('resource_show', { id: r.id })).hash, sha256(v2))

    // JSON clients cannot fake an upload; updating metadata keeps the file
    const meta = await e.ok('resource_patch', { id: r.id, description: 'nuevo', upload: 'not a file' })
    t.equal(meta.url_type, 'upload')
    t.equal(meta.hash, sha256(v2))
    t.same((await e.download(meta.url)).body, v2)
    const roundTrip = await e.ok('resource_update', { ...meta })
    t.equal(roundTrip.url, meta.url, 'sending the shown dict back keeps the download URL')

    const second = (await e.upload('resource_create', { package_id: 'ds' }, { filename: 'b.csv', content: v1 })).json.result
    const link = await e.ok('resource_patch', { id: second.id, url: 'https://example.org/b.csv', clear_upload: 'true' })
    t.equal(link.url_type, '', "clear_upload: CKAN's empty url_type")
    t.equal(link.url, 'https://example.org/b.csv')
    t.same(await e.store.keys('resources/'), [resourceKey(r.id)], 'a resource turned into a link drops its file')
    const redirect = await e.download(link.url.replace('https://example.org/b.csv', `http://test.local/dataset/ds/resource/${second.id}/download`))
    t.equal(redirect.status, 302)
    t.equal(redirect.redirected, 'https://example.org/b.csv', 'a link resource redirects')

    t.equal((await e.call('resource_delete', { id: r.id })).statusCode, 200)
    t.equal((await e.download(meta.url)).status, 404, 'a deleted resource is not served')
    t.same(await e.store.keys('resources/'), [resourceKey(r.id)], 'resource_delete keeps the file, as CKAN does')
    await e.ok('dataset_purge', { id: 'ds' })
    t.same(await e.store.keys('resources/'), [], 'purge removes the files of all its resources')
    t.equal(await resourceRows(e, ds.id), 0)
  })
}

t.test('s3: presigned redirect by default, proxied streaming when configured', async (t) => {
  const e = await setup(t, 's3')
  await e.ok('package_create', { name: 'ds', owner_org: 'org1' })
  const content = randomBytes(300_000)
  const r = (await e.upload('resource_create', { package_id: 'ds' }, { filename: 'datos.bin', content })).json.result
  const res = await e.app.inject({ method: 'GET', url: new URL(r.url).pathname })
  t.equal(res.statusCode, 302)
  t.match(res.headers.location, /X-Amz-Expires=60&/, 'short-lived')
  t.match(res.headers.location, /response-content-disposition=/)
  t.equal(res.headers['cache-control'], 'no-store')

  const proxied = await setup(t, 's3', { S3_PROXY_DOWNLOADS: 'true' })
  await proxied.ok('package_create', { name: 'ds', owner_org: 'org1' })
  const p = (await proxied.upload('resource_create', { package_id: 'ds' }, { filename: 'datos.bin', content })).json.result
  const full = await proxied.download(p.url)
  t.equal(full.status, 200)
  t.equal(full.redirected, null)
  t.same(full.body, content)
  const part = await proxied.download(p.url, { range: 'bytes=1000-1999' })
  t.equal(part.status, 206)
  t.same(part.body, content.subarray(1000, 2000))
})

t.test('fs: ETag revalidation', async (t) => {
  const e = await setup(t, 'fs')
  await e.ok('package_create', { name: 'ds', owner_org: 'org1' })
  const r = (await e.upload('resource_create', { package_id: 'ds' }, { filename: 'a.csv', content: Buffer.from('a\n') })).json.result
  const first = await e.download(r.url)
  const again = await e.download(r.url, { 'if-none-match': first.headers.etag })
  t.equal(again.status, 304)
  t.equal(again.body.length, 0)
  const stale = await e.download(r.url, { range: 'bytes=0-0', 'if-range': '"old"' })
  t.equal(stale.status, 200, 'If-Range with another ETag: the whole file')
})

export type { FastifyInstance }
