import type { ActionContext } from '../../actions/context.js'
import { ValidationError, type FieldErrors } from '../../errors.js'
import { nowIso } from '../../model/time.js'
import type { Dict } from './dictize.js'
import { abortNewJobs } from '../pipeline/jobs.js'
import { checkSourceFields, nextRun, pgTime } from './source-schema.js'
import { outboundPolicy } from '../../net/outbound.js'
import { findSource, sourceShowFields } from './sources.js'
import { sourceNotFound } from './auth.js'
import { reindexHarvestedDatasets } from './reindex.js'
import { setOwn } from '../../lookup.js'

export type SourceWriteMode = 'create' | 'update' | 'patch'

const PACKAGE_ACTION: Record<SourceWriteMode, string> = { create: 'package_create', update: 'package_update', patch: 'package_patch' }
const HARVEST_KEYS = ['source_type', 'frequency', 'config']

/** Both sides' messages for a field, so one answer reports every problem (as CKAN's single schema does). */
function mergeErrors(a: FieldErrors, b: FieldErrors): FieldErrors {
  const out: FieldErrors = { ...a }
  for (const [k, v] of Object.entries(b)) {
    const prev = Object.hasOwn(out, k) ? out[k] : undefined
    setOwn(out, k, Array.isArray(prev) && Array.isArray(v) ? [...new Set([...prev, ...v])] : (prev ?? v))
  }
  return out
}

/**
 * harvest_source_create/update/patch: the dataset part goes through package_create/update/patch
 * (type forced to `harvest`, `url` = the source URL), the harvest part into harvest_source, both in
 * one transaction. Harvest keys are stored only there and shown at the top level.
 */
export async function writeSource(ctx: ActionContext, data: Record<string, unknown>, mode: SourceWriteMode, ref?: string): Promise<Dict> {
  return ctx.transaction(async (tx) => {
    const existing = ref ? await findSource(tx.db, ref) : undefined
    if (ref && !existing) throw sourceNotFound(ref)
    // a patch keeps the stored harvest keys it does not mention
    const input = mode === 'patch' && existing ? { url: existing.url, source_type: existing.type, frequency: existing.frequency, config: existing.config, ...data } : data
    const { errors, fields } = await checkSourceFields(tx.db, input, existing?.id ?? null, outboundPolicy(tx.config.fetchAllowPrivate))

    const pkg: Record<string, unknown> = { ...data, type: 'harvest', url: fields.url || data.url }
    for (const k of HARVEST_KEYS) delete pkg[k]
    if (existing) pkg.id = existing.id
    let dict: Dict
    try {
      dict = await tx.call<Dict>(PACKAGE_ACTION[mode], pkg)
    } catch (err) {
      if (err instanceof ValidationError && Object.keys(errors).length > 0) throw new ValidationError(mergeErrors(err.fields, errors))
      throw err
    }
    if (Object.keys(errors).length > 0) throw new ValidationError(errors)

    const id = dict.id as string
    if (!existing) {
      const next = nextRun(fields.frequency)
      await tx.db
        .insertInto('harvest_source')
        .values({ id, url: fields.url, type: fields.type, config: fields.config, frequency: fields.frequency, next_run: next ? pgTime(next) : null, user_id: tx.caller.user?.id ?? null, created: nowIso() })
        .execute()
    } else {
      const next =
        fields.frequency === existing.frequency
          ? existing.next_run
          : (() => {
              const d = nextRun(fields.frequency)
              return d ? pgTime(d) : null
            })()
      await tx.db.updateTable('harvest_source').set({ url: fields.url, type: fields.type, config: fields.config, frequency: fields.frequency, next_run: next }).where('id', '=', id).execute()
    }
    if (dict.state !== 'active') await abortNewJobs(tx.db, id)
    // harvested datasets show the source's title in their harvest extras
    if (existing && dict.title !== (existing.title || existing.name)) await reindexHarvestedDatasets(tx.db, id)
    return sourceShowFields(tx.db, dict)
  })
}
