import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import type { HarvestObjectRow, PackageRow } from '../../db/schema.js'
import type { ActionContext } from '../../actions/context.js'
import { validateParams } from '../../actions/params.js'
import { datasetParams } from '../../actions/package/schema.js'
import { ValidationError } from '../../errors.js'
import { validatePackage } from '../../model/package-validate.js'
import { isNameConflict, nameInUse } from '../../model/package-save.js'
import { packageDicts, type PackageDict } from '../../model/package-dict.js'
import { nowIso } from '../../model/time.js'
import { actorOf, recordPackageActivities } from '../../activity/record.js'
import { addViewsToDatasetResources } from '../../resource-views/default-views.js'
import { changedLoads } from '../../datastore/load/auto.js'
import { submitLoads } from '../../datastore/load/status.js'
import { writeDatasets, type PlannedDataset } from '../../bulk/write.js'
import type { OutboundPolicy } from '../../net/outbound.js'
import type { Harvester, PreparedDataset, SourceInfo } from '../harvesters/harvester.js'
import { HarvestConflict, importErrorText, isDatabaseError } from './import-errors.js'
import { importLookups } from './import-lookups.js'
import { uniqueNames } from './unique-name.js'

/**
 * The import stage for a batch of one job's objects, in one transaction: the records are
 * prepared and validated one by one, then written together with the bulk loader's set-based
 * statements (src/bulk/write.ts), with what package_create/package_update do besides the rows:
 * activities, default views, DataStore loads, package_update's unchanged-dataset rule. If
 * Postgres refuses the batch (a name taken meanwhile by a concurrent import, a resource id two
 * records share…), it is redone one object per savepoint: a bad object errors alone, the others
 * land, and none is left half-written.
 */

type Dict = Record<string, unknown>

export interface ImportScope {
  source: SourceInfo
  harvester: Harvester
  policy: OutboundPolicy
  /** the harvest user's context outside the batch (harvesters create shared organizations through it) */
  outside: ActionContext
}

/** Records of a batch prepared at once. */
const PREPARE_PARALLEL = 8

type Report = 'added' | 'updated' | 'not modified' | 'deleted'

type Outcome = { obj: HarvestObjectRow; report: Report; packageId: string | null; current: boolean; retire?: string } | { obj: HarvestObjectRow; error: unknown }

interface Found {
  obj: HarvestObjectRow
  previous?: HarvestObjectRow
  /** the dataset of the previous current object, if it still exists and is not deleted */
  live?: PackageRow
}

interface Prepared extends Found {
  prepared: PreparedDataset
}

interface Plan {
  found: Prepared
  data: Dict
  target?: PackageRow
}

/** Imports `objects` (pending, of one job): each ends COMPLETE or ERROR with its bookkeeping. */
export async function importBatch(scope: ImportScope, objects: HarvestObjectRow[]): Promise<void> {
  if (objects.length === 0) return
  try {
    await scope.outside.transaction(async (tx) => {
      // Harvests write many transactions: don't wait for each WAL flush. A crash may lose the last
      // few batches, objects and datasets together, and the next run redoes them.
      await sql`SET LOCAL synchronous_commit = off`.execute(tx.db)
      await recordOutcomes(tx, await importAll(tx, scope, objects))
    })
  } catch {
    // whatever it was (usually Postgres refusing a row), each object again on its own
    await importOneByOne(scope, objects)
  }
}

/** Each object in its own savepoint of one transaction: what fails is rolled back alone and recorded as the object's error. */
async function importOneByOne(scope: ImportScope, objects: HarvestObjectRow[]): Promise<void> {
  await scope.outside.transaction(async (tx) => {
    await sql`SET LOCAL synchronous_commit = off`.execute(tx.db)
    for (const obj of objects) {
      for (let attempt = 1; ; attempt++) {
        await sql`SAVEPOINT harvest_object`.execute(tx.db)
        let outcomes: Outcome[]
        try {
          outcomes = await importAll(tx, scope, [obj])
        } catch (err) {
          outcomes = [{ obj, error: isNameConflict(err) ? nameInUse() : err }]
        }
        const failed = outcomes.find((o) => 'error' in o)
        if (failed) await sql`ROLLBACK TO SAVEPOINT harvest_object`.execute(tx.db)
        // two imports running at once may pick the same free name: the loser picks again
        if (failed && attempt < 3 && (failed as { error: unknown }).error instanceof ValidationError && 'name' in ((failed as { error: ValidationError }).error.fields ?? {})) continue
        await recordOutcomes(tx, outcomes)
        await sql`RELEASE SAVEPOINT harvest_object`.execute(tx.db)
        break
      }
    }
  })
}

/**
 * Imports `objects` in `tx`. Per-object failures that are not Postgres' (invalid records,
 * conflicts) come back as outcomes; a Postgres error is thrown, the transaction being lost.
 */
async function importAll(tx: ActionContext, scope: ImportScope, objects: HarvestObjectRow[]): Promise<Outcome[]> {
  const { source, harvester } = scope
  const siteUrl = tx.config.siteUrl
  const ids = objects.map((o) => o.id)
  await sql`UPDATE harvest_object SET state = 'IMPORT', import_started = ${nowIso()}, retry_times = retry_times + 1 WHERE id = ANY(${ids}::text[])`.execute(tx.db)
  const previousRows = await tx.db
    .selectFrom('harvest_object')
    .selectAll()
    .where('harvest_source_id', '=', source.id)
    .where('guid', '=', sql<string>`ANY(${objects.map((o) => o.guid)}::text[])`)
    .where('current', '=', true)
    .orderBy('id')
    .forUpdate()
    .execute()
  const previousOf = new Map(previousRows.map((p) => [p.guid, p]))
  const packageIds = [...new Set(previousRows.map((p) => p.package_id).filter((id): id is string => id !== null))]
  const packages = new Map(
    (packageIds.length
      ? await tx.db
          .selectFrom('package')
          .selectAll()
          .where('id', '=', sql<string>`ANY(${packageIds}::text[])`)
          .execute()
      : []
    ).map((p) => [p.id, p]),
  )

  const outcomes: Outcome[] = []
  const pending: Found[] = []
  for (const obj of objects) {
    const previous = previousOf.get(obj.guid)
    const existing = previous?.package_id ? packages.get(previous.package_id) : undefined
    if ((obj.extras as Record<string, string>).status === 'delete') {
      try {
        if (existing && existing.state !== 'deleted') await tx.call('package_delete', { id: existing.id })
        outcomes.push({ obj, report: 'deleted', packageId: existing?.id ?? obj.package_id, current: false, retire: previous?.id })
      } catch (err) {
        if (isDatabaseError(err)) throw err
        outcomes.push({ obj, error: err })
      }
      continue
    }
    // unchanged at the source: the dataset stays as it is and its current object stays current
    if (previous && existing?.state === 'active' && previous.content_hash === obj.content_hash) outcomes.push({ obj, report: 'not modified', packageId: existing.id, current: false })
    else pending.push({ obj, previous, live: existing && existing.state !== 'deleted' ? existing : undefined })
  }
  if (pending.length === 0) return outcomes

  // the harvester sees each dataset as package_show shows it
  const before = new Map(
    (
      await packageDicts(
        tx.db,
        pending.flatMap((f) => (f.live ? [f.live.id] : [])),
        siteUrl,
      )
    ).map((d) => [String(d.id), d]),
  )
  // Several records at a time: a harvester waits on the remote (the CKAN one copies unknown
  // organizations from it); the same shared call made twice in a batch is made once.
  const shared = new Map<string, Promise<unknown>>()
  const batchMemo = new Map<string, unknown>()
  const callOutside = <R>(name: string, params: Dict): Promise<R> => {
    const key = `${name}\u0000${JSON.stringify(params)}`
    if (!shared.has(key)) shared.set(key, scope.outside.call(name, params))
    return shared.get(key) as Promise<R>
  }
  const results = await inParallel(pending, PREPARE_PARALLEL, async (f) => {
    try {
      const p = await harvester.prepare(
        {
          source,
          db: tx.db,
          jobId: f.obj.harvest_job_id,
          objectId: f.obj.id,
          policy: scope.policy,
          existing: (f.live && before.get(f.live.id)) ?? null,
          call: (name, params) => tx.call(name, params),
          callOutside,
          batchMemo,
        },
        { guid: f.obj.guid, content: f.obj.content ?? '' },
      )
      return { ...f, prepared: p } as Prepared
    } catch (err) {
      return { obj: f.obj, error: err as unknown }
    }
  })
  const prepared: Prepared[] = []
  for (const r of results) {
    if ('prepared' in r) prepared.push(r)
    else if (isDatabaseError(r.error)) throw r.error
    else outcomes.push(r)
  }

  // the datasets written to, locked as package_update locks them: the live one, else one with the record's id
  const targetIds = [...new Set(prepared.flatMap((p) => (p.live ? [p.live.id] : p.prepared.id ? [p.prepared.id] : [])))]
  const targets = new Map(
    (targetIds.length
      ? await tx.db
          .selectFrom('package')
          .selectAll()
          .where('id', '=', sql<string>`ANY(${targetIds}::text[])`)
          .orderBy('id')
          .forUpdate()
          .execute()
      : []
    ).map((p) => [p.id, p]),
  )
  // the CKAN harvester keeps remote ids: a dataset with this id may be another source's
  const adopted = prepared.flatMap((p) => (!p.live && p.prepared.id && targets.has(p.prepared.id) ? [p.prepared.id] : []))
  const owners = new Map<string, { source_name: string; harvest_source_id: string }>()
  if (adopted.length) {
    const rows = await tx.db
      .selectFrom('harvest_object')
      .innerJoin('package', 'package.id', 'harvest_object.harvest_source_id')
      .select(['package.name as source_name', 'harvest_object.harvest_source_id', 'harvest_object.package_id'])
      .where('harvest_object.package_id', '=', sql<string>`ANY(${adopted}::text[])`)
      .where('harvest_object.current', '=', true)
      .execute()
    for (const r of rows) if (r.package_id && !owners.has(r.package_id)) owners.set(r.package_id, r)
  }

  const plans: Plan[] = []
  for (const p of prepared) {
    const owner_org = p.prepared.dict.owner_org ?? source.owner_org
    let target = p.live ? (targets.get(p.live.id) ?? p.live) : undefined
    if (!target && p.prepared.id) {
      const same = targets.get(p.prepared.id)
      const owner = same && owners.get(same.id)
      if (same && owner && owner.harvest_source_id !== source.id) {
        outcomes.push({ obj: p.obj, error: new HarvestConflict(`Dataset ${same.name} (${same.id}) is already harvested by source ${owner.source_name}`) })
        continue
      }
      target = same
    }
    plans.push(
      target ? { found: p, target, data: { ...p.prepared.dict, id: target.id, name: target.name, state: 'active', owner_org } } : { found: p, data: { ...p.prepared.dict, ...(p.prepared.id ? { id: p.prepared.id } : {}), owner_org } },
    )
  }
  const creates = plans.filter((p) => !p.target)
  const names = await uniqueNames(
    tx.db,
    creates.map((p) => p.found.prepared.name),
  )
  creates.forEach((p, i) => (p.data.name = names[i]))

  const lookups = await importLookups(
    tx.db,
    plans.map((p) => p.data),
  )
  const planned: Array<PlannedDataset & { plan: Plan }> = []
  for (const plan of plans) {
    try {
      const data = validateParams(datasetParams, plan.data)
      const { target } = plan
      const input = await validatePackage(tx.db, data, {
        mode: target ? 'update' : 'create',
        // the harvest user is a sysadmin (harvestUser checks): package_create/update's auth always passes
        sysadmin: true,
        existing: target && { id: target.id, name: target.name, owner_org: target.owner_org, private: target.private },
        createUnownedDataset: tx.config.createUnownedDataset,
        lookups,
      })
      planned.push({ id: target?.id ?? input.id ?? randomUUID(), input, existing: target, plan })
    } catch (err) {
      if (isDatabaseError(err)) throw err
      outcomes.push({ obj: plan.found.obj, error: err })
    }
  }
  if (planned.length === 0) return outcomes

  // package_update compares with the dataset as it was (also one adopted by id, not shown to the harvester)
  const missing = planned.flatMap((p) => (p.existing && !before.has(p.id) ? [p.id] : []))
  for (const d of await packageDicts(tx.db, missing, siteUrl)) before.set(String(d.id), d)
  await writeDatasets(tx.db, planned, tx.caller.user?.id ?? null)
  const after = new Map(
    (
      await packageDicts(
        tx.db,
        planned.map((p) => p.id),
        siteUrl,
      )
    ).map((d) => [String(d.id), d]),
  )
  await keepUnchangedModified(tx, planned, before, after)

  const actor = actorOf(tx)
  if (actor)
    await recordPackageActivities(
      tx.db,
      actor,
      planned.map((p) => ({ kind: p.existing ? 'changed' : 'new', dict: after.get(p.id)! })),
    )
  const loads: Array<{ id: string; url: string | null }> = []
  for (const p of planned) {
    const dict = after.get(p.id)!
    // package_create's default views (as the system); package_update adds none
    if (!p.existing && (dict.resources as unknown[]).length > 0) await addViewsToDatasetResources(tx, dict, { datastore: false, authorize: false })
    loads.push(...changedLoads(tx.config, (p.existing && before.get(p.id)) ?? null, dict))
    const { obj, previous } = p.plan.found
    outcomes.push({ obj, report: p.existing && previous ? 'updated' : 'added', packageId: p.id, current: true, retire: previous?.id })
  }
  // tabular files go to the DataStore: the loads are queued with the datasets, or not at all
  await submitLoads(tx.db, loads)
  return outcomes
}

/**
 * package_update's rule: metadata_modified moves only when the dataset dict changed, or to a new
 * value the record gives. The bulk writer stamped every updated dataset: the unchanged get their
 * old value back.
 */
async function keepUnchangedModified(tx: ActionContext, planned: PlannedDataset[], before: Map<string, PackageDict>, after: Map<string, PackageDict>): Promise<void> {
  const ids: string[] = []
  const values: string[] = []
  for (const p of planned) {
    const old = p.existing
    const was = before.get(p.id)
    const now = after.get(p.id)
    if (!old || !was || !now) continue
    if (p.input.metadata_modified !== undefined && p.input.metadata_modified !== old.metadata_modified) continue
    const wanted = withoutModified(was) === withoutModified(now) ? old.metadata_modified : now.metadata_modified === old.metadata_modified ? nowIso() : null
    if (wanted === null || wanted === now.metadata_modified) continue
    ids.push(p.id)
    values.push(wanted)
    after.set(p.id, { ...now, metadata_modified: wanted })
  }
  if (ids.length) await sql`UPDATE package p SET metadata_modified = v.m::timestamp FROM unnest(${ids}::text[], ${values}::text[]) AS v(id, m) WHERE p.id = v.id`.execute(tx.db)
}

function withoutModified(d: PackageDict): string {
  const { metadata_modified: _m, resources, ...rest } = d
  const res = (resources as Dict[]).map(({ metadata_modified: _r, ...r }) => r)
  return JSON.stringify({ ...rest, resources: res })
}

/** The objects' bookkeeping, as ckanext-harvest's import stage leaves it. */
async function recordOutcomes(tx: ActionContext, outcomes: Outcome[]): Promise<void> {
  const now = nowIso()
  const done = outcomes.filter((o): o is Extract<Outcome, { report: Report }> => 'report' in o)
  const failed = outcomes.filter((o): o is Extract<Outcome, { error: unknown }> => 'error' in o)
  // the previous current object stops being current first: one current object per guid and per dataset
  const retired = done.flatMap((o) => (o.retire ? [o.retire] : []))
  if (retired.length) await sql`UPDATE harvest_object SET current = false WHERE id = ANY(${retired}::text[])`.execute(tx.db)
  if (done.length) {
    const rows = done.map((o) => ({ id: o.obj.id, report_status: o.report, package_id: o.packageId, current: o.current }))
    await sql`UPDATE harvest_object o SET state = 'COMPLETE', report_status = v.report_status, package_id = v.package_id, current = v.current, import_finished = ${now}
                FROM json_to_recordset(${JSON.stringify(rows)}::json) AS v(id text, report_status text, package_id text, current boolean) WHERE o.id = v.id`.execute(tx.db)
  }
  if (failed.length) {
    const ids = failed.map((o) => o.obj.id)
    await sql`UPDATE harvest_object SET state = 'ERROR', report_status = 'errored', import_started = coalesce(import_started, ${now}::timestamp), import_finished = ${now}
                WHERE id = ANY(${ids}::text[])`.execute(tx.db)
    await tx.db
      .insertInto('harvest_object_error')
      .values(failed.map((o) => ({ id: randomUUID(), harvest_object_id: o.obj.id, message: importErrorText(o.obj.guid, o.error), stage: 'Import', line: null, created: now })))
      .execute()
  }
}

/** `fn` over `items` with at most `limit` running at once; results in the items' order. */
async function inParallel<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i])
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return out
}
