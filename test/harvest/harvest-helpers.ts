import http from 'node:http'
import { sql } from 'kysely'
import type { TestApp } from '../helpers/app.js'
import { serveLocally } from '../helpers/local-server.js'

type Dict = Record<string, any>

/**
 * Environment of a harvesting test app: its remotes are servers on this machine, which harvesting
 * refuses unless FETCH_ALLOW_PRIVATE allows them (test/harvest/ssrf.test.ts proves the refusal).
 */
export const LOCAL_REMOTES = { FETCH_ALLOW_PRIVATE: '127.0.0.1' }

/** A harvest source on `app`, created with harvest_source_create; returns its id. */
export async function createSource(app: TestApp, fields: { name: string; url: string; source_type: string; owner_org?: string; config?: string; frequency?: string }): Promise<string> {
  const source = await app.ok<Dict>('harvest_source_create', { title: fields.name, ...fields })
  return source.id
}

/**
 * A job of the source through harvest_job_create: with `queue` its gather task is queued for the
 * worker (run=true); otherwise it stays New for `app.harvest.runInline`.
 */
export async function startJob(app: TestApp, sourceId: string, opts: { queue?: boolean } = {}): Promise<string> {
  const job = await app.ok<Dict>('harvest_job_create', { source_id: sourceId, run: opts.queue === true })
  return job.id
}

export interface JobReport {
  status: string
  mode: string | null
  stats: Record<string, number>
  gatherErrors: string[]
  objectErrors: { guid: string; message: string }[]
}

export async function jobReport(app: TestApp, jobId: string): Promise<JobReport> {
  const db = app.db.kysely
  const job = await db.selectFrom('harvest_job').selectAll().where('id', '=', jobId).executeTakeFirstOrThrow()
  const { rows } = await sql<{ report_status: string | null; n: number }>`
    SELECT report_status, count(*)::int AS n FROM harvest_object WHERE harvest_job_id = ${jobId} GROUP BY report_status`.execute(db)
  const stats: Record<string, number> = { added: 0, updated: 0, 'not modified': 0, errored: 0, deleted: 0 }
  for (const r of rows) if (r.report_status) stats[r.report_status] = r.n
  const gatherErrors = (await db.selectFrom('harvest_gather_error').select('message').where('harvest_job_id', '=', jobId).execute()).map((r) => r.message)
  const objectErrors = await db
    .selectFrom('harvest_object_error')
    .innerJoin('harvest_object', 'harvest_object.id', 'harvest_object_error.harvest_object_id')
    .select(['harvest_object.guid', 'harvest_object_error.message'])
    .where('harvest_object.harvest_job_id', '=', jobId)
    .execute()
  return { status: job.status, mode: job.mode, stats, gatherErrors, objectErrors }
}

export async function waitForJob(app: TestApp, jobId: string, timeoutMs: number): Promise<{ status: string }> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const job = await app.db.kysely.selectFrom('harvest_job').select('status').where('id', '=', jobId).executeTakeFirstOrThrow()
    if (job.status === 'Finished' || Date.now() > until) return job
    await new Promise((r) => setTimeout(r, 200))
  }
}

export interface RecordingProxy {
  url: string
  /** path and query of every request, in arrival order */
  requests: string[]
}

/**
 * A proxy in front of an Abierto remote that records what the harvester asks; with `plainCkan` it
 * answers `changes_since` as a real CKAN answers an action it does not know.
 */
export async function recordingProxy(t: { teardown(fn: () => unknown): void }, upstream: string, opts: { plainCkan?: boolean } = {}): Promise<RecordingProxy> {
  const requests: string[] = []
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '')
    const name = /^\/api\/(?:3\/)?action\/([^/?]+)/.exec(req.url ?? '')?.[1]
    if (opts.plainCkan && name === 'changes_since') {
      res.writeHead(400, { 'content-type': 'application/json;charset=utf-8' })
      res.end(JSON.stringify(`Bad request - Action name not known: ${name}`))
      return
    }
    const target = new URL(req.url ?? '/', upstream)
    const out = http.request(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers)
      up.pipe(res)
    })
    out.on('error', () => res.destroy())
    req.pipe(out)
  })
  return { url: await serveLocally(t, server), requests }
}

/** The action names of recorded requests, counted. */
export function actionCounts(requests: string[]): Record<string, number> {
  const out: Record<string, number> = {}
  for (const r of requests) {
    const name = /^\/api\/(?:3\/)?action\/([^/?]+)/.exec(r)?.[1] ?? r
    out[name] = (out[name] ?? 0) + 1
  }
  return out
}
