import { sql, type Kysely } from 'kysely'
import type { Database } from '../db/schema.js'
import { parseConfig } from './config.js'
import { harvestTime, sourceStatus, type Dict } from './dictize.js'

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
}

function sourceQuery(db: Kysely<Database>) {
  return db
    .selectFrom('harvest_source as hs')
    .innerJoin('package as p', 'p.id', 'hs.id')
    .select([
      'hs.id', 'p.name', 'p.title', 'p.notes', 'p.state', 'p.private', 'p.owner_org', 'p.creator_user_id',
      'hs.url', 'hs.type', 'hs.config', 'hs.frequency', 'hs.next_run', 'hs.user_id', 'hs.created',
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
    for (const [k, v] of Object.entries(parsed)) if (!(k in out)) out[k] = v
  }
  out.active = dict.state === 'active'
  out.status = await sourceStatus(db, id)
  return out
}

/** The deprecated `status` of harvest_source_list rows (dictization.py _get_source_status). */
async function legacyStatus(db: Kysely<Database>, sourceId: string): Promise<Dict> {
  const jobs = await db.selectFrom('harvest_job').select(['status', 'created', 'gather_finished']).where('source_id', '=', sourceId).orderBy('created', 'desc').execute()
  if (jobs.length === 0) return { job_count: 0, next_harvest: '', last_harvest_request: '', msg: 'No jobs yet' }
  const lastFinished = jobs.find((j) => j.status === 'Finished')
  return {
    job_count: jobs.length,
    next_harvest: jobs.some((j) => j.status === 'New') ? 'Scheduled' : 'Not yet scheduled',
    // Python's str(None) when a finished job never recorded its gather end
    last_harvest_request: lastFinished ? (harvestTime(lastFinished.gather_finished) ?? 'None') : 'Not yet harvested',
  }
}

/** A harvest_source_list row: CKAN's raw harvest_source columns, publisher title and the old status. */
export async function sourceListRow(db: Kysely<Database>, s: SourceRecord, withLastJob: boolean): Promise<Dict> {
  const org = s.owner_org ? await db.selectFrom('group').select('title').where('id', '=', s.owner_org).executeTakeFirst() : undefined
  const out: Dict = {
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
    publisher_title: org?.title ?? '',
    status: await legacyStatus(db, s.id),
  }
  if (withLastJob) out.last_job_status = (await sourceStatus(db, s.id)).last_job
  return out
}

export { sourceQuery }
