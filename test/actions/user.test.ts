import t from 'tap'
import { createHash } from 'node:crypto'
import { testApp } from '../helpers/app.js'
import { verifyPassword, hashPassword } from '../../src/auth/passwords.js'

const TS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?$/
const PUBLIC_KEYS = ['id', 'name', 'fullname', 'created', 'about', 'last_active', 'activity_streams_email_notifications', 'sysadmin', 'state', 'image_url', 'display_name', 'email_hash', 'number_created_packages', 'image_display_url']
const md5 = (s: string) => createHash('md5').update(s).digest('hex')

t.test('user_create by a sysadmin: the dict, email shown, password hashed', async (t) => {
  const { call, ok, db } = await testApp(t)
  const res = await call('user_create', { name: 'alice', email: ' Alice@Example.org ', password: 'correct horse', fullname: 'Alice A', about: 'hi' })
  t.equal(res.statusCode, 200, res.body)
  const body = res.json()
  t.same(Object.keys(body), ['help', 'success', 'result'])
  t.equal(body.help, 'http://test.local/api/3/action/help_show?name=user_create')
  const u = body.result
  t.same(Object.keys(u), [
    'id',
    'name',
    'fullname',
    'created',
    'about',
    'last_active',
    'activity_streams_email_notifications',
    'sysadmin',
    'state',
    'image_url',
    'display_name',
    'email_hash',
    'number_created_packages',
    'email',
    'apikey',
    'image_display_url',
  ])
  t.match(u.id, /^[0-9a-f-]{36}$/)
  t.match(u.created, TS)
  t.equal(u.name, 'alice')
  t.equal(u.fullname, 'Alice A')
  t.equal(u.display_name, 'Alice A')
  t.equal(u.email, 'Alice@Example.org', 'email stripped')
  t.equal(u.email_hash, md5('alice@example.org'))
  t.equal(u.apikey, null)
  t.equal(u.sysadmin, false)
  t.equal(u.state, 'active')
  t.equal(u.number_created_packages, 0)
  t.equal(u.activity_streams_email_notifications, false)
  t.equal(u.last_active, null)
  t.equal(u.image_display_url, null)
  t.notOk('password' in u || 'password_hash' in u)

  const row = await db.kysely.selectFrom('user').selectAll().where('name', '=', 'alice').executeTakeFirstOrThrow()
  t.match(row.password_hash, /^\$scrypt\$ln=15,r=8,p=1\$/)
  t.notMatch(row.password_hash, 'correct horse')
  t.ok(await verifyPassword('correct horse', row.password_hash))
  t.notOk(await verifyPassword('wrong horse', row.password_hash))

  // others see the public dict; self and sysadmins see email
  const anon = await ok('user_show', { id: 'alice' }, { token: null })
  t.same(Object.keys(anon), PUBLIC_KEYS)
  t.equal(anon.display_name, 'Alice A')
  const asAdmin = await ok('user_show', { id: u.id })
  t.equal(asAdmin.email, 'Alice@Example.org')
  t.notOk('password_hash' in asAdmin)
  const withHash = await ok('user_show', { id: 'alice', include_password_hash: true })
  t.equal(withHash.password_hash, row.password_hash, 'sysadmins get the hash only when they ask')
  const anonHash = await ok('user_show', { id: 'alice', include_password_hash: true }, { token: null })
  t.notOk('password_hash' in anonHash, 'silently ignored for others')
})

t.test('user_create: with_apitoken, sysadmin-only fields, password_hash import', async (t) => {
  const { ok, call } = await testApp(t)
  const u = await ok('user_create', { name: 'bob', email: 'bob@x.org', password: '12345678', with_apitoken: true, sysadmin: true, plugin_extras: { p: { a: 1 } }, id: '3f2b7e1c-9f3a-4c55-8a35-1b2c3d4e5f60' })
  t.match(u.token, /^\S{20,}$/)
  t.equal(u.sysadmin, true)
  t.same(u.plugin_extras, { p: { a: 1 } })
  t.equal(u.id, '3f2b7e1c-9f3a-4c55-8a35-1b2c3d4e5f60')
  const me = await ok('user_show', {}, { token: u.token })
  t.equal(me.name, 'bob', 'user_show without id is the caller')
  t.equal(me.email, 'bob@x.org')
  // a taken id is silently dropped
  const c = await ok('user_create', { name: 'carol', email: 'carol@x.org', password: '12345678', id: u.id })
  t.not(c.id, u.id)
  // CKAN's pbkdf2 hashes verify (passlib format)
  // passlib's pbkdf2_sha512 of "secret-pass" (computed with Python's hashlib, passlib's ab64 encoding)
  const imported = '$pbkdf2-sha512$25000$gHAOwbgXwtg7h1DKOSckhA$5.WO4lKwa/uEsjtjg2/0omn2VXv8vqQcK.uqHqXAa4MsPs9bonVpz.CwbuZeAD6D/pS2pyhODm6lwRbXPOU76Q'
  const d = await ok('user_create', { name: 'dave', email: 'dave@x.org', password_hash: imported })
  const shown = await ok('user_show', { id: d.id, include_password_hash: true })
  t.equal(shown.password_hash, imported)
  t.ok(await verifyPassword('secret-pass', imported), 'CKAN (passlib) hashes verify')
  t.notOk(await verifyPassword('secret-pasS', imported))
  const hash = await hashPassword('x'.repeat(10))
  t.ok(await verifyPassword('x'.repeat(10), hash))
  t.notOk(await verifyPassword('x', 'garbage'))
  const pending = await ok('user_create', { name: 'pend', email: 'pend@x.org', password: '12345678', state: 'pending' })
  t.equal(pending.state, 'pending')
  const noPw = await call('user_create', { name: 'eve', email: 'eve@x.org' })
  t.same(noPw.json().error.password, ['Missing value'])
})

t.test('user_create validation messages', async (t) => {
  const { call, ok } = await testApp(t)
  await ok('user_create', { name: 'taken', email: 'taken@x.org', password: '12345678' })
  const err = async (body: Record<string, unknown>) => {
    const res = await call('user_create', { name: 'ok-name', email: 'ok@x.org', password: '12345678', ...body })
    t.equal(res.statusCode, 409, JSON.stringify(body))
    t.equal(res.json().success, false)
    t.equal(res.json().error.__type, 'Validation Error')
    return res.json().error
  }
  t.same((await err({ name: undefined })).name, ['Missing value'])
  t.same((await err({ name: '' })).name, ['Missing value'])
  t.same((await err({ name: 'x' })).name, ['Must be at least 2 characters long'])
  t.same((await err({ name: 'a'.repeat(101) })).name, ['Name must be a maximum of 100 characters long'])
  t.same((await err({ name: 'Bad Name' })).name, ['Must be purely lowercase alphanumeric (ascii) characters and these symbols: -_'])
  t.same((await err({ name: 'new' })).name, ['That name cannot be used'])
  t.same((await err({ name: 5 })).name, ['Names must be strings'])
  t.same((await err({ name: 'taken' })).name, ['That login name is not available.'])
  t.same((await err({ email: undefined })).email, ['Missing value'])
  t.same((await err({ email: '' })).email, ['Missing value'])
  t.same((await err({ email: 'nope' })).email, ['Email nope is not a valid format'])
  t.same((await err({ email: 'a..b@x.org' })).email, ['Email a..b@x.org is not a valid format'])
  t.same((await err({ email: 'TAKEN@x.org' })).email, ["The email address 'TAKEN@x.org' belongs to a registered user."])
  t.same((await err({ password: 'short' })).password, ['Your password must be 8 characters or longer'])
  t.same((await err({ password: '' })).password, ['Missing value'])
  t.same((await err({ password: 12345678 })).password, ['Passwords must be strings'])
  t.same((await err({ about: 'see https://spam.example' })).about, ['Edit not allowed as it looks like spam. Please avoid links in your description.'])
  t.same((await err({ id: 'not-a-uuid' })).id, ['Invalid id provided'])
  t.same((await err({ state: 'weird' })).state, ['Value must be one of active, pending, deleted'])
  t.same((await err({ plugin_extras: [1] })).plugin_extras, ['The value should be a valid JSON object'])
  t.same(Object.keys(await err({ name: 'x', email: 'bad', password: 'short' })).sort(), ['__type', 'email', 'name', 'password'], 'all at once')
  // concurrent creates of one name: one wins, the rest get the validation message
  const results = await Promise.all(Array.from({ length: 5 }, (_, i) => call('user_create', { name: 'race', email: `r${i}@x.org`, password: '12345678' })))
  t.same(results.map((r) => r.statusCode).sort(), [200, 409, 409, 409, 409])
  for (const r of results.filter((r) => r.statusCode === 409)) t.same(r.json().error.name, ['That login name is not available.'])
})

t.test('user_create authorization: sysadmins only unless CREATE_USER_VIA_API', async (t) => {
  const { call, ok } = await testApp(t)
  const u = await ok('user_create', { name: 'plain', email: 'p@x.org', password: '12345678', with_apitoken: true })
  const anon = await call('user_create', { name: 'new-one', email: 'n@x.org', password: '12345678' }, { token: null })
  t.equal(anon.statusCode, 403)
  t.same(anon.json().error, { __type: 'Authorization Error', message: 'Access denied: User  not authorized to create users via the API' })
  const plain = await call('user_create', { name: 'new-one', email: 'n@x.org', password: '12345678' }, { token: u.token })
  t.same(plain.json().error.message, 'Access denied: User plain not authorized to create users via the API')

  const open = await testApp(t, { CREATE_USER_VIA_API: 'true' })
  const self = await open.call('user_create', { name: 'self-made', email: 's@x.org', password: '12345678', sysadmin: true, id: '3f2b7e1c-9f3a-4c55-8a35-1b2c3d4e5f61', with_apitoken: true }, { token: null })
  t.equal(self.statusCode, 200, self.body)
  const r = self.json().result
  t.equal(r.sysadmin, false, 'sysadmin ignored for non-sysadmins')
  t.not(r.id, '3f2b7e1c-9f3a-4c55-8a35-1b2c3d4e5f61', 'id ignored for non-sysadmins')
  t.equal(r.email, 's@x.org', 'the created user always sees its email')
  t.match(r.token, /^\S{20,}$/)
  t.equal((await open.ok('user_show', {}, { token: r.token })).name, 'self-made')
})

t.test('user_show: not found, counts, datasets', async (t) => {
  const { call, ok, db } = await testApp(t)
  const nf = await call('user_show', { id: 'nobody' })
  t.equal(nf.statusCode, 404)
  t.same(nf.json().error, { __type: 'Not Found Error', message: 'Not found' })
  const anonNoId = await call('user_show', {}, { token: null })
  t.equal(anonNoId.statusCode, 404)
  const u = await ok('user_create', { name: 'writer', email: 'w@x.org', password: '12345678', with_apitoken: true })
  const now = '2024-01-01T00:00:00'
  for (const [name, priv, state] of [
    ['pub', false, 'active'],
    ['priv', true, 'active'],
    ['drafty', false, 'draft'],
    ['gone', false, 'deleted'],
  ] as const) {
    await db.kysely
      .insertInto('package')
      .values({
        id: `id-${name}`,
        name,
        title: name,
        notes: null,
        url: null,
        version: null,
        author: null,
        author_email: null,
        maintainer: null,
        maintainer_email: null,
        license_id: null,
        owner_org: null,
        private: priv,
        state,
        type: 'dataset',
        creator_user_id: u.id,
        metadata_created: now,
        metadata_modified: now,
        plugin_data: null,
      })
      .execute()
  }
  t.equal((await ok('user_show', { id: 'writer' }, { token: null })).number_created_packages, 1, 'public active only for others')
  t.equal((await ok('user_show', { id: 'writer' }, { token: u.token })).number_created_packages, 3, 'private and drafts for self')
  t.equal((await ok('user_show', { id: 'writer' })).number_created_packages, 3, 'and for sysadmins')
  const withDs = await ok('user_show', { id: 'writer', include_datasets: true, include_num_followers: true }, { token: null })
  t.same(
    withDs.datasets.map((d: any) => d.name),
    ['pub'],
  )
  t.equal(withDs.num_followers, 0)
  const own = await ok('user_show', { id: 'writer', include_datasets: 'true' }, { token: u.token })
  t.same(own.datasets.map((d: any) => d.name).sort(), ['drafty', 'priv', 'pub'])
  t.equal((await ok('user_list', {}, { token: null })).find((x: any) => x.name === 'writer').number_created_packages, 1)
})

t.test('user_list: order, q, email, all_fields, paging, deleted users hidden', async (t) => {
  const { call, ok } = await testApp(t)
  const z = await ok('user_create', { name: 'zed', email: 'zed@x.org', password: '12345678', fullname: 'Aaron Zed', with_apitoken: true })
  await ok('user_create', { name: 'bea', email: 'bea@y.org', password: '12345678' })
  await ok('user_create', { name: 'carl', email: 'carl@x.org', password: '12345678', fullname: 'carl c' })
  await ok('user_create', { name: 'dropped', email: 'drop@x.org', password: '12345678' })
  await ok('user_delete', { id: 'dropped' })
  const names = (r: any[]) => r.map((u) => u.name)
  t.same(names(await ok('user_list', {}, { token: null })), ['zed', 'admin', 'bea', 'carl'], 'by display_name')
  t.same(await ok('user_list', { all_fields: false, order_by: 'name' }, { token: null }), ['admin', 'bea', 'carl', 'zed'])
  t.same(await ok('user_list', { all_fields: false, order_by: 'name', limit: 2, offset: 1 }, { token: null }), ['bea', 'carl'])
  t.same(await ok('user_list', { all_fields: false, q: 'CAR' }, { token: null }), ['carl'])
  t.same(await ok('user_list', { all_fields: false, q: 'y.org' }, { token: null }), [], 'others cannot search e-mails')
  t.same(await ok('user_list', { all_fields: false, q: 'y.org' }), ['bea'], 'sysadmins can')
  t.same(await ok('user_list', { all_fields: false, q: '%' }), [], 'q is literal text')
  t.same(await ok('user_list', { all_fields: false, email: 'carl@x.org' }), ['carl'])
  const denied = await call('user_list', { email: 'carl@x.org' }, { token: null })
  t.equal(denied.statusCode, 403)
  t.same(denied.json().error, { __type: 'Authorization Error', message: 'Access denied' })
  const edits = await call('user_list', { order_by: 'edits' })
  t.equal(edits.statusCode, 409)
  t.same(edits.json().error, { __type: 'Validation Error', message: 'order_by=edits is no longer supported' })
  const anonList = await ok('user_list', {}, { token: null })
  t.ok(
    anonList.every((u: any) => !('email' in u)),
    'no emails for anonymous',
  )
  t.same(Object.keys(anonList[0]), PUBLIC_KEYS)
  const asZed = await ok('user_list', {}, { token: z.token })
  t.same(
    asZed.filter((u: any) => 'email' in u).map((u: any) => u.name),
    ['zed'],
    'a user sees only its own email',
  )
  t.ok(
    (await ok('user_list', {})).every((u: any) => 'email' in u),
    'sysadmins see every email',
  )
  const bad = await call('user_list', { limit: -1 })
  t.equal(bad.statusCode, 409)
})

t.test('user_autocomplete', async (t) => {
  const { call, ok } = await testApp(t)
  const a = await ok('user_create', { name: 'anna', email: 'anna@x.org', password: '12345678', fullname: 'Anna Smith', with_apitoken: true })
  await ok('user_create', { name: 'hannah', email: 'h@x.org', password: '12345678' })
  await ok('user_create', { name: 'gone-ann', email: 'g@x.org', password: '12345678' })
  await ok('user_delete', { id: 'gone-ann' })
  const r = await ok('user_autocomplete', { q: 'ann' }, { token: null })
  t.same(r, [
    { id: a.id, name: 'anna', fullname: 'Anna Smith' },
    { id: r[1].id, name: 'hannah', fullname: null },
  ])
  t.same(
    (await ok('user_autocomplete', { q: 'ann', ignore_self: true }, { token: a.token })).map((u: any) => u.name),
    ['hannah'],
  )
  t.same((await ok('user_autocomplete', { q: 'ann', limit: 1 }, { token: null })).length, 1)
  const missing = await call('user_autocomplete', {})
  t.same(missing.json().error.q, ['Missing value'])
})

t.test('user_update and user_patch', async (t) => {
  const { call, ok } = await testApp(t)
  const u = await ok('user_create', { name: 'upd', email: 'upd@x.org', password: '12345678', fullname: 'Up D', about: 'me', with_apitoken: true })
  const other = await ok('user_create', { name: 'other', email: 'other@x.org', password: '12345678', with_apitoken: true })

  const self = await ok('user_update', { id: 'upd', email: 'new@x.org', about: 'changed' }, { token: u.token })
  t.equal(self.email, 'new@x.org')
  t.equal(self.about, 'changed')
  t.equal(self.fullname, 'Up D', 'fields not sent are kept (CKAN 2.11)')
  t.notOk('token' in self)
  const missingEmail = await call('user_update', { id: 'upd', fullname: 'x' }, { token: u.token })
  t.same(missingEmail.json().error.email, ['Missing value'])
  const rename = await call('user_update', { id: 'upd', email: 'new@x.org', name: 'renamed' }, { token: u.token })
  t.same(rename.json().error.name, ['That login name can not be modified.'])
  const taken = await call('user_update', { id: 'upd', email: 'new@x.org', name: 'other' })
  t.same(taken.json().error.name, ['That login name is not available.'])
  const emailTaken = await call('user_update', { id: 'upd', email: 'OTHER@x.org' }, { token: u.token })
  t.same(emailTaken.json().error.email, ["The email address 'OTHER@x.org' belongs to a registered user."])
  const promote = await ok('user_update', { id: 'upd', email: 'new@x.org', sysadmin: true }, { token: u.token })
  t.equal(promote.sysadmin, false, 'sysadmin ignored for non-sysadmins')
  const pw = await call('user_update', { id: 'upd', email: 'new@x.org', password: 'short' }, { token: u.token })
  t.same(pw.json().error.password, ['Your password must be 8 characters or longer'])

  const byAdmin = await ok('user_update', { id: u.id, email: 'new@x.org', name: 'renamed', password: '' })
  t.equal(byAdmin.name, 'renamed', 'sysadmins may rename')
  const ownSysadmin = await call('user_update', { id: 'admin', email: 'admin@x.org', sysadmin: false })
  t.same(ownSysadmin.json().error.sysadmin, ['Cannot modify your own sysadmin privileges'])

  const nf = await call('user_update', { id: 'nope', email: 'a@x.org' }, { token: null })
  t.equal(nf.statusCode, 404)
  t.same(nf.json().error, { __type: 'Not Found Error', message: 'Not found: User was not found.' })
  const noId = await call('user_update', { email: 'a@x.org' })
  t.same(noId.json().error.id, ['Missing value'])
  const anon = await call('user_update', { id: 'renamed', email: 'new@x.org' }, { token: null })
  t.same(anon.json().error, { __type: 'Authorization Error', message: 'Access denied: Have to be logged in to edit user' })
  const notMine = await call('user_update', { id: 'renamed', email: 'new@x.org' }, { token: other.token })
  t.equal(notMine.statusCode, 403)
  t.same(notMine.json().error.message, `Access denied: User other not authorized to edit user ${u.id}`)

  const patched = await ok('user_patch', { id: 'renamed', fullname: 'Patched' }, { token: u.token })
  t.equal(patched.fullname, 'Patched')
  t.equal(patched.email, 'new@x.org', 'patch keeps the email')
  t.equal(patched.about, 'changed')
  const pnf = await call('user_patch', { id: 'nope', fullname: 'x' }, { token: other.token })
  t.same(pnf.json().error, { __type: 'Authorization Error', message: 'Access denied: User not found' })
  const pnfAdmin = await call('user_patch', { id: 'nope', fullname: 'x' })
  t.equal(pnfAdmin.statusCode, 404)
  const pOther = await call('user_patch', { id: 'renamed', fullname: 'x' }, { token: other.token })
  t.equal(pOther.statusCode, 403)
})

t.test('user_delete: sysadmins only; deleted users cannot act', async (t) => {
  const { call, ok, db } = await testApp(t)
  const u = await ok('user_create', { name: 'doomed', email: 'd@x.org', password: '12345678', with_apitoken: true })
  const orgId = 'org-1'
  await db.kysely.insertInto('group').values({ id: orgId, name: 'org1', type: 'organization', is_organization: true, created: '2024-01-01T00:00:00' }).execute()
  await db.kysely.insertInto('member').values({ id: 'm1', group_id: orgId, table_name: 'user', table_id: u.id, capacity: 'editor' }).execute()
  const anon = await call('user_delete', { id: 'doomed' }, { token: null })
  t.same(anon.json().error, { __type: 'Authorization Error', message: 'Access denied: Action user_delete requires an authenticated user' })
  const self = await call('user_delete', { id: 'doomed' }, { token: u.token })
  t.same(self.json().error, { __type: 'Authorization Error', message: 'Access denied' })
  const nf = await call('user_delete', { id: 'nobody' })
  t.same(nf.json().error, { __type: 'Not Found Error', message: 'Not found: User "nobody" was not found.' })
  const res = await call('user_delete', { id: 'doomed' })
  t.equal(res.statusCode, 200)
  t.equal(res.json().result, null)
  const shown = await ok('user_show', { id: 'doomed' })
  t.equal(shown.state, 'deleted')
  const m = await db.kysely.selectFrom('member').select('state').where('id', '=', 'm1').executeTakeFirstOrThrow()
  t.equal(m.state, 'deleted', 'memberships removed')
  // the deleted user's token no longer identifies anyone
  const me = await call('user_show', {}, { token: u.token })
  t.equal(me.statusCode, 404, 'anonymous: no caller to show')
  const write = await call('api_token_create', { user: 'doomed', name: 'x' }, { token: u.token })
  t.equal(write.statusCode, 403)
  const again = await call('user_create', { name: 'doomed', email: 'd2@x.org', password: '12345678' })
  t.same(again.json().error.name, ['That login name is not available.'], 'the name stays taken')
  const sameEmail = await ok('user_create', { name: 'reborn', email: 'd@x.org', password: '12345678' })
  t.equal(sameEmail.email, 'd@x.org', "a deleted user's email is free again")
})

t.test("user_show include_datasets applies the visibility rule to the user's own datasets", async (t) => {
  const { ok } = await testApp(t)
  await ok('organization_create', { name: 'org-v' })
  await ok('user_create', { name: 'ex-editor', email: 'ex@example.org', password: 'ex-password-1' })
  const { token } = await ok('api_token_create', { user: 'ex-editor', name: 't' })
  await ok('organization_member_create', { id: 'org-v', username: 'ex-editor', role: 'editor' })
  await ok('package_create', { name: 'secret-own', owner_org: 'org-v', private: true }, { token })
  await ok('package_create', { name: 'open-own', owner_org: 'org-v' }, { token })
  const before = await ok('user_show', { id: 'ex-editor', include_datasets: true }, { token })
  t.same(before.datasets.map((d: any) => d.name).sort(), ['open-own', 'secret-own'], 'a member sees its private dataset')
  await ok('organization_member_delete', { id: 'org-v', username: 'ex-editor' })
  const after = await ok('user_show', { id: 'ex-editor', include_datasets: true }, { token })
  t.same(
    after.datasets.map((d: any) => d.name),
    ['open-own'],
    'once out of the organization, its private dataset is hidden, as in package_show',
  )
})
