/**
 * `npm run bench` (change feed part; alone: `node dist/scripts/bench-feed.js`): pages
 * BENCH_FEED_CHANGES (default 100,000) changes through GET /api/3/changes on a server process, one
 * client reading page after page as a harvester or mirror does, at several page sizes. Target:
 * ≥ 20,000 changes/s at the largest page. The changes are made in SQL (datasets inserted, then
 * retitled, a thousand per statement), so the triggers write the log as any write path would;
 * the log is numbered and vacuumed before the server starts.
 *
 * Environment: BENCH_FEED_CHANGES, BENCH_KEEP=1 (keep the DATA_DIR).
 */
import { mkdtempSync, promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'kysely'
import { loadConfig } from '../src/config.js'
import { openDatabase } from '../src/db/open.js'
import { freePort, startServerProcess, type ServerProcess } from './lib/server-process.js'

const env = process.env
const total = Number(env.BENCH_FEED_CHANGES ?? 100_000)
const TARGET = 20_000
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d })
type Change = { seq: number; type: string; id: string }

async function pageAll(url: string, limit: number): Promise<{ seconds: number; changes: number; pages: number; ordered: boolean }> {
  let cursor = ''
  let changes = 0
  let pages = 0
  let last = 0
  let ordered = true
  const t0 = performance.now()
  for (;;) {
    const res = await fetch(`${url}/api/3/changes?limit=${limit}&cursor=${cursor}`)
    const body = (await res.json()) as { success: boolean; result: { cursor: string; changes: Change[] } }
    if (!body.success) throw new Error(`changes_since failed: ${res.status}`)
    pages++
    for (const c of body.result.changes) {
      if (c.seq !== last + 1) ordered = false
      last = c.seq
    }
    changes += body.result.changes.length
    if (body.result.changes.length === 0) break
    cursor = body.result.cursor
  }
  return { seconds: (performance.now() - t0) / 1000, changes, pages, ordered }
}

async function main(): Promise<number> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'abierto-bench-feed-'))
  console.log(`\nChange feed benchmark: ${fmt(total)} changes paged through GET /api/3/changes (target ≥ ${fmt(TARGET)} changes/s)`)
  let server: ServerProcess | null = null
  try {
    const config = loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'warn', SITE_URL: 'http://bench.local' })
    const db = await openDatabase(config)
    await sql`INSERT INTO "group" (id, name, title, description, type, is_organization, created) VALUES ('bench-org', 'bench-org', 'Bench', '', 'organization', true, now())`.execute(db.kysely)
    const half = Math.ceil(total / 2)
    const t0 = performance.now()
    for (let from = 0; from < half; from += 1000) {
      await sql`INSERT INTO package (id, name, title, type, state, private, owner_org, metadata_created, metadata_modified)
        SELECT md5('feed/' || k)::uuid::text, 'feed-' || k, 'Conjunto ' || k, 'dataset', 'active', false, 'bench-org', now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
          FROM generate_series(${from}::int, ${Math.min(from + 1000, half) - 1}::int) k`.execute(db.kysely)
    }
    for (let from = 0; from < total - half; from += 1000) {
      await sql`UPDATE package SET title = 'Conjunto renombrado ' || substr(name, 6), metadata_modified = now() AT TIME ZONE 'UTC'
        WHERE name IN (SELECT 'feed-' || k FROM generate_series(${from}::int, ${Math.min(from + 1000, total - half) - 1}::int) k)`.execute(db.kysely)
    }
    const made = Number((await sql<{ n: string }>`SELECT count(*) AS n FROM package_change`.execute(db.kysely)).rows[0].n)
    console.log(`  ${fmt(made)} changes written in ${fmt((performance.now() - t0) / 1000, 1)} s (SQL, 1,000 per statement)`)
    // the first reader numbers the whole log (abierto_stamp_changes): timed apart; then the
    // vacuum autovacuum would soon run (until it does, the index of unnumbered rows still holds
    // every numbered one, and each page pays a walk over them: see the report line below)
    const s0 = performance.now()
    await sql`SELECT abierto_stamp_changes()`.execute(db.kysely)
    const stampMs = performance.now() - s0
    const v0 = performance.now()
    await sql`SELECT abierto_stamp_changes()`.execute(db.kysely)
    const unvacuumedMs = performance.now() - v0
    // the datasets need no search index here: a server reindexing them would compete with the reader
    await sql`DELETE FROM search_outbox`.execute(db.kysely)
    await sql`VACUUM ANALYZE package_change`.execute(db.kysely)
    const v1 = performance.now()
    await sql`SELECT abierto_stamp_changes()`.execute(db.kysely)
    const vacuumedMs = performance.now() - v1
    console.log(`  numbering all ${fmt(made)} changes (first reader): ${fmt(stampMs)} ms; a reader's call with nothing new: ${fmt(unvacuumedMs, 1)} ms before VACUUM, ${fmt(vacuumedMs, 1)} ms after`)
    await db.shutdown()

    server = await startServerProcess({ env: { DATA_DIR: dir, LOG_LEVEL: 'warn', PORT: String(await freePort()) }, logFile: path.join(dir, 'server.log'), timeoutMs: 60_000 })
    let verdict = 0
    for (const limit of [10000, 1000, 100, 100]) {
      const r = await pageAll(server.url, limit)
      const rate = r.changes / r.seconds
      const ok = r.changes === made && r.ordered
      console.log(`  limit ${fmt(limit).padStart(6)}: ${fmt(r.changes)} changes in ${fmt(r.pages)} pages, ${fmt(r.seconds, 2)} s = ${fmt(rate)} changes/s${ok ? '' : '  ← WRONG: changes missing, repeated or out of order'}`)
      if (!ok) verdict = 1
      if (limit === 10000 && rate < TARGET) verdict = 1
    }
    console.log(verdict === 0 ? `  verdict: ≥ ${fmt(TARGET)} changes/s at limit 10,000, every change once and in order` : '  verdict: FAILED')
    return verdict
  } finally {
    await server?.stop()
    if (env.BENCH_KEEP === '1') console.log(`DATA_DIR kept: ${dir}`)
    else await fs.rm(dir, { recursive: true, force: true })
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`bench-feed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
    process.exit(1)
  },
)
