import cliProgress from 'cli-progress'
import type { Config } from '../config.js'
import type { OpenDatabase } from '../db/open.js'
import { buildApp } from '../app.js'
import { ConfigError } from '../config.js'
import { ValidationError } from '../errors.js'
import { findSource } from './sources/sources.js'
import { createJob, findJob } from './pipeline/jobs.js'
import { jobDict } from './sources/dictize.js'

export interface HarvestRunSummary {
  jobId: string
  stats: Record<string, number>
  gatherErrors: string[]
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
    const rate = () => Math.round(last.imported / Math.max((performance.now() - started) / 1000, 0.001))
    const line = () => `harvest ${source.name}: ${last.imported}/${last.gathered} objects (${rate()}/s)\n`
    await app.harvest.runInline(jobId, (p) => {
      last = { ...p }
      if (tty) {
        if (!bar.isActive) bar.start(p.gathered, p.imported, { name: source.name, rate: rate() })
        bar.setTotal(p.gathered)
        bar.update(p.imported, { rate: rate() })
      } else if (performance.now() - lastLine > 2000) {
        lastLine = performance.now()
        process.stderr.write(line())
      }
    })
    if (!tty) process.stderr.write(line())
    await app.indexer.flushFresh(100_000)
    // the counts harvest_job_show reports, errored included (objects with errors plus gather errors)
    const job = await jobDict(db, (await findJob(db, jobId))!)
    const gatherErrors = (job.gather_error_summary as { message: string }[]).map((e) => e.message)
    return { jobId, stats: job.stats as Record<string, number>, gatherErrors, seconds: (performance.now() - started) / 1000 }
  } finally {
    if (bar.isActive) bar.stop()
    await app.close()
  }
}
