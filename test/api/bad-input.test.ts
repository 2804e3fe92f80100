import t, { type Test } from 'tap'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { mkdtempSync, promises as fs } from 'node:fs'
import { Writable, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { LightMyRequestResponse } from 'fastify'
import { testApp, type TestApp } from '../helpers/app.js'
import { problemWith } from '../helpers/fuzz.js'
import { postMultipart } from '../storage/multipart.js'
import { FsBlobStore } from '../../src/storage/fs-store.js'

type Answer = { statusCode: number; body: string; contentType?: string }

function envelopeError(t: Test, res: Answer, status: number, type: string): Record<string, unknown> {
  t.equal(res.statusCode, status, `status ${status}: ${res.body.slice(0, 200)}`)
  t.equal(problemWith(res), null, 'in the envelope, no internals')
  const body = JSON.parse(res.body)
  t.equal(body.success, false)
  t.equal(body.error.__type, type)
  return body.error
}

const inject = (r: LightMyRequestResponse): Answer => ({ statusCode: r.statusCode, body: r.body, contentType: String(r.headers['content-type']) })

/**
 * Writes raw bytes to the server and reads until it closes the connection; `then` is written once
 * the first answer has arrived (a second request on the same connection). Returns the last answer.
 */
function rawRequest(port: number, bytes: Buffer, then?: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(bytes))
    let chunks: Buffer[] = []
    socket.on('data', (c) => {
      chunks.push(c)
      if (then && /\r\n\r\n/.test(Buffer.concat(chunks).toString('latin1'))) {
        const first = Buffer.concat(chunks).toString('utf8')
        const length = Number(/content-length: (\d+)/i.exec(first)?.[1] ?? -1)
        const head = first.indexOf('\r\n\r\n') + 4
        if (length >= 0 && Buffer.byteLength(first.slice(head)) >= length) {
          chunks = []
          socket.write(then)
          then = undefined
        }
      }
    })
    socket.on('error', reject)
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      const m = /^HTTP\/1\.1 (\d{3})[^\r]*\r\n([\s\S]*?)\r\n\r\n([\s\S]*)$/.exec(text)
      if (!m) return reject(new Error(`no HTTP answer: ${JSON.stringify(text.slice(0, 200))}`))
      const contentType = /content-type: ([^\r\n]+)/i.exec(m[2])?.[1]
      resolve({ statusCode: Number(m[1]), body: m[3], contentType })
    })
  })
}

const get = (path: string, headers = '') => Buffer.from(`GET ${path} HTTP/1.1\r\nHost: x\r\n${headers}Connection: close\r\n\r\n`, 'latin1')

async function listening(t: Test, app: TestApp): Promise<number> {
  await app.app.listen({ port: 0, host: '127.0.0.1' })
  return (app.app.server.address() as net.AddressInfo).port
}

t.test('NUL characters anywhere in the input: 409 naming the field, never Postgres', async (t) => {
  const app = await testApp(t)
  await app.ok('organization_create', { name: 'org-nul' })
  const ds = await app.ok('package_create', { name: 'ds-nul', owner_org: 'org-nul', resources: [{ url: 'http://example.org/a.csv' }] })

  const json = await app.call('package_show', { id: 'a\u0000b' }, { token: null })
  t.same(envelopeError(t, inject(json), 409, 'Validation Error').id, ['Must not contain NUL characters'])

  const nested = await app.call('package_create', { name: 'ok-name', owner_org: 'org-nul', resources: [{ url: 'http://x/\u0000' }] })
  t.same(envelopeError(t, inject(nested), 409, 'Validation Error').resources__0__url, ['Must not contain NUL characters'])

  const key = await app.call('package_search', JSON.parse('{"q": "x", "a\\u0000": 1}'), { token: null })
  t.ok('a\u0000' in envelopeError(t, inject(key), 409, 'Validation Error'), 'a NUL in a key names that key')

  const query = await app.app.inject({ method: 'GET', url: '/api/3/action/package_show?id=%00' })
  t.same(envelopeError(t, inject(query), 409, 'Validation Error').id, ['Must not contain NUL characters'])

  const form = await app.app.inject({ method: 'POST', url: '/api/3/action/user_show', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'id=x%00&include_datasets=1' })
  envelopeError(t, inject(form), 409, 'Validation Error')

  // multipart fields are authorised before the file is read: Postgres' text reached the body here
  const multi = await postMultipart(app.app, 'resource_create', { package_id: `${ds.id}\u0000`, name: 'n' }, { filename: 'a.csv', content: Buffer.from('a,b\n') }, app.sysadminToken)
  t.same(envelopeError(t, inject(multi), 409, 'Validation Error').package_id, ['Must not contain NUL characters'])

  // the download route and the catalog endpoints reach the same check through the runner
  const download = await app.app.inject({ method: 'GET', url: '/dataset/%00/resource/%00/download' })
  t.equal(download.statusCode, 404, `download: ${download.body}`)
  const ttl = await app.app.inject({ method: 'GET', url: '/catalog.ttl?q=%00' })
  t.ok(ttl.statusCode >= 400 && ttl.statusCode < 500, `catalog: ${ttl.statusCode} ${ttl.body}`)
  t.notMatch(ttl.body, /byte sequence|UTF8/)
})

t.test('lone surrogates are refused before they reach a URI or the database', async (t) => {
  const app = await testApp(t)
  await app.ok('organization_create', { name: 'org-s' })
  for (let i = 0; i < 3; i++) await app.ok('package_create', { name: `ds-s-${i}`, owner_org: 'org-s', notes: 'energy' })
  // a page size below the match count makes the catalog build its paging links from q
  const res = await app.call('dcat_catalog_search', { q: '\udfff', page: 1 }, { token: null })
  t.same(envelopeError(t, inject(res), 409, 'Validation Error').q, ['Must be valid Unicode text'])
  const show = await app.call('dcat_catalog_show', { q: 'energy\ud800', format: 'turtle' }, { token: null })
  envelopeError(t, inject(show), 409, 'Validation Error')
  const ok = await app.call('package_search', { q: 'energy 😀' }, { token: null })
  t.equal(ok.statusCode, 200, 'paired surrogates (emoji) are ordinary text')
})

t.test('prototype names as index fields are ordinary unknown fields', async (t) => {
  const app = await testApp(t)
  await app.ok('organization_create', { name: 'org-p' })
  await app.ok('package_create', { name: 'ds-p', owner_org: 'org-p', extras: [{ key: 'constructor', value: 'x' }] })
  for (const url of [
    '/api/3/action/package_search?q=constructor:x',
    '/api/3/action/package_search?q=__proto__:x',
    '/api/3/action/package_search?fq=toString:*',
    '/api/3/action/package_search?fq=hasOwnProperty:[* TO *]',
    '/api/3/action/package_search?facet.field=["__proto__","constructor"]',
    '/api/3/action/package_search?sort=constructor asc',
    '/api/3/action/package_search?fl=constructor,extras___proto__,toString',
  ]) {
    const res = await app.app.inject({ method: 'GET', url: encodeURI(url) })
    t.ok(res.statusCode === 200 || res.statusCode === 409 || res.statusCode === 400, `${url}: ${res.statusCode} ${res.body.slice(0, 150)}`)
    t.equal(problemWith(inject(res)), null, `${url}: envelope, no internals`)
  }
  // an extra called `constructor` is an extra like any other: exact match finds the dataset
  const hit = await app.ok('package_search', { q: 'constructor:x' }, { token: null })
  t.equal(hit.count, 1, 'q=constructor:x finds the dataset with that extra')
  const facets = await app.ok('package_search', { 'facet.field': ['__proto__', 'tags'] }, { token: null })
  t.ok(Object.hasOwn(facets.facets, '__proto__'), 'a facet named __proto__ is a key of the answer, not its prototype')
  const ttl = await app.app.inject({ method: 'GET', url: '/catalog.ttl?q=constructor:x' })
  t.equal(ttl.statusCode, 200, `catalog.ttl?q=constructor:x: ${ttl.body.slice(0, 150)}`)

  // repeated query keys named __proto__ stay data (CKAN's mixed()), never the dict's prototype
  const qs = await app.app.inject({ method: 'GET', url: '/api/3/action/package_search?__proto__=1&__proto__=2&constructor=3' })
  t.equal(problemWith(inject(qs)), null, `repeated __proto__ keys: ${qs.statusCode} ${qs.body.slice(0, 150)}`)
})

t.test('prototype names in revise paths, RDF extensions and Accept headers are ordinary unknown names', async (t) => {
  const app = await testApp(t)
  await app.ok('organization_create', { name: 'org-r' })
  await app.ok('package_create', { name: 'ds-r', owner_org: 'org-r' })
  const revise = await app.app.inject({
    method: 'POST',
    url: '/api/3/action/package_revise',
    headers: { 'content-type': 'application/json', authorization: app.sysadminToken },
    payload: '{"match": {"name": "ds-r", "constructor": "x"}, "update": {"notes": "n"}}',
  })
  t.same(envelopeError(t, inject(revise), 409, 'Validation Error').match, ['constructor'], 'a match on `constructor` is a mismatch, not Object')
  const merged = await app.app.inject({
    method: 'POST',
    url: '/api/3/action/package_revise',
    headers: { 'content-type': 'application/json', authorization: app.sysadminToken },
    payload: '{"match": {"name": "ds-r"}, "update": {"__proto__": {"polluted": 1}, "notes": "n"}, "filter": ["-constructor", "-__proto__"]}',
  })
  t.equal(problemWith(inject(merged)), null, `revise with __proto__ keys: ${merged.statusCode} ${merged.body.slice(0, 200)}`)
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype untouched')
  const shown = await app.ok('package_show', { id: 'ds-r' }, { token: null })
  t.equal(Object.getPrototypeOf(shown), Object.prototype)
  t.equal(shown.polluted, undefined, 'the dataset dict did not inherit the update')

  for (const url of ['/catalog.constructor', '/catalog.__proto__', '/dataset/ds-r.toString']) {
    const res = await app.app.inject({ method: 'GET', url })
    t.equal(res.statusCode, 404, `${url}: ${res.body.slice(0, 120)}`)
  }
  const accept = await app.app.inject({ method: 'GET', url: '/dataset/ds-r', headers: { accept: 'constructor' } })
  t.equal(accept.statusCode, 200)
  t.match(accept.headers['content-type'], /^text\/html/, 'an Accept of `constructor` asks for no RDF format: the dataset page answers')
})

t.test('found by the fuzzer: a page number times a limit past what SQL holds is an empty page', async (t) => {
  const app = await testApp(t)
  const res = await app.call('current_package_list_with_resources', { limit: Number.MAX_SAFE_INTEGER, page: Number.MAX_SAFE_INTEGER }, { token: null })
  t.equal(res.statusCode, 200, res.body.slice(0, 200))
  t.same(res.json().result, [])
})

t.test('a link resource whose URL holds non-ASCII or spaces redirects to its percent-encoded form', async (t) => {
  const app = await testApp(t)
  await app.ok('organization_create', { name: 'org-l' })
  const ds = await app.ok('package_create', { name: 'ds-l', owner_org: 'org-l', resources: [{ url: 'http://example.org/año 2024/€.csv' }] })
  const res = await app.app.inject({ method: 'GET', url: `/dataset/${ds.id}/resource/${ds.resources[0].id}/download` })
  t.equal(res.statusCode, 302, res.body.slice(0, 200))
  t.equal(res.headers.location, 'http://example.org/a%C3%B1o%202024/%E2%82%AC.csv')
})

t.test('JSON nested 10,000 levels deep: 400 in the envelope', async (t) => {
  const app = await testApp(t)
  const deepArray = '{"id":' + '['.repeat(10_000) + ']'.repeat(10_000) + '}'
  const res = await app.app.inject({ method: 'POST', url: '/api/3/action/package_show', headers: { 'content-type': 'application/json' }, payload: deepArray })
  t.match(envelopeError(t, inject(res), 400, 'Bad Request').message, /nested more than 100 levels/)
  // JSON inside a string param (facet.field, package_revise's update) is held to the same limit
  const inString = await app.app.inject({ method: 'GET', url: `/api/3/action/package_search?facet.field=${encodeURIComponent('['.repeat(5000) + ']'.repeat(5000))}` })
  envelopeError(t, inject(inString), 409, 'Validation Error')
  const shallow = await app.call('package_search', { q: 'x', fq_list: [] }, { token: null })
  t.equal(shallow.statusCode, 200)
})

t.test('Fastify and Node refusals answer in the envelope, over a real socket', async (t) => {
  const app = await testApp(t, { BODY_LIMIT_MB: '1' })
  const port = await listening(t, app)

  const unknown = await app.app.inject({ method: 'GET', url: '/no/such/route' })
  t.equal(envelopeError(t, inject(unknown), 404, 'Not Found Error').message, 'Not found: GET /no/such/route')

  const big = await app.app.inject({ method: 'POST', url: '/api/3/action/package_create', headers: { 'content-type': 'application/json', authorization: app.sysadminToken }, payload: JSON.stringify({ notes: 'a'.repeat(2 * 1024 * 1024) }) })
  t.match(envelopeError(t, inject(big), 413, 'Payload Too Large').message, /larger than 1 MB/)

  const longParam = await rawRequest(port, get(`/dataset/${'a'.repeat(600)}/resource/x/download`))
  envelopeError(t, longParam, 414, 'URI Too Long')

  const badPath = await rawRequest(port, get('/dataset/%zz/resource/%E9/download'))
  t.match(envelopeError(t, badPath, 400, 'Bad Request').message, /percent-encoding/)

  const bigHeader = await rawRequest(port, get('/api/3/action/status_show', `X-Big: ${'a'.repeat(20_000)}\r\n`))
  envelopeError(t, bigHeader, 431, 'Request Header Fields Too Large')
  t.match(bigHeader.contentType, /application\/json/)

  const longUrl = await rawRequest(port, get(`/api/3/action/package_search?q=${'a'.repeat(20_000)}`))
  envelopeError(t, longUrl, 431, 'Request Header Fields Too Large')

  // Werkzeug (CKAN) decodes query strings leniently: %E9 alone is U+FFFD, %zz stays as typed
  for (const q of ['%E9', '%zz']) {
    const res = await rawRequest(port, get(`/api/3/action/package_search?q=${q}`))
    t.equal(res.statusCode, 200, `q=${q}: ${res.body.slice(0, 150)}`)
    t.equal(problemWith(res), null)
  }
})

t.test('raw UTF-8 bytes in a URL are read as UTF-8, as CKAN behind a usual web server does', async (t) => {
  const app = await testApp(t)
  await app.ok('organization_create', { name: 'org-u' })
  await app.ok('package_create', { name: 'energia-solar', title: 'Energía solar', owner_org: 'org-u' })
  const port = await listening(t, app)
  // curl "…/package_search?q=energía" sends the bytes as they are; Node's HTTP parser refuses them
  const res = await rawRequest(port, Buffer.from('GET /api/3/action/package_search?q=energía HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 'utf8'))
  t.equal(res.statusCode, 200, res.body.slice(0, 200))
  t.equal(JSON.parse(res.body).result.count, 1, 'q=energía is the text "energía"')

  // keep-alive: a second raw request on the same connection, then a POST whose body arrives later
  const two = await rawRequest(
    port,
    Buffer.concat([Buffer.from('GET /api/3/action/package_show?id=energia-solar&x=ñ HTTP/1.1\r\nHost: x\r\n\r\n', 'utf8')]),
    Buffer.from('POST /api/3/action/package_search?q=energía HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}', 'utf8'),
  )
  t.equal(two.statusCode, 200, 'both requests answered on one connection')
  t.equal(JSON.parse(two.body).result.count, 1)

  // bytes that are not UTF-8 decode as Werkzeug does, with U+FFFD: still an answer, not a dropped socket
  const latin1 = await rawRequest(port, Buffer.from('GET /api/3/action/package_search?q=energ\xeda HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 'latin1'))
  t.equal(latin1.statusCode, 200)
  t.equal(problemWith(latin1), null)
  // anything else malformed is still refused, in the envelope
  const broken = await rawRequest(port, Buffer.from('GET /a b c\r\nHost: x\r\n\r\n', 'latin1'))
  envelopeError(t, broken, 400, 'Bad Request')
})

/** A disk that fills up: every write fails as Node reports ENOSPC. */
class FullDisk extends FsBlobStore {
  override async stage(body: Readable): Promise<string> {
    const sink = new Writable({
      write(_chunk, _enc, done) {
        done(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' }))
      },
    })
    await pipeline(body, sink)
    throw new Error('unreachable')
  }
}

t.test("a full disk during an upload is a 500 in the envelope, not the client's 400 with errno text", async (t) => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'abierto-full-'))
  t.teardown(() => fs.rm(root, { recursive: true, force: true }))
  await fs.mkdir(path.join(root, 'staging'), { recursive: true })
  const app = await testApp(t, {}, { storage: new FullDisk(root) })
  await app.ok('organization_create', { name: 'org-f' })
  const ds = await app.ok('package_create', { name: 'ds-f', owner_org: 'org-f' })
  const res = await postMultipart(app.app, 'resource_create', { package_id: ds.id, name: 'big' }, { filename: 'a.csv', content: Buffer.alloc(256 * 1024, 97) }, app.sysadminToken)
  t.equal(res.statusCode, 500, `server-side failure: ${res.body}`)
  const body = res.json()
  t.equal(body.error.__type, 'Internal Server Error')
  t.notMatch(res.body, /ENOSPC|no space|errno/i, 'no errno text')
  const after = await app.ok('package_show', { id: ds.id })
  t.equal(after.resources.length, 0, 'no resource row for the failed upload')
})
