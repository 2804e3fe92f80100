import t from 'tap'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, readdirSync, utimesSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { FsBlobStore } from '../../src/storage/fs-store.js'
import { S3BlobStore } from '../../src/storage/s3-store.js'
import { checkKey, resourceKey, type BlobStore } from '../../src/storage/blob-store.js'
import { stageUpload } from '../../src/storage/upload.js'
import { contentDisposition, mungeFilename } from '../../src/storage/filename.js'
import { startS3 } from './s3rver.js'

/** One contract, every adapter (as Kysely loops over its dialects). */
interface Teardown {
  teardown(fn: () => unknown): void
}

const ADAPTERS: { name: string; open(t: Teardown): Promise<BlobStore> }[] = [
  {
    name: 'fs',
    async open(t) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'abierto-fs-'))
      t.teardown(() => rmSync(dir, { recursive: true, force: true }))
      return FsBlobStore.open(dir)
    },
  },
  {
    name: 's3',
    async open(t) {
      const s3 = await startS3(t)
      // the smallest part S3 allows, so a few MB exercise the multipart path
      return S3BlobStore.open({ endpoint: s3.endpoint, accessKey: 'S3RVER', secretKey: 'S3RVER', bucket: 'contract', region: 'us-east-1', partSize: 5 * 1024 * 1024 })
    },
  },
]

async function bytes(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const c of stream) chunks.push(c as Buffer)
  return Buffer.concat(chunks)
}

/** Yields `data` in 64 KB chunks, then fails after `failAfter` bytes when given. */
function source(data: Buffer, failAfter?: number): Readable {
  let offset = 0
  return new Readable({
    read() {
      if (failAfter !== undefined && offset >= failAfter) return this.destroy(new Error('client went away'))
      if (offset >= data.length) return this.push(null)
      this.push(data.subarray(offset, offset + 65536))
      offset += 65536
    },
  })
}

for (const adapter of ADAPTERS) {
  t.test(`${adapter.name}: stage, promote, stat, read, range, remove`, async (t) => {
    const store = await adapter.open(t)
    const data = randomBytes(12 * 1024 * 1024 + 123)
    const staged = await store.stage(source(data))
    t.match(staged, /^staging\/[0-9a-f-]{36}$/)
    t.same(await store.keys('resources/'), [])
    const key = resourceKey('0b7c9c5e-2f0e-4a51-9b8e-6f3f1a0d2c11')
    await store.promote(staged, key)
    t.same(await store.keys('staging/'), [], 'promotion leaves no staging copy')
    t.same(await store.keys('resources/'), [key])
    const info = await store.stat(key)
    t.equal(info?.size, data.length)
    t.match(info?.etag, /^".+"$/)
    t.ok(info!.lastModified instanceof Date)
    const whole = await bytes(await store.read(key))
    t.equal(createHash('sha256').update(whole).digest('hex'), createHash('sha256').update(data).digest('hex'), 'byte-identical across parts')
    t.same(await bytes(await store.read(key, { start: 5, end: 9 })), data.subarray(5, 10), 'inclusive range')
    t.same(await bytes(await store.read(key, { start: data.length - 3, end: data.length - 1 })), data.subarray(data.length - 3))

    // promoting over an existing blob replaces it
    const small = Buffer.from('replacement')
    await store.promote(await store.stage(source(small)), key)
    t.same(await bytes(await store.read(key)), small)
    t.equal((await store.stat(key))?.size, small.length)
    t.not((await store.stat(key))?.etag, info?.etag, 'a new file has a new ETag')

    await store.remove(key)
    t.equal(await store.stat(key), null)
    await store.remove(key)
    t.pass('removing a missing blob is not an error')
    t.same(await store.keys('resources/'), [])
  })

  t.test(`${adapter.name}: staging for an intended key, then promoting to it`, async (t) => {
    const store = await adapter.open(t)
    const key = resourceKey('7d1c2b1e-4a51-4f0e-9b8e-6f3f1a0d2c11')
    const staged = await store.stage(source(Buffer.from('direct')), key)
    if (staged !== key) t.equal(await store.stat(key), null, 'fs: not visible before promotion (a rename is free)')
    else t.equal(adapter.name, 's3', 'only S3 writes straight to the intended key')
    await store.promote(staged, key)
    t.same(await bytes(await store.read(key)), Buffer.from('direct'))
    t.same(await store.keys('staging/'), [])
    t.same(await store.keys('resources/'), [key])
    // a failed stage for an intended key leaves nothing there either
    const other = resourceKey('8d1c2b1e-4a51-4f0e-9b8e-6f3f1a0d2c11')
    await t.rejects(store.stage(source(randomBytes(12 * 1024 * 1024), 6 * 1024 * 1024), other))
    t.equal(await store.stat(other), null)
    t.same(await store.keys('staging/'), [])
  })

  t.test(`${adapter.name}: an empty file`, async (t) => {
    const store = await adapter.open(t)
    const key = resourceKey('empty')
    await store.promote(await store.stage(source(Buffer.alloc(0))), key)
    t.equal((await store.stat(key))?.size, 0)
    t.same(await bytes(await store.read(key)), Buffer.alloc(0))
  })

  t.test(`${adapter.name}: a stream that fails leaves nothing behind`, async (t) => {
    const store = await adapter.open(t)
    // small failure (before the first part) and large one (parts already sent)
    for (const failAfter of [128 * 1024, 11 * 1024 * 1024]) {
      await t.rejects(store.stage(source(randomBytes(16 * 1024 * 1024), failAfter)), /client went away/)
      t.same(await store.keys('staging/'), [], `nothing staged after failing at ${failAfter} bytes`)
    }
  })

  t.test(`${adapter.name}: keys never leave their two shapes`, async (t) => {
    const store = await adapter.open(t)
    for (const bad of ['../etc/passwd', 'resources/../../x', 'resources/a/b', 'resources/', '/abs', 'other/x', 'resources/a.b']) {
      t.throws(() => checkKey(bad), /invalid blob key/, bad)
      await t.rejects(store.stat(bad), /invalid blob key/, `stat ${bad}`)
      await t.rejects(store.remove(bad), /invalid blob key/, `remove ${bad}`)
    }
    t.equal(await store.stat(resourceKey('nope')), null)
  })

  t.test(`${adapter.name}: stageUpload measures and enforces the limit`, async (t) => {
    const store = await adapter.open(t)
    const data = Buffer.from('id,nombre\n1,Córdoba\n')
    const up = await stageUpload(store, source(data), { filename: '../../Datos Año 2024.CSV', maxBytes: 1024 })
    t.equal(up.size, data.length)
    t.equal(up.sha256, createHash('sha256').update(data).digest('hex'))
    t.equal(up.filename, 'datos-ano-2024.csv', "CKAN's munge_filename")
    t.equal(up.mimetype, 'text/csv')
    await up.discard()
    t.same(await store.keys('staging/'), [], 'discard removes the staged file')
    const err = await stageUpload(store, source(randomBytes(4096)), { filename: 'x.bin', maxBytes: 1000 }).catch((e: unknown) => e)
    t.match(err, { fields: { upload: [/too large: the limit is 1 MB/] } })
    t.same(await store.keys('staging/'), [], 'over the limit: nothing staged')
  })
}

t.test('fs: files live under the root, staged then renamed', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'abierto-fs-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const store = await FsBlobStore.open(dir)
  const key = resourceKey('ab34')
  await store.promote(await store.stage(source(Buffer.from('x'))), key)
  t.same(readdirSync(dir).sort(), ['resources', 'staging'])
  t.same(readdirSync(path.join(dir, 'resources', 'ab')), ['ab34'])
  t.same(readdirSync(path.join(dir, 'staging')), [])

  // what a crashed process left in staging is swept at the next start; a recent upload is not
  const stale = path.join(dir, 'staging', 'stale')
  const fresh = path.join(dir, 'staging', 'fresh')
  writeFileSync(stale, 'x')
  writeFileSync(fresh, 'y')
  const old = new Date(Date.now() - 25 * 3600 * 1000)
  utimesSync(stale, old, old)
  await FsBlobStore.open(dir)
  t.same(readdirSync(path.join(dir, 'staging')), ['fresh'])
})

t.test('s3: the bucket is created at start, and an existing one is reused', async (t) => {
  const s3 = await startS3(t)
  const opts = { endpoint: s3.endpoint, accessKey: 'S3RVER', secretKey: 'S3RVER', bucket: 'fresh-bucket', region: 'us-east-1' }
  const a = await S3BlobStore.open(opts)
  const key = resourceKey('r1')
  await a.promote(await a.stage(source(Buffer.from('kept'))), key)
  const b = await S3BlobStore.open(opts)
  t.same(await bytes(await b.read(key)), Buffer.from('kept'))
  const url = await b.downloadUrl(key, { filename: 'datos.csv', contentType: 'text/csv', expiresSeconds: 60 })
  t.match(url, /X-Amz-Signature=/)
  const res = await fetch(url!)
  t.equal(res.status, 200)
  t.equal(await res.text(), 'kept')
  t.equal(res.headers.get('content-type'), 'text/csv')
  t.match(res.headers.get('content-disposition'), /filename="datos.csv"/)
})

t.test("file names: CKAN's munge_filename, safe headers", async (t) => {
  const cases: [string, string][] = [
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\x\\Informe Final.XLSX', 'informe-final.xlsx'],
    ['..', '.._'],
    ['a', 'a__'],
    ['.bashrc', '.bashrc'],
    ['Ñandú  --  año.csv', 'nandu-ano.csv'],
    ['x'.repeat(150) + '.csv', 'x'.repeat(96) + '.csv'],
    ['datos.' + 'e'.repeat(30), 'datos.' + 'e'.repeat(20)],
  ]
  for (const [raw, munged] of cases) t.equal(mungeFilename(raw), munged, raw)
  const header = contentDisposition('a"b\r\nX-Evil: 1/ñ.csv')
  t.notMatch(header, /[\r\n]/)
  t.match(header, /^inline; filename="a_b__X-Evil: 1__.csv"; filename\*=UTF-8''a%22b%0D%0AX-Evil%3A%201%2F%C3%B1.csv$/)
})
