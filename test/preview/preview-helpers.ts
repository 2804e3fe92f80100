import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import yazl from 'yazl'
import { outboundPolicy } from '../../src/net/outbound.js'
import { FsBlobStore } from '../../src/storage/fs-store.js'
import { resourceKey, type BlobInfo, type BlobStore, type ByteRange } from '../../src/storage/blob-store.js'
import { previewResource, type Preview, type PreviewDeps, type ResourceLike } from '../../src/preview/index.js'
import { serveLocally } from '../helpers/local-server.js'

// tests run from dist/test/preview; the fixtures stay in the source tree
const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures/preview')

export function fixture(name: string): Buffer {
  return readFileSync(path.join(dir, name))
}

interface Teardown {
  teardown(fn: () => unknown): void
}

/** The bytes a store's read streams delivered, and how many reads were made. */
export interface Counted {
  bytes: number
  reads: number
}

/** A BlobStore that counts what its read streams deliver: how a test proves a preview read only the start of a file. */
export function counting(inner: BlobStore): { store: BlobStore; counted: Counted } {
  const counted: Counted = { bytes: 0, reads: 0 }
  const store = Object.create(inner) as BlobStore
  store.read = async (key: string, range?: ByteRange) => {
    counted.reads++
    const s = await inner.read(key, range)
    s.on('data', (c: Buffer) => (counted.bytes += c.length))
    return s
  }
  return { store, counted }
}

/** A real fs BlobStore in a temp directory. */
export async function fsStore(t: Teardown): Promise<FsBlobStore> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'abierto-preview-'))
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  return FsBlobStore.open(root)
}

let ids = 0

/** Stores `data` as the upload of a fresh resource; returns the resource. */
export async function upload(store: BlobStore, data: Buffer | Readable, fields: Partial<ResourceLike> = {}): Promise<ResourceLike> {
  const id = `res-${process.pid}-${++ids}`
  const staged = await store.stage(Buffer.isBuffer(data) ? Readable.from([data]) : data)
  await store.promote(staged, resourceKey(id))
  return { id, url: `http://portal.example/dataset/d/resource/${id}/download/file`, url_type: 'upload', format: null, mimetype: null, name: null, size: null, ...fields }
}

/**
 * A read-only BlobStore holding one blob made on demand: `produce(start, end)` yields the bytes of
 * [start, end]. Lets a test hand the preview a 2 GB file without writing one.
 */
export function virtualStore(size: number, produce: (start: number, end: number) => Readable): BlobStore {
  const unsupported = (): never => {
    throw new Error('read-only test store')
  }
  return {
    kind: 'fs',
    stage: unsupported,
    promote: unsupported,
    remove: unsupported,
    async stat(): Promise<BlobInfo> {
      return { size, etag: '"v"', lastModified: new Date(0) }
    },
    async read(_key: string, range?: ByteRange) {
      return produce(range?.start ?? 0, range?.end ?? size - 1)
    },
    downloadUrl: async () => null,
    keys: async () => [],
    close: async () => {},
  }
}

/** Deps with a store and a policy that lets tests reach 127.0.0.1 (production refuses it). */
export function deps(storage: BlobStore): PreviewDeps {
  return { storage, outbound: outboundPolicy(['127.0.0.1']) }
}

export function preview(storage: BlobStore, resource: ResourceLike, maxRows?: number): Promise<Preview> {
  return previewResource(resource, deps(storage), maxRows === undefined ? {} : { maxRows })
}

export function linked(url: string, fields: Partial<ResourceLike> = {}): ResourceLike {
  return { id: `link-${++ids}`, url, url_type: null, format: null, mimetype: null, name: null, size: null, ...fields }
}

export interface FileServer {
  url(p: string): string
  /** requests seen, with their Range header */
  requests: { path: string; range: string | undefined }[]
  /** bytes written in response bodies */
  sent: number
}

/**
 * A local HTTP server serving `files` by path. `ranges`: answer Range requests with 206 (else
 * always the whole file with 200, as many servers do). `types`: Content-Type by path.
 */
export async function fileServer(t: Teardown, files: Record<string, Buffer>, opts: { ranges: boolean; types?: Record<string, string> }): Promise<FileServer> {
  const state: FileServer = { url: () => '', requests: [], sent: 0 }
  const server = http.createServer((req, res) => {
    const p = new URL(req.url ?? '/', 'http://x').pathname
    state.requests.push({ path: p, range: req.headers.range })
    if (p.startsWith('/redirect/')) {
      res.writeHead(302, { location: p.slice('/redirect'.length) }).end()
      return
    }
    const body = files[p]
    if (!body) {
      res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>not here</h1>')
      return
    }
    const type = opts.types?.[p] ?? 'application/octet-stream'
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '')
    let status = 200
    let slice = body
    const headers: Record<string, string | number> = { 'content-type': type }
    if (opts.ranges) headers['accept-ranges'] = 'bytes'
    if (opts.ranges && m) {
      const start = Number(m[1])
      const end = Math.min(m[2] === '' ? body.length - 1 : Number(m[2]), body.length - 1)
      status = 206
      slice = body.subarray(start, end + 1)
      headers['content-range'] = `bytes ${start}-${end}/${body.length}`
    }
    headers['content-length'] = slice.length
    res.writeHead(status, headers)
    // written in chunks so a client that stops reading early is seen to stop
    let offset = 0
    const pump = (): void => {
      while (offset < slice.length) {
        const chunk = slice.subarray(offset, offset + 16384)
        offset += chunk.length
        state.sent += chunk.length
        if (!res.write(chunk)) return void res.once('drain', pump)
      }
      res.end()
    }
    res.on('close', () => (offset = slice.length))
    pump()
  })
  const base = await serveLocally(t, server)
  server.keepAliveTimeout = 100
  state.url = (p) => `${base}${p}`
  return state
}

/** Narrows a preview to its table form, failing the test with what came instead. */
export function table(p: Preview): Extract<Preview, { kind: 'table' }> {
  if (p.kind !== 'table') throw new Error(`expected a table, got ${JSON.stringify(p)}`)
  return p
}

/** A read-only store over `data` whose streams deliver 16 KiB chunks, so bytes read are counted finely. */
export function memoryStore(data: Buffer): { store: BlobStore; counted: Counted } {
  const counted: Counted = { bytes: 0, reads: 0 }
  const store = virtualStore(data.length, (start, end) => {
    counted.reads++
    let offset = start
    return new Readable({
      read() {
        if (offset > end) return this.push(null)
        const chunk = data.subarray(offset, Math.min(offset + 16384, end + 1))
        offset += chunk.length
        counted.bytes += chunk.length
        this.push(chunk)
      },
    })
  })
  return { store, counted }
}

/** A zip of the given entries (in order), deflated unless `stored` lists them. */
export async function zipOf(entries: [string, string | Buffer][], stored: string[] = []): Promise<Buffer> {
  const zip = new yazl.ZipFile()
  for (const [name, data] of entries) zip.addBuffer(Buffer.isBuffer(data) ? data : Buffer.from(data), name, { compress: !stored.includes(name) })
  zip.end()
  const chunks: Buffer[] = []
  for await (const c of zip.outputStream as AsyncIterable<Buffer>) chunks.push(c)
  return Buffer.concat(chunks)
}

/** Deterministic pseudo-random integers (tests want incompressible-ish data, the same every run). */
export function lcg(seed: number): () => number {
  let s = seed >>> 0
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0)
}

/** A one-sheet XLSX of `rows` rows (a number and an inline string each), written with a zip writer: big files read in part. */
export function bigXlsx(rows: number, seed: number): Promise<Buffer> {
  const next = lcg(seed)
  const xml = ['<worksheet><sheetData>']
  for (let r = 1; r <= rows; r++) xml.push(`<row r="${r}"><c r="A${r}"><v>${next()}</v></c><c r="B${r}" t="inlineStr"><is><t>${next().toString(36)}</t></is></c></row>`)
  xml.push('</sheetData></worksheet>')
  return zipOf([
    ['[Content_Types].xml', '<Types/>'],
    ['xl/workbook.xml', '<workbook xmlns:r="r"><sheets><sheet name="S" r:id="rId1"/></sheets></workbook>'],
    ['xl/_rels/workbook.xml.rels', '<Relationships><Relationship Id="rId1" Type="x/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'],
    ['xl/worksheets/sheet1.xml', xml.join('')],
  ])
}
