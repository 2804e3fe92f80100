import t from 'tap'
import { world } from '../auth/roles-fixtures.js'
import { SPACE_TS, insertJob, insertObject } from './action-fixtures.js'

const SOURCE = { name: 'remote-ckan', title: 'Remote CKAN', url: 'http://remote.example.org/', source_type: 'ckan', owner_org: 'org1' }

t.test('harvest_source_create: a dataset of type harvest plus its settings, shown at the top level', async (t) => {
  const w = await world(t)
  const s = await w.ok('harvest_source_create', { ...SOURCE, frequency: 'daily', config: '{"api_version": 3, "default_tags": [{"name": "h"}]}', notes: 'About' })
  t.equal(s.type, 'harvest')
  t.equal(s.url, 'http://remote.example.org/', 'the package url is the source url')
  t.equal(s.source_type, 'ckan')
  t.equal(s.frequency, 'DAILY', 'frequency upper-cased')
  t.equal(s.config, '{"api_version": 3, "default_tags": [{"name": "h"}]}')
  t.equal(s.api_version, 3, 'config keys copied to the top level')
  t.same(s.default_tags, [{ name: 'h' }])
  t.equal(s.active, true)
  t.same(s.status, { job_count: 0, last_job: null, total_datasets: 0 })
  t.equal(s.notes, 'About')
  t.notOk(
    s.extras.some((e: { key: string }) => ['source_type', 'frequency', 'config'].includes(e.key)),
    'harvest keys are not stored as extras',
  )

  const row = await w.db.kysely.selectFrom('harvest_source').selectAll().where('id', '=', s.id).executeTakeFirstOrThrow()
  t.equal(row.type, 'ckan')
  t.equal(row.frequency, 'DAILY')
  t.ok(row.next_run, 'next_run from the frequency')
  const inADay = Date.parse(row.next_run + 'Z') - Date.now()
  t.ok(inADay > 23 * 3600_000 && inADay <= 24 * 3600_000, `DAILY: next run in a day (${inADay} ms)`)

  const shown = await w.ok('package_show', { id: s.id }, { token: null })
  t.same(shown, s, 'package_show of a source has the same harvest keys')
  t.same(await w.ok('harvest_source_show', { id: 'remote-ckan' }, { token: null }), s, 'harvest_source_show by name')
  t.same(await w.ok('harvest_source_show', { url: 'http://remote.example.org/' }, { token: null }), s, 'harvest_source_show by url')
  const missing = await w.call('harvest_source_show', { url: 'http://nowhere.example.org/' })
  t.equal(missing.statusCode, 404)

  const manual = await w.ok('harvest_source_create', { ...SOURCE, name: 'manual', url: 'http://other.example.org' })
  t.equal(manual.frequency, 'MANUAL', 'frequency defaults to MANUAL')
  t.equal(manual.config, null)
  const manualRow = await w.db.kysely.selectFrom('harvest_source').select('next_run').where('id', '=', manual.id).executeTakeFirstOrThrow()
  t.equal(manualRow.next_run, null, 'MANUAL sources are never scheduled')
})

t.test('harvest_source_create: CKAN validation messages, naming the field', async (t) => {
  const w = await world(t)
  const fail = async (body: Record<string, unknown>) => {
    const res = await w.call('harvest_source_create', body)
    t.equal(res.statusCode, 409, JSON.stringify(body))
    const j = res.json()
    t.equal(j.error.__type, 'Validation Error')
    return j.error
  }
  const e1 = await fail({ owner_org: 'org1' })
  t.same(e1.url, ['Missing value'])
  t.same(e1.name, ['Missing value'])
  t.same(e1.source_type, ['Missing value'])

  const e2 = await fail({ ...SOURCE, source_type: 'csw' })
  t.same(e2.source_type, ["Unknown harvester type: csw. Registered types: ['ckan', 'dcat_rdf', 'dcat_json']"])
  const e3 = await fail({ ...SOURCE, frequency: 'hourly' })
  t.same(e3.frequency, ['Frequency hourly not recognised'])
  const e4 = await fail({ ...SOURCE, config: '{not json' })
  t.match(e4.config[0], /^Error parsing the configuration options: /)
  const e5 = await fail({ ...SOURCE, config: '{"force_all": "yes"}' })
  t.same(e5.config, ['Error parsing the configuration options: force_all must be boolean'])
  t.equal(await w.db.kysely.selectFrom('package').select('id').where('type', '=', 'harvest').executeTakeFirst(), undefined, 'nothing written by failed creates')

  await w.ok('harvest_source_create', SOURCE)
  const e6 = await fail({ ...SOURCE, name: 'again', url: 'http://remote.example.org:80/?q=1' })
  t.same(e6.url, ['There already is a Harvest Source for this URL (& config): url=http://remote.example.org config=None'], 'normalised url, same (empty) config')
  await w.ok('harvest_source_create', { ...SOURCE, name: 'again', url: 'http://remote.example.org', config: '{"api_version": 2}' }, undefined)
  const e7 = await fail({ ...SOURCE, name: 'third', url: 'http://remote.example.org/', config: '{"api_version": 2}' })
  t.same(e7.url, ['There already is a Harvest Source for this URL (& config): url=http://remote.example.org config={"api_version": 2}'])
  const e8 = await fail({ ...SOURCE, url: 'http://new.example.org' })
  t.same(e8.name, ['That URL is already in use.'], 'package validation still applies')
})

t.test('harvest_source_update / _patch / _delete', async (t) => {
  const w = await world(t)
  const s = await w.ok('harvest_source_create', { ...SOURCE, frequency: 'WEEKLY', config: '{"api_version": 2}' })
  const p = await w.ok('harvest_source_patch', { id: s.name, title: 'Renamed' })
  t.equal(p.title, 'Renamed')
  t.equal(p.frequency, 'WEEKLY', 'patch keeps the stored harvest keys')
  t.equal(p.config, '{"api_version": 2}')
  t.equal(p.source_type, 'ckan')

  const missing = await w.call('harvest_source_update', { id: s.id, name: s.name, owner_org: 'org1' })
  t.equal(missing.statusCode, 409)
  t.same(missing.json().error.url, ['Missing value'], 'update replaces: url is required again')
  t.same(missing.json().error.source_type, ['Missing value'])

  const u = await w.ok('harvest_source_update', { id: s.id, name: s.name, owner_org: 'org1', url: 'http://moved.example.org', source_type: 'dcat_rdf' })
  t.equal(u.url, 'http://moved.example.org')
  t.equal(u.source_type, 'dcat_rdf')
  t.equal(u.frequency, 'MANUAL')
  t.equal(u.config, null)
  t.equal(u.title, s.name, 'title not given: defaults to the name again')

  const bad = await w.call('harvest_source_patch', { id: s.id, frequency: 'sometimes' })
  t.equal(bad.statusCode, 409)
  t.same(bad.json().error.frequency, ['Frequency sometimes not recognised'])
  t.equal((await w.ok('harvest_source_show', { id: s.id })).frequency, 'MANUAL', 'a refused patch changes nothing')

  const plain = await w.dataset('public', 'plain')
  const notSource = await w.call('harvest_source_patch', { id: plain.id, title: 'x' })
  t.equal(notSource.statusCode, 404, 'a plain dataset is not a harvest source')
  t.equal((await w.ok('package_show', { id: plain.id })).type, 'dataset')

  const newJob = await insertJob(w.db.kysely, s.id, { status: 'New' })
  const done = await insertJob(w.db.kysely, s.id, { status: 'Finished' })
  t.equal(await w.ok('harvest_source_delete', { id: s.name }), null)
  const jobs = await w.db.kysely.selectFrom('harvest_job').select(['id', 'status']).where('source_id', '=', s.id).execute()
  t.equal(jobs.find((j) => j.id === newJob)?.status, 'Aborted', 'New jobs are aborted')
  t.equal(jobs.find((j) => j.id === done)?.status, 'Finished')
  const shown = await w.ok('harvest_source_show', { id: s.id })
  t.equal(shown.state, 'deleted')
  t.equal(shown.active, false)
  t.equal((await w.call('harvest_source_show', { id: s.id }, { token: null })).statusCode, 403, 'a deleted source is hidden from anonymous')
})

t.test('create then delete: the run job stays, its New sibling is aborted', async (t) => {
  const w = await world(t)
  const s = await w.ok('harvest_source_create', SOURCE)
  const job = await w.ok('harvest_job_create', { source_id: s.id, run: false })
  t.equal(job.status, 'New')
  await w.ok('harvest_source_delete', { id: s.id })
  t.equal((await w.ok('harvest_job_show', { id: job.id })).status, 'Aborted')
})

t.test('source auth follows the package rules', async (t) => {
  const w = await world(t)
  for (const role of ['anonymous', 'registered', 'member', 'other_admin'] as const) {
    const res = await w.call('harvest_source_create', { ...SOURCE, name: `by-${role}` }, { token: w.token(role) })
    t.equal(res.statusCode, 403, `${role} may not create a source in org1`)
  }
  const deniedCreate = await w.call('harvest_source_create', { ...SOURCE, name: 'by-member' }, { token: w.token('member') })
  t.equal(deniedCreate.json().error.message, 'Access denied: User member not authorized to create harvest sources')
  const byEditor = await w.ok('harvest_source_create', { ...SOURCE, name: 'by-editor' }, { token: w.token('editor') })
  t.equal(byEditor.creator_user_id, w.users.editor.id)
  const row = await w.db.kysely.selectFrom('harvest_source').select('user_id').where('id', '=', byEditor.id).executeTakeFirstOrThrow()
  t.equal(row.user_id, w.users.editor.id)
  for (const role of ['anonymous', 'registered', 'member', 'other_admin'] as const) {
    t.equal((await w.call('harvest_source_patch', { id: byEditor.id, title: 'x' }, { token: w.token(role) })).statusCode, 403, `${role} may not patch`)
    t.equal((await w.call('harvest_source_delete', { id: byEditor.id }, { token: w.token(role) })).statusCode, 403, `${role} may not delete`)
    t.equal((await w.call('harvest_source_clear', { id: byEditor.id }, { token: w.token(role) })).statusCode, 403, `${role} may not clear`)
  }
  const denied = await w.call('harvest_source_patch', { id: byEditor.id, title: 'x' }, { token: w.token('member') })
  t.equal(denied.json().error.message, `Access denied: User member not authorized to update harvest source ${byEditor.id}`)
  t.equal((await w.ok('harvest_source_patch', { id: byEditor.id, title: 'By admin' }, { token: w.token('admin') })).title, 'By admin')

  const priv = await w.ok('harvest_source_create', { ...SOURCE, name: 'private-src', url: 'http://private.example.org', private: true })
  for (const role of ['anonymous', 'registered', 'other_admin'] as const) {
    t.equal((await w.call('harvest_source_show', { id: priv.id }, { token: w.token(role) })).statusCode, 403, `${role} cannot see a private source`)
    t.equal((await w.call('harvest_source_show_status', { id: priv.id }, { token: w.token(role) })).statusCode, 403, `${role} cannot see its status`)
    const list = await w.ok('harvest_source_list', {}, { token: w.token(role) })
    t.notOk(
      list.some((r: { id: string }) => r.id === priv.id),
      `${role} does not get it listed`,
    )
  }
  t.equal((await w.ok('harvest_source_show', { id: priv.id }, { token: w.token('member') })).id, priv.id, 'org members see it')
  const memberList = await w.ok('harvest_source_list', {}, { token: w.token('member') })
  t.ok(memberList.some((r: { id: string }) => r.id === priv.id))
})

t.test('harvest_source_list: raw rows, filters, newest first', async (t) => {
  const w = await world(t)
  const a = await w.ok('harvest_source_create', { ...SOURCE, name: 'src-a', url: 'http://a.example.org', frequency: 'DAILY' })
  const b = await w.ok('harvest_source_create', { ...SOURCE, name: 'src-b', url: 'http://b.example.org', owner_org: 'org2', frequency: 'ALWAYS' })
  const c = await w.ok('harvest_source_create', { ...SOURCE, name: 'src-c', url: 'http://c.example.org' })
  await w.ok('harvest_source_delete', { id: c.id })

  const all = await w.ok('harvest_source_list', {})
  t.same(
    all.map((r: { id: string }) => r.id),
    [c.id, b.id, a.id],
    'newest first, deleted included',
  )
  const row = all.find((r: { id: string }) => r.id === a.id)
  t.same(Object.keys(row).sort(), ['active', 'config', 'created', 'description', 'frequency', 'id', 'next_run', 'publisher_id', 'publisher_title', 'status', 'title', 'type', 'url', 'user_id'])
  t.equal(row.publisher_id, w.org1)
  t.equal(row.publisher_title, 'ORG1')
  t.equal(row.type, 'ckan')
  t.equal(row.title, 'Remote CKAN')
  t.match(row.created, SPACE_TS)
  t.match(row.next_run, SPACE_TS)
  t.same(row.status, { job_count: 0, next_harvest: '', last_harvest_request: '', msg: 'No jobs yet' })
  t.equal(all.find((r: { id: string }) => r.id === c.id).active, false)

  t.same(
    (await w.ok('harvest_source_list', { only_active: true })).map((r: { id: string }) => r.id),
    [b.id, a.id],
  )
  t.same(
    (await w.ok('harvest_source_list', { organization_id: 'org2' })).map((r: { id: string }) => r.id),
    [b.id],
  )
  t.same(
    (await w.ok('harvest_source_list', { organization_id: w.org2 })).map((r: { id: string }) => r.id),
    [b.id],
  )
  t.same(
    (await w.ok('harvest_source_list', { only_to_run: true, only_active: true })).map((r: { id: string }) => r.id),
    [b.id],
    'ALWAYS is due now, DAILY tomorrow',
  )

  const created = '2024-05-01 10:00:00.5'
  await insertJob(w.db.kysely, a.id, { status: 'Finished', created, gather_finished: '2024-05-01 10:05:00.123456' })
  await insertJob(w.db.kysely, a.id, { status: 'New' })
  const withJobs = (await w.ok('harvest_source_list', { return_last_job_status: 'true' })).find((r: { id: string }) => r.id === a.id)
  t.same(withJobs.status, { job_count: 2, next_harvest: 'Scheduled', last_harvest_request: '2024-05-01 10:05:00.123456' })
  t.equal(withJobs.last_job_status.status, 'New', 'last_job_status is the newest job')
  t.ok('stats' in withJobs.last_job_status)
  const anon = await w.ok('harvest_source_list', {}, { token: null })
  t.same(
    anon.map((r: { id: string }) => r.id),
    [b.id, a.id],
    'anonymous: deleted sources hidden',
  )
})

t.test('status is never stale: jobs written outside the API show at once', async (t) => {
  const w = await world(t)
  const s = await w.ok('harvest_source_create', SOURCE)
  t.same((await w.ok('package_show', { id: s.id }, { token: null })).status, { job_count: 0, last_job: null, total_datasets: 0 })
  t.same((await w.ok('package_show', { id: s.id }, { token: null })).status.job_count, 0, 'shown twice (a cached answer would be reused now)')
  const jobId = await insertJob(w.db.kysely, s.id, { status: 'Running', gather_started: '2024-05-01 10:00:00' })
  const after = await w.ok('package_show', { id: s.id }, { token: null })
  t.equal(after.status.job_count, 1)
  t.equal(after.status.last_job.id, jobId)
  t.equal(after.status.last_job.gather_started, '2024-05-01 10:00:00')
  t.equal((await w.ok('harvest_source_show', { id: s.id })).status.job_count, 1)
  const search = await w.ok('package_search', { fq: 'dataset_type:harvest' }, { token: null })
  t.equal(search.results[0].status.job_count, 1, 'search results carry the live status too')
  await insertJob(w.db.kysely, s.id, { status: 'Finished', created: '2020-01-01 00:00:00' })
  const search2 = await w.ok('package_search', { fq: 'dataset_type:harvest' }, { token: null })
  t.equal(search2.results[0].status.job_count, 2, 'and stay live on a repeated search')
  t.same(await w.ok('harvest_source_show_status', { id: s.name }, { token: null }), search2.results[0].status)
})

t.test('package_search hides sources unless fq asks for them', async (t) => {
  const w = await world(t)
  const s = await w.ok('harvest_source_create', SOURCE)
  const d = await w.dataset('public', 'plain-data')
  const plain = await w.ok('package_search', {}, { token: null })
  t.same(
    plain.results.map((r: { id: string }) => r.id),
    [d.id],
  )
  t.equal(plain.count, 1)
  const q = await w.ok('package_search', { q: 'Remote' }, { token: null })
  t.equal(q.count, 0, 'not even by title')
  const sources = await w.ok('package_search', { fq: 'dataset_type:harvest' }, { token: null })
  t.same(
    sources.results.map((r: { id: string }) => r.id),
    [s.id],
  )
  t.equal(sources.results[0].source_type, 'ckan')
  t.equal(sources.results[0].active, true)
  const viaList = await w.ok('package_search', { fq_list: ['+dataset_type:harvest'] }, { token: null })
  t.same(
    viaList.results.map((r: { id: string }) => r.id),
    [s.id],
    'fq_list counts too',
  )
})

t.test('harvested datasets carry derived harvest extras, in show and search', async (t) => {
  const w = await world(t)
  const s = await w.ok('harvest_source_create', SOURCE)
  const d = await w.dataset('public', 'harvested', { extras: [{ key: 'a', value: '1' }] })
  const other = await w.dataset('public', 'not-harvested')
  const job = await insertJob(w.db.kysely, s.id)
  const old = await insertObject(w.db.kysely, job, s.id, { packageId: d.id, current: false, guid: 'g1' })
  const obj = await insertObject(w.db.kysely, job, s.id, { packageId: d.id, current: true, guid: 'g1b' })
  await w.ok('package_patch', { id: d.id }) // re-indexes it, as the importer's write would
  const shown = await w.ok('package_show', { id: d.id }, { token: null })
  t.same(shown.extras, [
    { key: 'a', value: '1' },
    { key: 'harvest_object_id', value: obj },
    { key: 'harvest_source_id', value: s.id },
    { key: 'harvest_source_title', value: 'Remote CKAN' },
  ])
  t.notOk(
    shown.extras.some((e: { value: string }) => e.value === old),
    'only the current object counts',
  )
  const stored = await w.db.kysely.selectFrom('package').select('extras').where('id', '=', d.id).executeTakeFirstOrThrow()
  t.same(stored.extras, [{ key: 'a', value: '1' }], 'never stored')
  const found = await w.ok('package_search', { q: 'name:harvested' }, { token: null })
  t.same(found.results[0].extras, shown.extras, 'search results too')
  t.same((await w.ok('package_show', { id: other.id })).extras, [])
  const bySource = await w.ok('package_search', { fq: `harvest_source_id:${s.id}` }, { token: null })
  t.same(
    bySource.results.map((r: { id: string }) => r.id),
    [d.id],
    'fq on harvest_source_id',
  )
  const status = await w.ok('harvest_source_show_status', { id: s.id })
  t.equal(status.total_datasets, 1)

  await w.ok('harvest_source_patch', { id: s.id, title: 'Renamed source' })
  const byTitle = await w.ok('package_search', { fq: 'harvest_source_title:"Renamed source"' }, { token: null })
  t.same(
    byTitle.results.map((r: { id: string }) => r.id),
    [d.id],
    'a retitled source re-indexes its datasets',
  )
  await w.ok('harvest_source_job_history_clear', { id: s.id })
  t.same((await w.ok('package_show', { id: d.id })).extras, [{ key: 'a', value: '1' }], 'history cleared: no harvest object, no harvest extras')
  t.equal((await w.ok('package_search', { fq: `harvest_source_id:${s.id}` }, { token: null })).count, 0, 'and the index forgets them')
})

t.test('package_delete of a source aborts its New jobs too', async (t) => {
  const w = await world(t)
  const s = await w.ok('harvest_source_create', SOURCE)
  const job = await insertJob(w.db.kysely, s.id, { status: 'New' })
  await w.ok('package_delete', { id: s.id })
  t.equal((await w.db.kysely.selectFrom('harvest_job').select('status').where('id', '=', job).executeTakeFirstOrThrow()).status, 'Aborted')
})

t.test('harvesters_info_show', async (t) => {
  const w = await world(t)
  const info = await w.ok('harvesters_info_show', {}, { token: null })
  t.same(
    info.map((h: { name: string }) => h.name),
    ['ckan', 'dcat_rdf', 'dcat_json'],
  )
  t.same(info[0], { name: 'ckan', title: 'CKAN', description: 'Harvests remote CKAN instances', form_config_interface: 'Text', show_config: true })
})
