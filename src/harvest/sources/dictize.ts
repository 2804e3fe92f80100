import { sql, type Kysely, type Selectable } from 'kysely'
import type { Database, HarvestJobTable, HarvestObjectTable } from '../../db/schema.js'

/**
 * ckanext-harvest's dict shapes (logic/dictization.py) for jobs, objects and the status of a
 * source. Every value is read from the tables at call time: job progress changes without any
 * API write, so none of this may go through the read cache.
 */

export type JobRow = Selectable<HarvestJobTable>
export type ObjectRow = Selectable<HarvestObjectTable>
export type Dict = Record<string, unknown>

/**
 * Harvest timestamps as CKAN's DictMixin.as_dict prints them (`str(datetime)`): a space instead
 * of the `T`, microseconds only when non-zero, no zone. Rows arrive in our ISO form (db/connect.ts).
 */
export function harvestTime(v: string | null | undefined): string | null {
  return v ? v.replace('T', ' ') : null
}

const STAT_KEYS = ['added', 'updated', 'not modified', 'errored', 'deleted'] as const

/** One query per figure for all the jobs given, so listing a source's history costs four round trips. */
async function jobStats(db: Kysely<Database>, ids: string[]): Promise<Map<string, Record<string, number>>> {
  const out = new Map<string, Record<string, number>>(ids.map((id) => [id, Object.fromEntries(STAT_KEYS.map((k) => [k, 0]))]))
  if (ids.length === 0) return out
  const byStatus = await db
    .selectFrom('harvest_object')
    .select(['harvest_job_id', 'report_status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('harvest_job_id', 'in', ids)
    .where('report_status', 'is not', null)
    .groupBy(['harvest_job_id', 'report_status'])
    .execute()
  for (const r of byStatus) out.get(r.harvest_job_id)![r.report_status!] = Number(r.n)
  // objects may be added or updated and still carry errors: CKAN counts those as errored
  const withErrors = await db
    .selectFrom('harvest_object as o')
    .select(['o.harvest_job_id', sql<number>`count(DISTINCT o.id)`.as('n')])
    .where('o.harvest_job_id', 'in', ids)
    .where((eb) => eb.exists(eb.selectFrom('harvest_object_error as e').select('e.id').whereRef('e.harvest_object_id', '=', 'o.id')))
    .groupBy('o.harvest_job_id')
    .execute()
  for (const r of withErrors) if (Number(r.n) > 0) out.get(r.harvest_job_id)!.errored = Number(r.n)
  const gather = await db
    .selectFrom('harvest_gather_error')
    .select(['harvest_job_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('harvest_job_id', 'in', ids)
    .groupBy('harvest_job_id')
    .execute()
  for (const r of gather) out.get(r.harvest_job_id)!.errored += Number(r.n)
  return out
}

/** Top 20 messages by count, as CKAN's error summaries (ties ordered by message, for stable output). */
async function errorSummaries(db: Kysely<Database>, jobId: string): Promise<{ object: Dict[]; gather: Dict[] }> {
  const object = await db
    .selectFrom('harvest_object_error as e')
    .innerJoin('harvest_object as o', 'o.id', 'e.harvest_object_id')
    .select(['e.message', (eb) => eb.fn.count<number>('e.message').as('error_count')])
    .where('o.harvest_job_id', '=', jobId)
    .groupBy('e.message')
    .orderBy('error_count', 'desc')
    .orderBy('e.message')
    .limit(20)
    .execute()
  const gather = await db
    .selectFrom('harvest_gather_error')
    .select(['message', (eb) => eb.fn.count<number>('message').as('error_count')])
    .where('harvest_job_id', '=', jobId)
    .groupBy('message')
    .orderBy('error_count', 'desc')
    .orderBy('message')
    .limit(20)
    .execute()
  const shape = (rows: { message: string; error_count: number }[]) => rows.map((r) => ({ message: r.message, error_count: Number(r.error_count) }))
  return { object: shape(object), gather: shape(gather) }
}

function jobColumns(job: JobRow): Dict {
  // CKAN's harvest_job columns, in table order; `mode` is ours and stays internal
  return {
    id: job.id,
    created: harvestTime(job.created),
    gather_started: harvestTime(job.gather_started),
    gather_finished: harvestTime(job.gather_finished),
    finished: harvestTime(job.finished),
    source_id: job.source_id,
    status: job.status,
  }
}

/** harvest_job_dictize for several jobs (order kept); summaries only when asked, as harvest_job_list omits them. */
export async function jobDicts(db: Kysely<Database>, jobs: JobRow[], opts: { summaries: boolean }): Promise<Dict[]> {
  const stats = await jobStats(
    db,
    jobs.map((j) => j.id),
  )
  const out: Dict[] = []
  for (const job of jobs) {
    const d: Dict = { ...jobColumns(job), stats: stats.get(job.id) }
    if (opts.summaries) {
      const s = await errorSummaries(db, job.id)
      d.object_error_summary = s.object
      d.gather_error_summary = s.gather
    }
    out.push(d)
  }
  return out
}

export async function jobDict(db: Kysely<Database>, job: JobRow): Promise<Dict> {
  return (await jobDicts(db, [job], { summaries: true }))[0]
}

/** harvest_source_show_status: job count, the newest job in full, and the live datasets it keeps current. */
export async function sourceStatus(db: Kysely<Database>, sourceId: string): Promise<Dict> {
  const out: Dict = { job_count: 0, last_job: null, total_datasets: 0 }
  const { n } = await db
    .selectFrom('harvest_job')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('source_id', '=', sourceId)
    .executeTakeFirstOrThrow()
  if (Number(n) === 0) return out
  out.job_count = Number(n)
  const last = await db.selectFrom('harvest_job').selectAll().where('source_id', '=', sourceId).orderBy('created', 'desc').orderBy('id').limit(1).executeTakeFirstOrThrow()
  out.last_job = await jobDict(db, last)
  const total = await db
    .selectFrom('harvest_object as o')
    .innerJoin('package as p', 'p.id', 'o.package_id')
    .select(sql<number>`count(DISTINCT p.id)`.as('n'))
    .where('o.harvest_source_id', '=', sourceId)
    .where('o.current', '=', true)
    .where('p.state', '=', 'active')
    .where('p.private', '=', false)
    .executeTakeFirstOrThrow()
  out.total_datasets = Number(total.n)
  return out
}

/** harvest_object_dictize: every column, plus source/job/package ids, its errors and extras. */
export async function objectDict(db: Kysely<Database>, obj: ObjectRow): Promise<Dict> {
  const errors = await db.selectFrom('harvest_object_error').selectAll().where('harvest_object_id', '=', obj.id).orderBy('created').orderBy('id').execute()
  const out: Dict = {
    id: obj.id,
    guid: obj.guid,
    current: obj.current,
    gathered: harvestTime(obj.gathered),
    fetch_started: harvestTime(obj.fetch_started),
    content: obj.content,
    fetch_finished: harvestTime(obj.fetch_finished),
    import_started: harvestTime(obj.import_started),
    import_finished: harvestTime(obj.import_finished),
    state: obj.state,
    metadata_modified_date: harvestTime(obj.metadata_modified_date),
    retry_times: obj.retry_times,
    harvest_job_id: obj.harvest_job_id,
    harvest_source_id: obj.harvest_source_id,
    package_id: obj.package_id,
    report_status: obj.report_status,
    source: obj.harvest_source_id,
    job: obj.harvest_job_id,
  }
  if (obj.package_id) out.package = obj.package_id
  out.errors = errors.map((e) => ({
    id: e.id,
    harvest_object_id: e.harvest_object_id,
    message: e.message,
    stage: e.stage,
    line: e.line,
    created: harvestTime(e.created),
  }))
  out.extras = { ...obj.extras }
  return out
}
