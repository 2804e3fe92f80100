import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema.js'
import type { Dict, JobRow } from './dictize.js'

/** harvest_job_report: gather errors newest first, object errors grouped by object. */
export async function jobReport(db: Kysely<Database>, job: JobRow): Promise<Dict> {
  const gather = await db.selectFrom('harvest_gather_error').select('message').where('harvest_job_id', '=', job.id).orderBy('created', 'desc').orderBy('id').execute()
  const errors = await db
    .selectFrom('harvest_object_error as e')
    .innerJoin('harvest_object as o', 'o.id', 'e.harvest_object_id')
    .select(['e.harvest_object_id', 'o.guid', 'e.message', 'e.line', 'e.stage'])
    .where('o.harvest_job_id', '=', job.id)
    .orderBy('e.harvest_object_id')
    .orderBy('e.created')
    .orderBy('e.id')
    .execute()
  const objectErrors: Record<string, { guid: string; errors: Dict[] }> = {}
  for (const e of errors) {
    const entry = (objectErrors[e.harvest_object_id] ??= { guid: e.guid, errors: [] })
    entry.errors.push({ message: e.message, line: e.line, type: e.stage })
  }
  return { gather_errors: gather.map((g) => ({ message: g.message })), object_errors: objectErrors }
}
