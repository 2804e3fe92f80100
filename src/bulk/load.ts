import { randomUUID } from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import type { Database } from '../db/schema.js'
import { IntegrityError, ValidationError } from '../errors.js'
import { validatePackage } from '../model/package-validate.js'
import { isNameConflict } from '../model/package-save.js'
import { parseIsoDate } from '../model/time.js'
import { loadVocabularies, prefetchBatch } from './batch-lookups.js'
import type { Line } from './jsonl.js'
import { fieldMessages, structureErrors } from './line-errors.js'
import { OwnerRegistry } from './owners.js'
import { foreignId } from './stable-id.js'
import { writeDatasets, type PlannedDataset } from './write.js'
import { recordPackageActivities, type Actor } from '../activity/record.js'
import { packageDicts } from '../model/package-dict.js'
import type { Config } from '../config.js'
import { afterBulkWrite } from './after-write.js'

type Dict = Record<string, unknown>

export interface LoadOptions {
  createUnownedDataset: boolean
  /** record a new/changed package activity per dataset written, as this actor (null: activities are off) */
  activities?: { actor: Actor; siteUrl: string } | null
  /** package_create's default views and xloader's automatic DataStore loads, by this configuration (absent: none) */
  effects?: Config
  /** datasets per transaction */
  batchSize?: number
  /** transactions in flight */
  parallel?: number
  /** one call per rejected line: `line N: field: message` */
  report: (message: string) => void
  /** after every committed batch: lines handled so far */
  onProgress?: (p: LoadProgress) => void
}

export interface LoadProgress {
  created: number
  updated: number
  failed: number
}

export interface LoadResult extends LoadProgress {
  /** every dataset written, for the search index */
  ids: string[]
}

interface Candidate {
  line: number
  data: Dict
  metadataCreated?: string
}

interface Rejected {
  line: number
  messages: string[]
}

interface Outcome {
  planned: PlannedDataset[]
  rejected: Rejected[]
}

/** Lines read together: the datasets to write, and the lines that were not datasets at all. */
interface Batch {
  candidates: Candidate[]
  unparsed: Rejected[]
}

const isDict = (v: unknown): v is Dict => v !== null && typeof v === 'object' && !Array.isArray(v)

/**
 * `abierto load`: ckanapi load semantics for datasets, in batches. Each line is a package_show
 * dict; a dataset with the same id (else name) is replaced as package_update would, otherwise it
 * is created as package_create would, both validated by validatePackage as a sysadmin. A batch is
 * one transaction with set-based writes; if Postgres refuses it, it is redone one dataset per
 * savepoint, so a bad record costs only itself and never leaves half a dataset behind.
 */
export async function loadDatasets(db: Kysely<Database>, lines: AsyncIterable<Line>, opts: LoadOptions): Promise<LoadResult> {
  const batchSize = opts.batchSize ?? 500
  const parallel = opts.parallel ?? 2
  const owners = await OwnerRegistry.load(db)
  const vocabularies = await loadVocabularies(db)
  const result: LoadResult = { created: 0, updated: 0, failed: 0, ids: [] }
  const reject = (line: number, messages: string[]) => {
    result.failed++
    for (const m of messages) opts.report(`line ${line}: ${m}`)
  }

  /** Validates and writes `batch` in `trx`. */
  const plan = async (trx: Kysely<Database>, batch: Candidate[]): Promise<Outcome> => {
    const facts = await prefetchBatch(
      trx,
      batch.map((c) => c.data),
      owners,
      vocabularies,
    )
    const out: Outcome = { planned: [], rejected: [] }
    for (const c of batch) {
      try {
        const structure = structureErrors(c.data)
        if (structure) throw structure
        const needs = await owners.resolve(c.data)
        const existing = facts.existing(c.data)
        const input = await validatePackage(trx, c.data, {
          mode: existing ? 'update' : 'create',
          sysadmin: true,
          existing: existing && { id: existing.id, name: existing.name, owner_org: existing.owner_org, private: existing.private },
          createUnownedDataset: opts.createUnownedDataset,
          lookups: facts.lookups,
        })
        await owners.create(needs)
        out.planned.push({ id: existing?.id ?? input.id ?? randomUUID(), input, existing, metadataCreated: c.metadataCreated })
      } catch (err) {
        if (!(err instanceof ValidationError || err instanceof IntegrityError)) throw err
        out.rejected.push({ line: c.line, messages: fieldMessages(err) })
      }
    }
    // the updated datasets as they were: a load is queued for a changed file only
    const before = opts.effects
      ? new Map(
          (
            await packageDicts(
              trx,
              out.planned.filter((p) => p.existing).map((p) => p.id),
              opts.effects.siteUrl,
            )
          ).map((d) => [String(d.id), d]),
        )
      : null
    await writeDatasets(trx, out.planned, null)
    if ((opts.activities || opts.effects) && out.planned.length) {
      const siteUrl = opts.activities?.siteUrl ?? opts.effects!.siteUrl
      const after = await packageDicts(
        trx,
        out.planned.map((p) => p.id),
        siteUrl,
      )
      const updated = new Set(out.planned.filter((p) => p.existing).map((p) => p.id))
      if (opts.activities)
        await recordPackageActivities(
          trx,
          opts.activities.actor,
          after.map((dict) => ({ kind: updated.has(String(dict.id)) ? 'changed' : 'new', dict })),
        )
      if (opts.effects) {
        const written = after.map((dict) => ({ created: !updated.has(String(dict.id)), before: before!.get(String(dict.id)) ?? null, after: dict }))
        await afterBulkWrite(trx, opts.effects, opts.activities?.actor ?? null, written)
      }
    }
    return out
  }

  /** Counts a finished batch and reports its rejected lines, in line order (with those that did not parse). */
  const commit = (out: Outcome, unparsed: Rejected[] = []) => {
    for (const r of [...unparsed, ...out.rejected].sort((a, b) => a.line - b.line)) reject(r.line, r.messages)
    for (const p of out.planned) {
      if (p.existing) result.updated++
      else result.created++
      result.ids.push(p.id)
    }
  }

  const flush = async ({ candidates, unparsed }: Batch) => {
    let out: Outcome | null = null
    if (candidates.length) {
      try {
        out = await db.transaction().execute((trx) => plan(trx, candidates))
      } catch (err) {
        if (!isDatabaseError(err)) throw err
      }
    }
    commit(out ?? (await retryOneByOne(candidates)), unparsed)
    opts.onProgress?.({ created: result.created, updated: result.updated, failed: result.failed })
  }

  // the batch hit a constraint (a concurrent writer, two lines sharing a resource id…): each dataset alone, in its own savepoint
  const retryOneByOne = async (candidates: Candidate[]): Promise<Outcome> => {
    const merged: Outcome = { planned: [], rejected: [] }
    await db.transaction().execute(async (trx) => {
      for (const c of candidates) {
        await sql`SAVEPOINT bulk_line`.execute(trx)
        try {
          const out = await plan(trx, [c])
          await sql`RELEASE SAVEPOINT bulk_line`.execute(trx)
          merged.planned.push(...out.planned)
          merged.rejected.push(...out.rejected)
        } catch (err) {
          if (!isDatabaseError(err)) throw err
          await sql`ROLLBACK TO SAVEPOINT bulk_line`.execute(trx)
          merged.rejected.push({ line: c.line, messages: [isNameConflict(err) ? 'name: That URL is already in use.' : `dataset: ${(err as Error).message}`] })
        }
      }
    })
    return merged
  }

  // Two batches in flight: while Postgres writes one, this process parses and validates the next
  // (and Postgres can use a second core). A batch that shares an id or name with one in flight
  // waits for it, so it sees that one's writes; rarer clashes (a resource id) end in the retry.
  const inflight = new Set<{ keys: Set<string>; done: Promise<void> }>()
  let failure: unknown = null
  const start = async (batch: Batch, keys: Set<string>) => {
    for (const other of [...inflight]) if ([...keys].some((k) => other.keys.has(k))) await other.done
    while (inflight.size >= parallel) await Promise.race([...inflight].map((f) => f.done))
    if (failure) throw failure
    const entry = {
      keys,
      done: flush(batch)
        .catch((err: unknown) => void (failure ??= err))
        .finally(() => inflight.delete(entry)),
    }
    inflight.add(entry)
  }

  let batch: Batch = { candidates: [], unparsed: [] }
  let keys = new Set<string>()
  for await (const line of lines) {
    const parsed = parseLine(line)
    if ('messages' in parsed) {
      batch.unparsed.push(parsed)
      continue
    }
    // lines of one batch must not meet: the later one has to see the earlier one written
    const own = [parsed.data.id, parsed.data.name].filter((k): k is string => typeof k === 'string' && k !== '')
    if (batch.candidates.length >= batchSize || own.some((k) => keys.has(k))) {
      await start(batch, keys)
      batch = { candidates: [], unparsed: [] }
      keys = new Set()
    }
    batch.candidates.push(parsed)
    for (const k of own) keys.add(k)
  }
  if (batch.candidates.length || batch.unparsed.length) await start(batch, keys)
  while (inflight.size) await Promise.race([...inflight].map((f) => f.done))
  if (failure) throw failure
  return result
}

/** JSON → a dataset dict with foreign ids translated, or why the line is unusable. */
function parseLine(line: Line): Candidate | Rejected {
  let data: unknown
  try {
    data = JSON.parse(line.text)
  } catch (err) {
    return { line: line.number, messages: [`json: ${(err as Error).message}`] }
  }
  if (!isDict(data)) return { line: line.number, messages: ['json: not a dataset dict'] }
  data.id = foreignId(data.id)
  if (Array.isArray(data.resources)) for (const r of data.resources) if (isDict(r)) r.id = foreignId(r.id)
  const candidate: Candidate = { line: line.number, data }
  if (data.metadata_created !== undefined && data.metadata_created !== null && data.metadata_created !== '') {
    const created = parseIsoDate(data.metadata_created)
    if (created === null) return { line: line.number, messages: ['metadata_created: Date format incorrect'] }
    candidate.metadataCreated = created
  }
  return candidate
}

/** An error Postgres raised (it carries a SQLSTATE), as opposed to a bug here. */
function isDatabaseError(err: unknown): boolean {
  return typeof (err as { code?: unknown })?.code === 'string' && /^[0-9A-Z]{5}$/.test((err as { code: string }).code)
}
