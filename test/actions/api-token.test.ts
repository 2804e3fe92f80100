import t from 'tap'
import { sql } from 'kysely'
import { testApp } from '../helpers/app.js'

const TS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?$/

async function withUser(t: Parameters<typeof testApp>[0], env: Record<string, string> = {}) {
  const app = await testApp(t, env)
  const u = await app.ok('user_create', { name: 'tok', email: 'tok@x.org', password: '12345678', with_apitoken: true })
  const o = await app.ok('user_create', { name: 'other', email: 'other@x.org', password: '12345678', with_apitoken: true })
  return { ...app, user: u, userToken: u.token as string, other: o, otherToken: o.token as string }
}

t.test('api_token_create, list, and the token works', async (t) => {
  const { call, ok, user, userToken, db } = await withUser(t)
  const res = await call('api_token_create', { user: 'tok', name: 'laptop' }, { token: userToken })
  t.equal(res.statusCode, 200, res.body)
  t.same(Object.keys(res.json()), ['help', 'success', 'result'])
  const created = res.json().result
  t.same(Object.keys(created), ['token'])
  t.match(created.token, /^\S{40,}$/)
  t.equal((await ok('user_show', {}, { token: created.token })).name, 'tok', 'the new token identifies its owner')

  const list = await ok('api_token_list', { user_id: 'tok' }, { token: userToken })
  t.same(
    list.map((x: any) => x.name),
    ['default', 'laptop'],
    'oldest first',
  )
  for (const x of list) {
    t.same(Object.keys(x), ['id', 'name', 'user_id', 'created_at', 'last_access'])
    t.equal(x.user_id, user.id)
    t.match(x.created_at, TS)
  }
  t.match(list[1].last_access, TS, 'used once: last_access set')
  t.same(
    await ok('api_token_list', { user: user.id }),
    list.map((x: any) => ({ ...x, last_access: x.last_access })),
    'legacy `user` and ids; sysadmins see anyone',
  )

  // last_access is written at most once a minute per token
  const before = (await db.kysely.selectFrom('api_token').select('last_access').where('id', '=', list[1].id).executeTakeFirstOrThrow()).last_access
  await ok('user_show', {}, { token: created.token })
  const after = (await db.kysely.selectFrom('api_token').select('last_access').where('id', '=', list[1].id).executeTakeFirstOrThrow()).last_access
  t.equal(after, before, 'not rewritten within the minute')
  await db.kysely.updateTable('api_token').set({ last_access: '2020-01-01T00:00:00' }).where('id', '=', list[1].id).execute()
  // a raw SQL change is invisible to the in-memory token cache; any action write clears it
  await ok('api_token_create', { user: 'tok', name: 'another' })
  await ok('user_show', {}, { token: created.token })
  const touched = (await db.kysely.selectFrom('api_token').select('last_access').where('id', '=', list[1].id).executeTakeFirstOrThrow()).last_access
  t.ok(touched! > '2024', 'rewritten once it is older than a minute')
  const active = await ok('user_show', { id: 'tok' })
  t.match(active.last_active, TS, "the owner's last_active follows")
})

t.test('api_token_create: validation, not found, authorization', async (t) => {
  const { call, userToken, otherToken } = await withUser(t)
  const missing = await call('api_token_create', {}, { token: userToken })
  t.equal(missing.statusCode, 409)
  t.same(missing.json().error, { __type: 'Validation Error', user: ['Missing value'], name: ['Missing value'] })
  t.same((await call('api_token_create', { user: 'tok', name: '' }, { token: userToken })).json().error.name, ['Missing value'])
  const nf = await call('api_token_create', { user: 'nobody', name: 'x' }, { token: userToken })
  t.equal(nf.statusCode, 404)
  t.same(nf.json().error, { __type: 'Not Found Error', message: 'Not found: User not found' })
  const anon = await call('api_token_create', { user: 'tok', name: 'x' }, { token: null })
  t.same(anon.json().error, { __type: 'Authorization Error', message: 'Access denied: Action api_token_create requires an authenticated user' })
  const notMine = await call('api_token_create', { user: 'tok', name: 'x' }, { token: otherToken })
  t.equal(notMine.statusCode, 403)
  t.same(notMine.json().error, { __type: 'Authorization Error', message: 'Access denied' })
  const admin = await call('api_token_create', { user: 'tok', name: 'by-admin' })
  t.equal(admin.statusCode, 200, 'sysadmins create tokens for anyone')
  const get = await call('api_token_list', { user_id: 'tok' }, { token: null })
  t.equal(get.statusCode, 403, 'anonymous cannot list')
  t.same(get.json().error, { __type: 'Authorization Error', message: 'Access denied' })
  t.equal((await call('api_token_list', { user_id: 'tok' }, { token: otherToken })).statusCode, 403)
  t.equal((await call('api_token_list', { user_id: 'nobody' }, { token: otherToken })).statusCode, 403, 'unknown user: 403 before 404')
  const nfAdmin = await call('api_token_list', { user_id: 'nobody' })
  t.same(nfAdmin.json().error, { __type: 'Not Found Error', message: 'Not found: User not found' })
  t.same((await call('api_token_list', {})).json().error, { __type: 'Validation Error', user_id: ['Missing value'] })
})

t.test('expiry: expires_in × unit, expires_at; an expired token is anonymous', async (t) => {
  const { call, ok, userToken, db } = await withUser(t)
  const errs = async (body: Record<string, unknown>) => (await call('api_token_create', { user: 'tok', name: 'e', ...body }, { token: userToken })).json().error
  t.same((await errs({ expires_in: 0 })).expires_in, ['Must be a positive integer'])
  t.same((await errs({ expires_in: 'soon' })).expires_in, ['Invalid integer'])
  t.same((await errs({ expires_in: 1, unit: 0 })).unit, ['Must be a positive integer'])
  t.same((await errs({ expires_in: 1000, unit: 86400 * 365 })).expires_in, ['Must be at most 100 years'])
  t.same((await errs({ expires_at: 'tomorrow' })).expires_at, ['Date format incorrect'])
  t.same((await errs({ expires_at: '2001-01-01T00:00:00' })).expires_at, ['Must be in the future'])
  t.same((await errs({ expires_at: '2999-01-01', expires_in: 5 })).expires_at, ['Give expires_in or expires_at, not both'])

  const hour = (await ok('api_token_create', { user: 'tok', name: 'hour', expires_in: 1, unit: 3600 }, { token: userToken })).token
  const row = await db.kysely.selectFrom('api_token').select('expires_at').where('name', '=', 'hour').executeTakeFirstOrThrow()
  const ms = Date.parse(`${row.expires_at}Z`) - Date.now()
  t.ok(ms > 3590_000 && ms <= 3600_000, `expires in an hour (${ms} ms)`)
  t.equal((await ok('user_show', {}, { token: hour })).name, 'tok')
  const fixed = await ok('api_token_create', { user: 'tok', name: 'fixed', expires_at: '2099-05-01T10:00:00+02:00' }, { token: userToken })
  const fixedRow = await db.kysely.selectFrom('api_token').select('expires_at').where('name', '=', 'fixed').executeTakeFirstOrThrow()
  t.equal(fixedRow.expires_at, '2099-05-01T08:00:00', 'stored in UTC')
  t.equal((await ok('user_show', {}, { token: fixed.token })).name, 'tok')

  // expire it: reads run anonymously, writes are refused with CKAN's message
  await db.kysely.updateTable('api_token').set({ expires_at: '2001-01-01T00:00:00' }).where('name', '=', 'hour').execute()
  const read = await call('user_show', { id: 'tok' }, { token: hour })
  t.equal(read.statusCode, 200)
  t.notOk('email' in read.json().result, 'an expired token does not act as the user on reads')
  const write = await call('api_token_create', { user: 'tok', name: 'x' }, { token: hour })
  t.equal(write.statusCode, 403)
  t.same(write.json().error, { __type: 'Authorization Error', message: 'Access denied: Action api_token_create requires an authenticated user' })
  const pkg = await call('package_create', { name: 'x-ds' }, { token: hour })
  t.equal(pkg.statusCode, 403)
  t.match(pkg.json().error.message, /^Access denied/)
})

t.test('api_token_revoke by jti or token; revoked tokens stop working', async (t) => {
  const { call, ok, userToken, otherToken } = await withUser(t)
  const a = (await ok('api_token_create', { user: 'tok', name: 'a' }, { token: userToken })).token
  const b = (await ok('api_token_create', { user: 'tok', name: 'b' }, { token: userToken })).token
  const list = await ok('api_token_list', { user_id: 'tok' }, { token: userToken })
  const jtiA = list.find((x: any) => x.name === 'a').id

  t.same((await call('api_token_revoke', {}, { token: userToken })).json().error, { __type: 'Validation Error', token: ['Missing value'] })
  const anon = await call('api_token_revoke', { jti: jtiA }, { token: null })
  t.same(anon.json().error, { __type: 'Authorization Error', message: 'Access denied: Action api_token_revoke requires an authenticated user' })
  const notMine = await call('api_token_revoke', { jti: jtiA }, { token: otherToken })
  t.same(notMine.json().error, { __type: 'Authorization Error', message: 'Access denied' })
  const unknown = await call('api_token_revoke', { jti: 'no-such-id' }, { token: otherToken })
  t.same(unknown.json().error, { __type: 'Authorization Error', message: 'Access denied' }, 'unknown is indistinguishable from not yours')
  t.same((await call('api_token_revoke', { token: 'garbage' }, { token: otherToken })).statusCode, 403)

  const res = await call('api_token_revoke', { jti: jtiA }, { token: userToken })
  t.equal(res.statusCode, 200)
  t.same(res.json().result, null)
  await ok('api_token_revoke', { token: b }, { token: userToken })
  t.same(
    (await ok('api_token_list', { user_id: 'tok' }, { token: userToken })).map((x: any) => x.name),
    ['default'],
  )

  for (const revoked of [a, b]) {
    const read = await call('user_show', { id: 'tok' }, { token: revoked })
    t.equal(read.statusCode, 200, 'public reads still answer')
    t.notOk('email' in read.json().result, 'but never as the user')
    t.equal((await call('user_show', {}, { token: revoked })).statusCode, 404, 'no caller')
    const write = await call('user_update', { id: 'tok', email: 'tok@x.org' }, { token: revoked })
    t.equal(write.statusCode, 403)
    t.same(write.json().error.message, 'Access denied: Have to be logged in to edit user')
  }
  t.equal(await ok('api_token_revoke', { jti: 'no-such-id' }), null, 'sysadmins: unknown jti is a no-op')
})

t.test('tokens and passwords are stored hashed: no table holds them', async (t) => {
  const { ok, db, userToken, otherToken, sysadminToken } = await withUser(t)
  const extra = (await ok('api_token_create', { user: 'tok', name: 'extra', expires_in: 60 }, { token: userToken })).token
  const secrets = [userToken, otherToken, sysadminToken, extra, '12345678']
  const tables = await sql<{ tablename: string }>`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`.execute(db.kysely)
  t.ok(tables.rows.length >= 5)
  let dump = ''
  for (const { tablename } of tables.rows) {
    const rows = await sql<{ r: string }>`SELECT row_to_json(x)::text AS r FROM ${sql.table(tablename)} x`.execute(db.kysely)
    dump += rows.rows.map((r) => r.r).join('\n')
  }
  t.ok(dump.includes('tok@x.org'), 'the dump has the data')
  for (const s of secrets) t.notOk(dump.includes(s), `secret ${s.slice(0, 6)}… absent`)
})
