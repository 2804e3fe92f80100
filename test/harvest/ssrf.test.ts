import t from 'tap'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type dns from 'node:dns'
import { testApp } from '../helpers/app.js'
import { getText, RemoteError } from '../../src/harvest/harvesters/http.js'
import { isPublicAddress, outboundPolicy } from '../../src/net/outbound.js'
import { loadConfig } from '../../src/config.js'
import { createSource, jobReport, startJob, LOCAL_REMOTES } from './harvest-helpers.js'
import { closeAtTeardown } from '../helpers/local-server.js'

/**
 * Harvest URLs come from editors: without FETCH_ALLOW_PRIVATE they must not reach this machine or
 * its network, directly, through a name, or through a redirect from a host that is allowed.
 */

interface Local {
  port: number
  /** paths requested so far */
  seen: string[]
}

/** A server on every IPv4 loopback address (127.0.0.2 too), answering /redirect?to=URL with a 302 and anything else with text. */
async function localServer(t: { teardown(fn: () => unknown): void }): Promise<Local> {
  const seen: string[] = []
  const server = http.createServer((req, res) => {
    seen.push(req.url!)
    const to = new URL(req.url!, 'http://x').searchParams.get('to')
    if (to) {
      res.statusCode = 302
      res.setHeader('location', to)
      return res.end()
    }
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ success: true, result: { count: 0, results: [] }, secret: 'internal' }))
  })
  await new Promise<void>((r) => server.listen(0, '0.0.0.0', r))
  closeAtTeardown(t, server)
  return { port: (server.address() as AddressInfo).port, seen }
}

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (err) {
    if (err instanceof RemoteError) return err.message
    throw err
  }
  throw new Error('the request was not refused')
}

t.test('address classification: only public unicast addresses pass', async (t) => {
  const blocked = [
    '127.0.0.1',
    '127.1.2.3',
    '10.0.0.1',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '255.255.255.255',
    '224.0.0.1',
    '198.18.0.1',
    '::1',
    '::',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '::ffff:169.254.169.254',
    '64:ff9b::7f00:1',
    '2002:7f00:1::1',
    '2001:db8::1',
    'ff02::1',
    '4000::1',
    'not an address',
  ]
  for (const a of blocked) t.equal(isPublicAddress(a), false, a)
  for (const a of ['8.8.8.8', '93.184.216.34', '172.32.0.1', '2001:4860:4860::8888', '::ffff:8.8.8.8']) t.equal(isPublicAddress(a), true, a)
})

t.test('getText refuses non-public targets before any byte is sent', async (t) => {
  const local = await localServer(t)
  const none = outboundPolicy([])
  t.match(await refusal(getText(`http://127.0.0.1:${local.port}/`, { policy: none })), /127\.0\.0\.1 is not a public address/, 'an address literal')
  t.match(await refusal(getText(`http://[::ffff:127.0.0.1]:${local.port}/`, { policy: none })), /not a public address/, 'IPv4-mapped IPv6')
  t.match(await refusal(getText(`http://2130706433:${local.port}/`, { policy: none })), /not a public address/, 'a decimal IPv4 (the URL parser makes it 127.0.0.1)')
  t.match(await refusal(getText(`http://localhost:${local.port}/`, { policy: none })), /localhost is not a public address/, 'a name resolving to loopback: checked after DNS')
  t.same(local.seen, [], 'the server never saw a request')

  // a name no real DNS knows, pointed at loopback by the policy's resolver: the connection goes
  // exactly where the checked lookup said, so it succeeds only when that address is allowed
  const stub = ((host: string, opts: dns.LookupOptions, cb: (err: Error | null, addrs: dns.LookupAddress[]) => void) => {
    if (host === 'data.example.test') return cb(null, [{ address: '127.0.0.1', family: 4 }])
    cb(Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' }), [])
  }) as unknown as typeof dns.lookup
  t.match(await refusal(getText(`http://data.example.test:${local.port}/`, { policy: outboundPolicy([], stub) })), /data\.example\.test is not a public address/)
  t.same(local.seen, [])
  const ok = await getText(`http://data.example.test:${local.port}/by-name`, { policy: outboundPolicy(['127.0.0.1'], stub) })
  t.equal(ok.status, 200, 'allowed by address: connected to the address the lookup returned')
  t.same(local.seen, ['/by-name'])
  const byHost = await getText(`http://data.example.test:${local.port}/by-host`, { policy: outboundPolicy(['data.example.test'], stub) })
  t.equal(byHost.status, 200, 'allowed by host name')
  t.equal((await getText(`http://127.0.0.2:${local.port}/any`, { policy: outboundPolicy(['*']) })).status, 200, '* allows everything')
})

t.test('every redirect hop is checked: an allowed host cannot redirect to a refused one', async (t) => {
  const local = await localServer(t)
  const policy = outboundPolicy(['127.0.0.1'])
  const base = `http://127.0.0.1:${local.port}`
  for (const target of [`http://127.0.0.2:${local.port}/secret`, `http://[::ffff:127.0.0.2]:${local.port}/secret`, `http://169.254.169.254/latest/meta-data/`]) {
    const message = await refusal(getText(`${base}/redirect?to=${encodeURIComponent(target)}`, { policy }))
    t.match(message, /is not a public address/, target)
  }
  t.notOk(local.seen.includes('/secret'), 'the refused hop was never requested')
  const allowed = await getText(`${base}/redirect?to=${encodeURIComponent(`${base}/fine`)}`, { policy })
  t.equal(allowed.status, 200, 'a redirect to an allowed host is followed')
  t.ok(local.seen.includes('/fine'))
})

t.test('harvesting: a source on this machine is refused unless FETCH_ALLOW_PRIVATE allows it', async (t) => {
  const local = await localServer(t)
  const strict = await testApp(t)
  await strict.ok('organization_create', { name: 'espejo' })
  for (const url of [`http://127.0.0.1:${local.port}`, 'http://[::1]/', 'http://169.254.169.254/latest/', 'http://localhost:8080/', 'http://10.1.2.3/catalog.ttl']) {
    const refused = await strict.call('harvest_source_create', { name: 'interna', title: 'Interna', url, source_type: 'ckan', owner_org: 'espejo' })
    t.equal(refused.statusCode, 409, `${url}: refused when the source is saved`)
    t.match(refused.json().error.url, [/is not a public address/])
  }
  // a host that passed then (a name, later pointing inside): refused when fetched
  const source = await createSource(strict, { name: 'interna', url: 'http://catalogo.example.org', source_type: 'ckan', owner_org: 'espejo' })
  await strict.db.kysely
    .updateTable('harvest_source')
    .set({ url: `http://127.0.0.1:${local.port}` })
    .where('id', '=', source)
    .execute()
  const job = await startJob(strict, source)
  await strict.app.harvest.runInline(job)
  const report = await jobReport(strict, job)
  t.equal(report.status, 'Finished')
  t.match(report.gatherErrors.join(' | '), /127\.0\.0\.1 is not a public address/)
  t.same(local.seen, [], 'nothing was requested')

  // allowed host, redirecting to a refused one (as a metadata endpoint would be)
  const lenient = await testApp(t, LOCAL_REMOTES)
  await lenient.ok('organization_create', { name: 'espejo' })
  const to = `http://127.0.0.2:${local.port}/api/3/action/package_search`
  const redirecting = await createSource(lenient, { name: 'redirige', url: `http://127.0.0.1:${local.port}/redirect?to=${encodeURIComponent(to)}`, source_type: 'dcat_json', owner_org: 'espejo' })
  const job2 = await startJob(lenient, redirecting)
  await lenient.app.harvest.runInline(job2)
  const r2 = await jobReport(lenient, job2)
  t.match(r2.gatherErrors.join(' | '), /127\.0\.0\.2 is not a public address/)
  t.notOk(r2.gatherErrors.join(' | ').includes('internal'), 'no remote body in the report')
  t.notOk(
    local.seen.some((p) => p.startsWith('/api/3/action/package_search')),
    'the redirect target was never requested',
  )
})

t.test('FETCH_ALLOW_PRIVATE: entries are checked at start', async (t) => {
  t.same(loadConfig({ FETCH_ALLOW_PRIVATE: ' 127.0.0.1, 10.0.0.0/8 ,ckan.intranet., ::1 ' }).fetchAllowPrivate, ['127.0.0.1', '10.0.0.0/8', 'ckan.intranet', '::1'])
  t.same(loadConfig({}).fetchAllowPrivate, [], 'default: public addresses only')
  t.throws(() => loadConfig({ FETCH_ALLOW_PRIVATE: '127.0.0.1,http://x/' }), { message: /FETCH_ALLOW_PRIVATE not a host name, address or CIDR range: "http:\/\/x\/"/ })
})
