import { harvestUser } from '../auth/users.js'
import { createWriteStream, statSync } from 'node:fs'
import { finished } from 'node:stream/promises'
import pino from 'pino'
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema.js'
import type { Config } from '../config.js'
import { openSearchIndex } from '../search/open.js'
import { SearchIndexer } from '../search/indexer.js'
import { openInput, readLines, type Line } from './jsonl.js'
import { loadDatasets, type LoadResult } from './load.js'
import { makeSearchable, type IndexPlan } from './make-searchable.js'
import { dumpDatasets } from './dump.js'
import { progress } from './progress.js'

export interface LoadSummary extends LoadResult {
  seconds: number
  indexSeconds: number
  index: IndexPlan
}

/** Counts the bytes of the lines read, for a bar over a file whose line count is unknown. */
async function* counting(lines: AsyncIterable<Line>, seen: { bytes: number }): AsyncGenerator<Line> {
  for await (const line of lines) {
    seen.bytes += Buffer.byteLength(line.text) + 1
    yield line
  }
}

/** `abierto load FILE|-`: load, then make the datasets searchable; rejected lines go to stderr. */
export async function loadCommand(config: Config, db: Kysely<Database>, file: string): Promise<LoadSummary> {
  const started = performance.now()
  const size = file === '-' ? 0 : statSync(file).size
  const seen = { bytes: 0 }
  const bar = progress('load', '{percentage}%  {datasets} datasets  {rate}/s', (_v, _t, p) => `${p.datasets} datasets (${p.rate}/s)`)
  const rate = (n: number) => Math.round(n / ((performance.now() - started) / 1000))
  let result: LoadResult
  try {
    result = await loadDatasets(db, counting(readLines(openInput(file)), seen), {
      createUnownedDataset: config.createUnownedDataset,
      activities: config.activityStreamsEnabled ? { actor: await harvestUser(db), siteUrl: config.siteUrl } : null,
      effects: config,
      report: (message) => process.stderr.write(`${message}\n`),
      onProgress: (p) => {
        const n = p.created + p.updated + p.failed
        bar.update(size ? seen.bytes : n, size || n, { datasets: n, rate: rate(n) })
      },
    })
  } finally {
    bar.stop()
  }

  const indexStarted = performance.now()
  const index = await openSearchIndex(config, db)
  const indexer = new SearchIndexer(db, index, pino({ level: 'warn' }))
  const indexBar = progress('index', '{value}/{total} datasets  {percentage}%', (v, t) => `${v}/${t} datasets`)
  let plan: IndexPlan
  try {
    plan = await makeSearchable(db, indexer, result.ids, (done, total) => indexBar.update(done, total))
  } finally {
    indexBar.stop()
    await index.close()
  }
  const now = performance.now()
  return { ...result, index: plan, seconds: (now - started) / 1000, indexSeconds: (now - indexStarted) / 1000 }
}

export function loadSummaryLine(s: LoadSummary): string {
  const written = s.created + s.updated
  return `created ${s.created}, updated ${s.updated}, failed ${s.failed} in ${s.seconds.toFixed(1)} s ` + `(${Math.round(written / Math.max(s.seconds, 0.001))} datasets/s; search index: ${s.index.mode} in ${s.indexSeconds.toFixed(1)} s)`
}

export interface DumpFlags {
  includePrivate: boolean
  includeDrafts: boolean
  includeDeleted: boolean
}

/** `abierto dump FILE|-`: the datasets as JSON lines; the bar goes to stderr so stdout stays clean. */
export async function dumpCommand(config: Config, db: Kysely<Database>, file: string, flags: DumpFlags): Promise<{ count: number; seconds: number }> {
  const started = performance.now()
  const out = file === '-' ? process.stdout : createWriteStream(file)
  const bar = progress('dump', '{value}/{total} datasets  {percentage}%', (v, t) => `${v}/${t} datasets`)
  try {
    const count = await dumpDatasets(db, out, { siteUrl: config.siteUrl, ...flags, onProgress: (done, total) => bar.update(done, total) })
    if (out !== process.stdout) {
      out.end()
      await finished(out)
    } else {
      // the CLI exits right after: a pipe's buffered lines must be out first
      await new Promise<void>((resolve) => process.stdout.write('', () => resolve()))
    }
    return { count, seconds: (performance.now() - started) / 1000 }
  } finally {
    bar.stop()
  }
}
