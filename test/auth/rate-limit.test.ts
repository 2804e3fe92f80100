import t from 'tap'
import { testApp } from '../helpers/app.js'

t.test('failed authentications are limited per client IP', async (t) => {
  const { app, sysadminToken } = await testApp(t, { AUTH_RATE_LIMIT_PER_MINUTE: '3' })
  const get = (token: string | null, ip = '10.0.0.1') =>
    app.inject({ method: 'GET', url: '/api/3/action/status_show', remoteAddress: ip, headers: token ? { authorization: token } : {} })

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
  t.equal((await get(sysadminToken)).statusCode, 429, 'while limited, a correct token is not revealed either')
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
