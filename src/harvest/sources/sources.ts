import { sql, type Kysely } from 'kysely'
import type { Database } from '../../db/schema.js'
import { parseConfig } from './config.js'
import { harvestTime, sourceStatus, type Dict } from './dictize.js'
import { setOwn } from '../../lookup.js'

/**
 * A harvest source as one record: its harvest_source row joined to the package row that holds
 * title, notes, owner and state (same id).
 */
export interface SourceRecord {
  id: string
  name: string
  title: string | null
  notes: string | null
  state: string
  private: boolean
  owner_org: string | null
  creator_user_id: string | null
  url: string
  type: string
  config: string | null
  frequency: string
  next_run: string | null
  user_id: string | null
  created: string
  /** gather start of the last error-free job (incremental harvests) */
  watermark: string | null
  /** position in the remote's change feed after the last error-free job */
  feed_cursor: string | null
}

function sourceQuery(db: Kysely<Database>) {
  return db
    .selectFrom('harvest_source as hs')
    .innerJoin('package as p', 'p.id', 'hs.id')
    .select([
      'hs.id',
      'p.name',
      'p.title',
      'p.notes',
      'p.state',
      'p.private',
      'p.owner_org',
      'p.creator_user_id',
      'hs.url',
      'hs.type',
      'hs.config',
      'hs.frequency',
      'hs.next_run',
      'hs.user_id',
      'hs.created',
      'hs.watermark',
      'hs.feed_cursor',
    ])
}

/** The source whose id, else whose name, is `ref` (an id wins, as with datasets). */
export async function findSource(db: Kysely<Database>, ref: string): Promise<SourceRecord | undefined> {
  return sourceQuery(db)
    .where((eb) => eb.or([eb('hs.id', '=', ref), eb('p.name', '=', ref)]))
    .orderBy(sql`hs.id = ${ref}`, 'desc')
    .limit(1)
    .executeTakeFirst()
}

export async function findSourceByUrl(db: Kysely<Database>, url: string): Promise<SourceRecord | undefined> {
  return sourceQuery(db).where('hs.url', '=', url).orderBy('hs.created').limit(1).executeTakeFirst()
}

export function isActive(source: Pick<SourceRecord, 'state'>): boolean {
  return source.state === 'active'
}

/**
 * What package_show adds to a source's dict (harvest_source_show_package_schema plus
 * after_dataset_show): source_type, frequency, config and each config key at the top level, `active`
 * and the live `status`. Config keys never replace a dataset key.
 */
export async function sourceShowFields(db: Kysely<Database>, dict: Dict): Promise<Dict> {
  const id = dict.id as string
  const row = await db.selectFrom('harvest_source').select(['type', 'frequency', 'config']).where('id', '=', id).executeTakeFirst()
  const out: Dict = { ...dict }
  if (row) {
    out.source_type = row.type
    out.frequency = row.frequency
    out.config = row.config
    let parsed: Record<string, unknown> = {}
    try {
      parsed = parseConfig(row.config)
    } catch {
      // stored before a check existed; CKAN shows the text and skips the keys too
    }
    for (const [k, v] of Object.entries(parsed)) if (!Object.hasOwn(out, k)) setOwn(out, k, v)
  }
  out.active = dict.state === 'active'
  out.status = await sourceStatus(db, id)
  return out
}

interface JobSummary {
  source_id: string
  job_count: number
  has_new: boolean
  last_finished_gather: string | null
  has_finished: boolean
}

/**
 * harvest_source_list rows: CKAN's raw harvest_source columns, the publisher's title and the
 * deprecated `status` (dictization.py _get_source_status), for all the sources in two queries
 * rather than several per source (ckanext-harvest#73: long lists timed out).
 */
export async function sourceListRows(db: Kysely<Database>, sources: SourceRecord[], withLastJob: boolean): Promise<Dict[]> {
  if (sources.length === 0) return []
  const ids = sources.map((s) => s.id)
  const orgIds = [...new Set(sources.map((s) => s.owner_org).filter((o): o is string => o !== null))]
  const orgs = new Map(orgIds.length ? (await db.selectFrom('group').select(['id', 'title']).where('id', 'in', orgIds).execute()).map((g) => [g.id, g.title]) : [])
  const { rows } = await sql<JobSummary>`
    SELECT source_id, count(*)::int AS job_count, bool_or(status = 'New') AS has_new, bool_or(status = 'Finished') AS has_finished,
           (array_agg(gather_finished ORDER BY created DESC) FILTER (WHERE status = 'Finished'))[1] AS last_finished_gather
      FROM harvest_job WHERE source_id = ANY(${ids}::text[]) GROUP BY source_id`.execute(db)
  const jobs = new Map(rows.map((r) => [r.source_id, r]))
  const out: Dict[] = []
  for (const s of sources) {
    const j = jobs.get(s.id)
    const status: Dict = !j
      ? { job_count: 0, next_harvest: '', last_harvest_request: '', msg: 'No jobs yet' }
      : {
          job_count: j.job_count,
          next_harvest: j.has_new ? 'Scheduled' : 'Not yet scheduled',
          // Python's str(None) when the last finished job never recorded its gather end
          last_harvest_request: j.has_finished ? (harvestTime(j.last_finished_gather) ?? 'None') : 'Not yet harvested',
        }
    const row: Dict = {
      id: s.id,
      url: s.url,
      title: s.title || s.name,
      description: s.notes,
      config: s.config,
      created: harvestTime(s.created),
      type: s.type,
      active: isActive(s),
      user_id: s.user_id,
      publisher_id: s.owner_org,
      frequency: s.frequency,
      next_run: harvestTime(s.next_run),
      publisher_title: (s.owner_org && orgs.get(s.owner_org)) || '',
      status,
    }
    if (withLastJob) row.last_job_status = (await sourceStatus(db, s.id)).last_job
    out.push(row)
  }
  return out
}

export { sourceQuery }
