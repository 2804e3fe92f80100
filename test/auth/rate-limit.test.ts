import t from 'tap'
import { testApp } from '../helpers/app.js'

t.test('failed authentications are limited per client IP', async (t) => {
  const { app, sysadminToken } = await testApp(t, { AUTH_RATE_LIMIT_PER_MINUTE: '3' })
  const get = (token: string | null, ip = '10.0.0.1') => app.inject({ method: 'GET', url: '/api/3/action/status_show', remoteAddress: ip, headers: token ? { authorization: token } : {} })

  for (let i = 0; i < 5; i++) t.equal((await get(sysadminToken)).statusCode, 200, 'valid tokens never count')
  for (let i = 0; i < 3; i++) t.equal((await get(`bad-${i}`)).statusCode, 200, `failure ${i + 1} is answered (anonymously)`)
  const limited = await get('bad-4')
  t.equal(limited.statusCode, 429)
  t.match(limited.headers['content-type'], /^application\/json/)
  t.ok(Number(limited.headers['retry-after']) >= 1 && Number(limited.headers['retry-after']) <= 60, `retry-after ${limited.headers['retry-after']}`)
  t.same(limited.json(), {
    help: 'http://test.local/api/3/action/help_show?name=status_show',
    success: false,
    error: { __type: 'Rate Limit Error', message: `Too many failed authentication attempts: retry in ${limited.headers['retry-after']} seconds` },
  })
  // behind a proxy every client has the proxy's IP: one client's bad tokens must not lock out the rest
  t.equal((await get(sysadminToken)).statusCode, 200, 'while limited, a valid token from the same IP is served')
  const write = await app.inject({ method: 'POST', url: '/api/3/action/organization_create', remoteAddress: '10.0.0.1', headers: { authorization: sysadminToken, 'content-type': 'application/json' }, payload: '{"name": "still-works"}' })
  t.equal(write.statusCode, 200, 'as its own user (a write only the sysadmin may make)')
  t.equal((await get('bad-5')).statusCode, 429, 'further bad tokens from that IP are still refused')
  t.equal((await get(null)).statusCode, 200, 'requests without a token are never limited')
  t.equal((await get('bad-x', '10.0.0.2')).statusCode, 200, 'other clients are not affected')
  const post = await app.inject({ method: 'POST', url: '/api/action/package_create', remoteAddress: '10.0.0.1', headers: { authorization: 'bad', 'content-type': 'application/json' }, payload: '{}' })
  t.equal(post.statusCode, 429)
  t.equal(post.json().help, 'http://test.local/api/3/action/help_show?name=package_create')
})

t.test('AUTH_RATE_LIMIT_PER_MINUTE=0 disables the limit; the default allows 30', async (t) => {
  const off = await testApp(t, { AUTH_RATE_LIMIT_PER_MINUTE: '0' })
  for (let i = 0; i < 40; i++) {
    const res = await off.app.inject({ method: 'GET', url: '/api/3/action/status_show', headers: { authorization: `bad-${i}` } })
    if (res.statusCode !== 200) t.fail(`request ${i}: ${res.statusCode}`)
  }
  const def = await testApp(t)
  t.equal(def.config.authRateLimitPerMinute, 30)
  const codes: number[] = []
  for (let i = 0; i < 31; i++) codes.push((await def.app.inject({ method: 'GET', url: '/api/3/action/status_show', headers: { authorization: `bad-${i}` } })).statusCode)
  t.same(codes.filter((c) => c === 200).length, 30)
  t.equal(codes[30], 429)
})

t.test('bad AUTH_RATE_LIMIT_PER_MINUTE is a config error', async (t) => {
  const { loadConfig } = await import('../../src/config.js')
  t.throws(() => loadConfig({ AUTH_RATE_LIMIT_PER_MINUTE: '-1' }), /AUTH_RATE_LIMIT_PER_MINUTE/)
  t.equal(loadConfig({ AUTH_RATE_LIMIT_PER_MINUTE: '5' }).authRateLimitPerMinute, 5)
  t.equal(loadConfig({}).createUserViaApi, false)
  t.equal(loadConfig({ CREATE_USER_VIA_API: 'true' }).createUserViaApi, true)
})

t.test('TRUST_PROXY: behind a proxy, failures are counted per forwarded client', async (t) => {
  const { app } = await testApp(t, { AUTH_RATE_LIMIT_PER_MINUTE: '2', TRUST_PROXY: '1' })
  const bad = (ip: string) => app.inject({ method: 'GET', url: '/api/3/action/status_show', headers: { authorization: 'nope', 'x-forwarded-for': ip } })
  for (let i = 0; i < 3; i++) await bad('203.0.113.1')
  t.equal((await bad('203.0.113.1')).statusCode, 429, 'the guessing client is limited')
  t.equal((await bad('203.0.113.2')).statusCode, 200, 'another client behind the same proxy is not')
})

t.test('WRITE_RATE_LIMIT_PER_MINUTE: writes are limited per token; reads and other tokens are not', async (t) => {
  const { app, db, ok, sysadminToken: adminToken, config } = await testApp(t, { WRITE_RATE_LIMIT_PER_MINUTE: '3' })
  t.equal(config.writeRateLimitPerMinute, 3)
  const { issueToken } = await import('../../src/auth/tokens.js')
  const { insertUser } = await import('../../src/actions/user/save.js')
  // a publisher: an editor of an organization
  const publisher = await insertUser(db.kysely, { name: 'publicadora' })
  await ok('organization_create', { name: 'casa', users: [{ name: 'publicadora', capacity: 'editor' }] })
  const { token: publisherToken } = await issueToken(db.kysely, publisher.id, 'first')
  const { token: second } = await issueToken(db.kysely, publisher.id, 'second')
  const post = (name: string, token: string, body: Record<string, unknown>, ip = '10.0.0.1') =>
    app.inject({ method: 'POST', url: `/api/3/action/${name}`, remoteAddress: ip, headers: { authorization: token, 'content-type': 'application/json' }, payload: JSON.stringify(body) })

  for (let i = 0; i < 3; i++) t.equal((await post('package_create', publisherToken, { name: `ds-${i}`, owner_org: 'casa' })).statusCode, 200, `write ${i + 1}`)
  const limited = await post('package_create', publisherToken, { name: 'ds-3', owner_org: 'casa' })
  t.equal(limited.statusCode, 429)
  const left = Number(limited.headers['retry-after'])
  t.ok(left >= 1 && left <= 60, `retry-after ${left}`)
  t.same(limited.json(), {
    help: 'http://test.local/api/3/action/help_show?name=package_create',
    success: false,
    error: { __type: 'Rate Limit Error', message: `Too many writes with this API token: retry in ${left} seconds` },
  })
  t.equal((await db.kysely.selectFrom('package').select('id').where('name', '=', 'ds-3').execute()).length, 0, 'the refused write did nothing')
  t.equal((await post('package_create', publisherToken, { name: 'ds-4', owner_org: 'casa' }, '10.9.9.9')).statusCode, 429, 'per token, whatever the IP')
  t.equal((await post('package_search', publisherToken, {})).statusCode, 200, 'POSTs of side-effect-free actions are reads')
  t.equal((await app.inject({ method: 'GET', url: '/api/3/action/organization_list', headers: { authorization: publisherToken } })).statusCode, 200, 'GETs too')
  t.equal((await post('package_create', second, { name: 'ds-5', owner_org: 'casa' })).statusCode, 200, "another token's writes are counted apart")
  for (let i = 0; i < 5; i++) {
    const res = await post('package_create', adminToken, { name: `admin-${i}`, owner_org: 'casa' })
    if (res.statusCode !== 200) t.fail(`sysadmin write ${i + 1}: ${res.statusCode}`)
  }
  t.pass("a sysadmin's writes are not limited (ckanapi load gives up at the first 429)")

  const def = await testApp(t)
  t.equal(def.config.writeRateLimitPerMinute, 3000, 'a generous default')
  const off = await testApp(t, { WRITE_RATE_LIMIT_PER_MINUTE: '0' })
  for (let i = 0; i < 5; i++) {
    const res = await off.call('organization_create', { name: `free-${i}` })
    if (res.statusCode !== 200) t.fail(`write ${i}: ${res.statusCode}`)
  }
  t.pass('0 turns the limit off')
})
