import cliProgress from 'cli-progress'
import { sql } from 'kysely'
import type { Config } from '../config.js'
import type { OpenDatabase } from '../db/open.js'
import { buildApp } from '../app.js'
import { ConfigError } from '../config.js'
import { ValidationError } from '../errors.js'
import { findSource } from './sources.js'
import { createJob } from './jobs.js'

export interface HarvestRunSummary {
  jobId: string
  stats: Record<string, number>
  gatherErrors: string[]
  objectErrors: number
  seconds: number
}

/**
 * `abierto harvest run SOURCE`: one job of the source, run in this process without the queue
 * (ckanext-harvest's `run-test`, but recorded as a normal job), with a progress bar on a terminal.
 */
export async function harvestRunCommand(config: Config, database: OpenDatabase, ref: string): Promise<HarvestRunSummary> {
  const db = database.kysely
  const source = await findSource(db, ref)
  if (!source) throw new ConfigError(`no harvest source ${ref}`)
  let jobId: string
  try {
    jobId = (await createJob(db, source, false)).id
  } catch (err) {
    if (err instanceof ValidationError) throw new ConfigError(Object.values(err.fields).flat().join('; '))
    throw err
  }
  const app = await buildApp({ db, config, pool: database.pool, logger: false, jobWorker: false, indexWorker: false })
  const started = performance.now()
  const tty = process.stderr.isTTY
  const bar = new cliProgress.SingleBar({ format: 'harvest {name} [{bar}] {value}/{total} objects  {rate}/s', stream: process.stderr }, cliProgress.Presets.shades_classic)
  let lastLine = 0
  try {
    let last = { gathered: 0, imported: 0 }
    const line = () => `harvest ${source.name}: ${last.imported}/${last.gathered} objects (${Math.round(last.imported / Math.max((performance.now() - started) / 1000, 0.001))}/s)\n`
    await app.harvest.runInline(jobId, (p) => {
      last = { ...p }
      const rate = Math.round(p.imported / Math.max((performance.now() - started) / 1000, 0.001))
      if (tty) {
        if (!bar.isActive) bar.start(p.gathered, p.imported, { name: source.name, rate })
        bar.setTotal(p.gathered)
        bar.update(p.imported, { rate })
      } else if (performance.now() - lastLine > 2000) {
        lastLine = performance.now()
        process.stderr.write(line())
      }
    })
    if (!tty) process.stderr.write(line())
    await app.indexer.flushFresh(100_000)
    const { rows } = await sql<{ report_status: string | null; n: number }>`
      SELECT report_status, count(*)::int AS n FROM harvest_object WHERE harvest_job_id = ${jobId} GROUP BY report_status`.execute(db)
    const stats: Record<string, number> = { added: 0, updated: 0, 'not modified': 0, errored: 0, deleted: 0 }
    for (const r of rows) if (r.report_status) stats[r.report_status] = r.n
    const gatherErrors = (await db.selectFrom('harvest_gather_error').select('message').where('harvest_job_id', '=', jobId).orderBy('created').execute()).map((r) => r.message)
    stats.errored += gatherErrors.length
    return { jobId, stats, gatherErrors, objectErrors: rows.find((r) => r.report_status === 'errored')?.n ?? 0, seconds: (performance.now() - started) / 1000 }
  } finally {
    if (bar.isActive) bar.stop()
    await app.close()
  }
}
