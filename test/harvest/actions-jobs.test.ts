import t from 'tap'
import { world, type World } from '../auth/roles-fixtures.js'
import { SPACE_TS, insertGatherError, insertJob, insertObject, insertObjectError, queuedGatherTasks } from './action-fixtures.js'
import { scheduleDueSources } from '../../src/harvest/pipeline/schedule.js'

const SOURCE = { name: 'remote-ckan', title: 'Remote CKAN', url: 'http://remote.example.org/', source_type: 'ckan', owner_org: 'org1' }
const JOB_KEYS = ['created', 'finished', 'gather_error_summary', 'gather_finished', 'gather_started', 'id', 'object_error_summary', 'source_id', 'stats', 'status']

async function source(w: World, extra: Record<string, unknown> = {}): Promise<{ id: string; name: string }> {
  return w.ok('harvest_source_create', { ...SOURCE, ...extra })
}

t.test('harvest_job_create runs the job: Running, gather task queued in the same transaction', async (t) => {
  const w = await world(t)
  const s = await source(w)
  const job = await w.ok('harvest_job_create', { source_id: s.name })
  t.same(Object.keys(job).sort(), JOB_KEYS)
  t.equal(job.status, 'Running')
  t.equal(job.source_id, s.id)
  t.match(job.created, SPACE_TS)
  t.equal(job.gather_started, null)
  t.equal(job.finished, null)
  t.same(job.stats, { added: 0, updated: 0, 'not modified': 0, errored: 0, deleted: 0 })
  t.same(job.object_error_summary, [])
  t.same(job.gather_error_summary, [])
  t.equal(await queuedGatherTasks(w.db.kysely, job.id), 1, 'one harvest_gather task with the job id')

  const again = await w.call('harvest_job_create', { source_id: s.id })
  t.equal(again.statusCode, 409)
  t.same(again.json().error, { __type: 'Validation Error', message: 'There already is an unrun job for this source' })

  await w.ok('harvest_job_abort', { id: job.id })
  const notRun = await w.ok('harvest_job_create', { source_id: s.id, run: false })
  t.equal(notRun.status, 'New')
  t.equal(await queuedGatherTasks(w.db.kysely, notRun.id), 0, 'run=false queues nothing')
  t.equal((await w.call('harvest_job_create', { source_id: s.id })).statusCode, 409, 'a New job blocks too')

  const unknown = await w.call('harvest_job_create', { source_id: 'nope' })
  t.equal(unknown.statusCode, 404)
  t.equal(unknown.json().error.message, 'Not found: Harvest source nope does not exist')
})

t.test('harvest_job_create on an inactive source', async (t) => {
  const w = await world(t)
  const s = await source(w)
  await w.ok('harvest_source_delete', { id: s.id })
  const res = await w.call('harvest_job_create', { source_id: s.id })
  t.equal(res.statusCode, 409)
  t.same(res.json().error, { __type: 'Validation Error', message: 'Can not create jobs on inactive sources' })
  t.equal(await w.db.kysely.selectFrom('harvest_job').select('id').executeTakeFirst(), undefined)
})

t.test('two concurrent harvest_job_create calls: exactly one job', async (t) => {
  const w = await world(t)
  for (let round = 0; round < 5; round++) {
    const s = await source(w, { name: `race-${round}`, url: `http://race${round}.example.org` })
    const answers = await Promise.all([w.call('harvest_job_create', { source_id: s.id }), w.call('harvest_job_create', { source_id: s.id })])
    t.same(answers.map((a) => a.statusCode).sort(), [200, 409], `round ${round}: one succeeds, one is refused`)
    const loser = answers.find((a) => a.statusCode === 409)!
    t.equal(loser.json().error.message, 'There already is an unrun job for this source')
    const jobs = await w.db.kysely.selectFrom('harvest_job').select('id').where('source_id', '=', s.id).execute()
    t.equal(jobs.length, 1)
    t.equal(await queuedGatherTasks(w.db.kysely, jobs[0].id), 1)
  }
})

t.test('harvest_job_show: stats with the errored override and error summaries', async (t) => {
  const w = await world(t)
  const s = await source(w)
  const db = w.db.kysely
  const job = await insertJob(db, s.id, { status: 'Finished', created: '2024-05-01 10:00:00.25', gather_started: '2024-05-01 10:00:01', gather_finished: '2024-05-01 10:00:02.5' })
  await insertObject(db, job, s.id, { report_status: 'added' })
  const addedWithError = await insertObject(db, job, s.id, { report_status: 'added' })
  await insertObject(db, job, s.id, { report_status: 'not modified' })
  await insertObject(db, job, s.id, { report_status: 'deleted' })
  const failed = await insertObject(db, job, s.id, { report_status: 'errored', state: 'ERROR' })
  await insertObjectError(db, addedWithError, 'Bad bbox')
  await insertObjectError(db, failed, 'Bad bbox')
  await insertObjectError(db, failed, 'Missing title', 'Import', 3)
  await insertGatherError(db, job, 'Page 2 failed')

  const shown = await w.ok('harvest_job_show', { id: job })
  t.same(Object.keys(shown).sort(), JOB_KEYS)
  t.equal(shown.created, '2024-05-01 10:00:00.250000', 'DictMixin timestamps: space and six digits')
  t.equal(shown.gather_started, '2024-05-01 10:00:01')
  t.equal(shown.gather_finished, '2024-05-01 10:00:02.500000')
  t.same(shown.stats, { added: 2, updated: 0, 'not modified': 1, errored: 3, deleted: 1 }, 'errored = objects with errors (2) + gather errors (1)')
  t.same(shown.object_error_summary, [
    { message: 'Bad bbox', error_count: 2 },
    { message: 'Missing title', error_count: 1 },
  ])
  t.same(shown.gather_error_summary, [{ message: 'Page 2 failed', error_count: 1 }])

  const report = await w.ok('harvest_job_report', { id: job })
  t.same(report.gather_errors, [{ message: 'Page 2 failed' }])
  t.same(Object.keys(report.object_errors).sort(), [addedWithError, failed].sort())
  t.same(report.object_errors[failed].errors, [
    { message: 'Bad bbox', line: null, type: 'Import' },
    { message: 'Missing title', line: 3, type: 'Import' },
  ])
  t.equal(report.object_errors[failed].guid, failed)

  const status = await w.ok('harvest_source_show_status', { id: s.id })
  t.same(status.last_job, shown)
  t.equal(status.job_count, 1)
  t.equal((await w.call('harvest_job_show', { id: 'nope' })).statusCode, 404)
})

t.test('harvest_job_list: newest first, filters, no summaries', async (t) => {
  const w = await world(t)
  const s = await source(w)
  const s2 = await source(w, { name: 'other', url: 'http://other.example.org' })
  const old = await insertJob(w.db.kysely, s.id, { status: 'Finished', created: '2024-01-01 00:00:00' })
  const mid = await insertJob(w.db.kysely, s.id, { status: 'Aborted', created: '2024-02-01 00:00:00' })
  const cur = await insertJob(w.db.kysely, s.id, { status: 'Running', created: '2024-03-01 00:00:00' })
  await insertJob(w.db.kysely, s2.id, { status: 'Finished' })
  const list = await w.ok('harvest_job_list', { source_id: s.name })
  t.same(
    list.map((j: { id: string }) => j.id),
    [cur, mid, old],
  )
  t.same(Object.keys(list[0]).sort(), ['created', 'finished', 'gather_finished', 'gather_started', 'id', 'source_id', 'stats', 'status'])
  t.same(
    (await w.ok('harvest_job_list', { source_id: s.id, status: 'Finished' })).map((j: { id: string }) => j.id),
    [old],
  )
  t.equal((await w.ok('harvest_job_list', {})).length, 4, 'sysadmin: every job')
  const noSource = await w.call('harvest_job_list', {}, { token: w.token('editor') })
  t.equal(noSource.statusCode, 409)
  t.same(noSource.json().error.source_id, ['Missing value'])
})

t.test('job and object auth', async (t) => {
  const w = await world(t)
  const s = await source(w)
  const job = await w.ok('harvest_job_create', { source_id: s.id, run: false }, { token: w.token('editor') })
  t.equal(job.status, 'New', 'an org editor may create jobs')
  for (const role of ['anonymous', 'registered', 'member', 'other_admin'] as const) {
    const tok = { token: w.token(role) }
    t.equal((await w.call('harvest_job_show', { id: job.id }, tok)).statusCode, 403, `${role}: job_show`)
    t.equal((await w.call('harvest_job_report', { id: job.id }, tok)).statusCode, 403, `${role}: job_report`)
    t.equal((await w.call('harvest_job_list', { source_id: s.id }, tok)).statusCode, 403, `${role}: job_list`)
    t.equal((await w.call('harvest_job_create', { source_id: s.id }, tok)).statusCode, 403, `${role}: job_create`)
  }
  t.equal((await w.call('harvest_job_show', { id: job.id }, { token: w.token('member') })).json().error.message, `Access denied: User member not authorized to see jobs from source ${s.id}`)
  t.equal((await w.call('harvest_job_create', { source_id: s.id }, { token: w.token('member') })).json().error.message, `Access denied: User not authorized to create a job for source ${s.id}`)
  for (const role of ['editor', 'admin', 'sysadmin'] as const) {
    const tok = { token: w.token(role) }
    t.equal((await w.ok('harvest_job_show', { id: job.id }, tok)).id, job.id, `${role}: job_show`)
    t.equal((await w.ok('harvest_job_list', { source_id: s.id }, tok)).length, 1, `${role}: job_list`)
    t.ok(await w.ok('harvest_job_report', { id: job.id }, tok), `${role}: job_report`)
  }
  for (const role of ['anonymous', 'registered', 'editor', 'admin'] as const) {
    t.equal((await w.call('harvest_job_abort', { id: job.id }, { token: w.token(role) })).statusCode, 403, `${role}: job_abort is for sysadmins`)
    t.equal((await w.call('harvest_jobs_run', {}, { token: w.token(role) })).statusCode, 403, `${role}: jobs_run is for sysadmins`)
  }
})

t.test('harvest_object_show: shape, by dataset, CKAN messages, privacy', async (t) => {
  const w = await world(t)
  const s = await source(w)
  const pub = await w.dataset('public', 'pub')
  const priv = await w.dataset('private', 'priv')
  const job = await insertJob(w.db.kysely, s.id)
  const obj = await insertObject(w.db.kysely, job, s.id, { packageId: pub.id, current: true, guid: 'remote-1', import_finished: '2024-05-01 10:00:00.5', extras: { status: 'new' } })
  await insertObjectError(w.db.kysely, obj, 'Warning here', 'Import', 7)
  const privObj = await insertObject(w.db.kysely, job, s.id, { packageId: priv.id, current: true, guid: 'remote-2' })

  const o = await w.ok('harvest_object_show', { id: obj }, { token: null })
  t.same(Object.keys(o).sort(), [
    'content',
    'current',
    'errors',
    'extras',
    'fetch_finished',
    'fetch_started',
    'gathered',
    'guid',
    'harvest_job_id',
    'harvest_source_id',
    'id',
    'import_finished',
    'import_started',
    'job',
    'metadata_modified_date',
    'package',
    'package_id',
    'report_status',
    'retry_times',
    'source',
    'state',
  ])
  t.equal(o.source, s.id)
  t.equal(o.job, job)
  t.equal(o.package, pub.id)
  t.equal(o.guid, 'remote-1')
  t.equal(o.current, true)
  t.match(o.gathered, SPACE_TS)
  t.equal(o.import_finished, '2024-05-01 10:00:00.500000')
  t.same(o.extras, { status: 'new' })
  t.equal(o.errors.length, 1)
  t.same(Object.keys(o.errors[0]).sort(), ['created', 'harvest_object_id', 'id', 'line', 'message', 'stage'])
  t.equal(o.errors[0].line, 7)
  t.match(o.errors[0].created, SPACE_TS)
  t.same(await w.ok('harvest_object_show', { dataset_id: 'pub' }, { token: null }), o, 'by dataset name: its current object')

  const none = await w.call('harvest_object_show', {})
  t.equal(none.statusCode, 409)
  t.same(none.json().error, { __type: 'Validation Error', message: 'Please provide either an "id" or a "dataset_id" parameter' })
  t.equal((await w.call('harvest_object_show', { id: 'nope' })).json().error.message, 'Not found: Harvest object not found')
  t.equal((await w.call('harvest_object_show', { dataset_id: 'nope' })).json().error.message, 'Not found: Dataset not found')
  const plain = await w.dataset('public', 'never-harvested')
  t.equal((await w.call('harvest_object_show', { dataset_id: plain.id })).statusCode, 404)

  for (const role of ['anonymous', 'registered', 'other_admin'] as const) {
    t.equal((await w.call('harvest_object_show', { id: privObj }, { token: w.token(role) })).statusCode, 403, `${role}: object of a private dataset`)
    t.equal((await w.call('harvest_object_show', { dataset_id: priv.id }, { token: w.token(role) })).statusCode, 403, `${role}: by private dataset`)
  }
  t.equal((await w.ok('harvest_object_show', { id: privObj }, { token: w.token('member') })).id, privObj, 'org members may')

  const privSource = await source(w, { name: 'hidden', url: 'http://hidden.example.org', private: true })
  const job2 = await insertJob(w.db.kysely, privSource.id)
  const obj2 = await insertObject(w.db.kysely, job2, privSource.id)
  t.equal((await w.call('harvest_object_show', { id: obj2 }, { token: null })).statusCode, 403, 'object of a private source')
})

t.test('harvest_job_abort: newest job of a source, or a job; pending objects become ERROR', async (t) => {
  const w = await world(t)
  const s = await source(w)
  const job = await w.ok('harvest_job_create', { source_id: s.id })
  const waiting = await insertObject(w.db.kysely, job.id, s.id, { state: 'WAITING' })
  const done = await insertObject(w.db.kysely, job.id, s.id, { state: 'COMPLETE', report_status: 'added' })
  const aborted = await w.ok('harvest_job_abort', { source_id: s.name })
  t.equal(aborted.id, job.id)
  t.equal(aborted.status, 'Finished', 'CKAN marks it Finished')
  t.same(Object.keys(aborted).sort(), JOB_KEYS)
  const states = Object.fromEntries((await w.db.kysely.selectFrom('harvest_object').select(['id', 'state']).execute()).map((r) => [r.id, r.state]))
  t.same(states, { [waiting]: 'ERROR', [done]: 'COMPLETE' })
  t.equal((await w.ok('harvest_job_create', { source_id: s.id })).status, 'Running', 'the source may run again')
  const second = await w.ok('harvest_job_abort', { id: (await w.ok('harvest_job_list', { source_id: s.id, status: 'Running' }))[0].id })
  t.equal(second.status, 'Finished')
  const empty = await source(w, { name: 'empty', url: 'http://empty.example.org' })
  t.equal((await w.call('harvest_job_abort', { id: empty.id })).json().error.message, 'Not found: Error: source has no jobs')
})

t.test('harvest_jobs_run / scheduleDueSources: due sources get a job, finished jobs are closed', async (t) => {
  const w = await world(t)
  const db = w.db.kysely
  const always = await source(w, { name: 'always', url: 'http://always.example.org', frequency: 'ALWAYS' })
  const daily = await source(w, { name: 'daily', url: 'http://daily.example.org', frequency: 'DAILY' })
  const manual = await source(w, { name: 'manual', url: 'http://manual.example.org' })
  const busy = await source(w, { name: 'busy', url: 'http://busy.example.org', frequency: 'ALWAYS' })
  const gone = await source(w, { name: 'gone', url: 'http://gone.example.org', frequency: 'ALWAYS' })
  await w.ok('harvest_source_delete', { id: gone.id })
  const busyJob = await w.ok('harvest_job_create', { source_id: busy.id })

  t.same(await w.ok('harvest_jobs_run', {}), [])
  const jobs = await db.selectFrom('harvest_job').select(['id', 'source_id', 'status']).execute()
  const bySource = (id: string) => jobs.filter((j) => j.source_id === id)
  t.equal(bySource(always.id).length, 1, 'ALWAYS: due')
  t.equal(bySource(always.id)[0].status, 'Running')
  t.equal(await queuedGatherTasks(db, bySource(always.id)[0].id), 1)
  t.equal(bySource(daily.id).length, 0, 'DAILY: next run tomorrow')
  t.equal(bySource(manual.id).length, 0, 'MANUAL: never')
  t.equal(bySource(busy.id).length, 1, 'a source with a pending job gets none')
  t.equal(bySource(gone.id).length, 0, 'inactive: never')
  const next = await db.selectFrom('harvest_source').select('next_run').where('id', '=', always.id).executeTakeFirstOrThrow()
  t.ok(next.next_run, 'next_run moved on')

  const later = new Date(Date.now() + 25 * 3600_000)
  const created = await scheduleDueSources(db, later)
  t.equal(created.length, 1, 'a day later the DAILY source is due (the others still have a pending job)')
  t.equal((await db.selectFrom('harvest_job').select('source_id').where('id', '=', created[0]).executeTakeFirstOrThrow()).source_id, daily.id)
  const dailyNext = await db.selectFrom('harvest_source').select('next_run').where('id', '=', daily.id).executeTakeFirstOrThrow()
  t.ok(Date.parse(dailyNext.next_run + 'Z') > later.getTime(), 'next_run a day after that run')

  // the busy job: gather over, one object still importing → stays Running
  await db.updateTable('harvest_job').set({ gather_started: '2024-05-01 10:00:00', gather_finished: '2024-05-01 10:01:00' }).where('id', '=', busyJob.id).execute()
  const importing = await insertObject(db, busyJob.id, busy.id, { state: 'IMPORT' })
  await insertObject(db, busyJob.id, busy.id, { state: 'COMPLETE', report_status: 'added', import_finished: '2024-05-01 10:02:00.5' })
  await w.ok('harvest_jobs_run', { source_id: busy.id })
  t.equal((await w.ok('harvest_job_show', { id: busyJob.id })).status, 'Running', 'an object still importing: not finished')
  await db.updateTable('harvest_object').set({ state: 'COMPLETE', report_status: 'updated', import_finished: '2024-05-01 10:03:00' }).where('id', '=', importing).execute()
  await w.ok('harvest_jobs_run', { source_id: busy.id })
  const finished = await w.ok('harvest_job_show', { id: busyJob.id })
  t.equal(finished.status, 'Finished')
  t.equal(finished.finished, '2024-05-01 10:03:00', 'finished = the last import')
  t.same(finished.stats, { added: 1, updated: 1, 'not modified': 0, errored: 0, deleted: 0 })
  const wm = await db.selectFrom('harvest_source').select('watermark').where('id', '=', busy.id).executeTakeFirstOrThrow()
  t.equal(wm.watermark, '2024-05-01T10:00:00', 'an error-free job moves the watermark to its gather start')
  t.equal((await w.ok('harvest_job_show', { id: bySource(always.id)[0].id })).status, 'Running', 'a job still gathering is left alone')
})

t.test('harvest_source_clear and harvest_source_job_history_clear', async (t) => {
  const w = await world(t)
  const db = w.db.kysely
  const s = await source(w)
  const d1 = await w.dataset('public', 'h1')
  const d2 = await w.dataset('public', 'h2')
  const untouched = await w.dataset('public', 'untouched')
  const oldJob = await insertJob(db, s.id, { created: '2024-01-01 00:00:00' })
  await insertObject(db, oldJob, s.id, { packageId: d1.id, current: false })
  const curJob = await insertJob(db, s.id, { created: '2024-02-01 00:00:00' })
  await insertObject(db, curJob, s.id, { packageId: d1.id, current: true })
  await insertObject(db, curJob, s.id, { packageId: d2.id, current: true })
  const running = await insertJob(db, s.id, { status: 'Running', created: '2024-03-01 00:00:00' })
  const emptyOld = await insertJob(db, s.id, { created: '2023-01-01 00:00:00' })

  t.same(await w.ok('harvest_source_job_history_clear', { id: s.name, keep_current: true }), { id: s.id })
  const kept = (await db.selectFrom('harvest_job').select('id').where('source_id', '=', s.id).execute()).map((r) => r.id).sort()
  t.same(kept, [curJob, running].sort(), 'keep_current keeps Running jobs and jobs owning a current object')
  t.notOk(kept.includes(oldJob) || kept.includes(emptyOld))

  const res = await w.ok('harvest_source_clear', { id: s.id })
  t.same(res, { id: s.id })
  t.equal((await db.selectFrom('harvest_job').select('id').where('source_id', '=', s.id).execute()).length, 0)
  const left = (await db.selectFrom('package').select('id').where('id', 'in', [d1.id, d2.id, untouched.id, s.id]).execute()).map((r) => r.id).sort()
  t.same(left, [untouched.id, s.id].sort(), 'harvested datasets purged, the source and other datasets kept')
  t.equal((await w.call('package_show', { id: d1.id })).statusCode, 404)
  const search = await w.ok('package_search', {}, { token: null })
  t.same(
    search.results.map((r: { id: string }) => r.id),
    [untouched.id],
    'and gone from the search index',
  )

  const j = await insertJob(db, s.id)
  await insertObject(db, j, s.id, { packageId: untouched.id, current: true })
  await w.ok('harvest_source_job_history_clear', { id: s.id })
  t.equal((await db.selectFrom('harvest_job').select('id').where('source_id', '=', s.id).execute()).length, 0, 'without keep_current every job goes')
  t.ok(await db.selectFrom('package').select('id').where('id', '=', untouched.id).executeTakeFirst(), 'datasets are kept')
  t.equal(await w.ok('harvest_source_reindex', { id: s.id }, { token: null }), true)
})
