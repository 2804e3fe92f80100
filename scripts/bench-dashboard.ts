/**
 * `node dist/scripts/bench-dashboard.js`: times dashboard_activity_list and
 * dashboard_new_activities_count on a large activity table. Builds in SQL 2,000 users, 20
 * organizations and 20 groups, 20,000 datasets (5 % private, half of them in a group) and
 * BENCH_DASHBOARD_ACTIVITIES (default 500,000) package activities by random-looking users over
 * a year. Two callers: a busy one (follows 50 users, 200 datasets, 3 organizations and 3 groups:
 * a dense stream) and a quiet one (follows 2 users who seldom write: a sparse stream, where a
 * scan down the whole timeline would be slow). Each action is called in-process (app.inject)
 * BENCH_DASHBOARD_REQUESTS (default 30) times: p50/p99.
 * Deterministic data (no random()).
 *
 * Environment: DATABASE_URL (external; default embedded in a temporary DATA_DIR),
 * BENCH_DASHBOARD_ACTIVITIES, BENCH_DASHBOARD_REQUESTS, BENCH_KEEP=1 (keep the DATA_DIR).
 */
import { mkdtempSync, promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { sql, type Kysely } from 'kysely'
import { loadConfig } from '../src/config.js'
import { openDatabase } from '../src/db/open.js'
import type { Database } from '../src/db/schema.js'
import { buildApp } from '../src/app.js'
import { issueToken } from '../src/auth/tokens.js'

const env = process.env
const activities = Number(env.BENCH_DASHBOARD_ACTIVITIES ?? 500_000)
const requests = Number(env.BENCH_DASHBOARD_REQUESTS ?? 30)
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d })

async function build(db: Kysely<Database>, total: number): Promise<void> {
  await sql`INSERT INTO "user" (id, name, email, created, state) SELECT 'u-' || k, 'user-' || k, 'u' || k || '@example.org', timestamp '2019-01-01', 'active' FROM generate_series(0, 1999) k`.execute(db)
  await sql`INSERT INTO "group" (id, name, title, description, type, is_organization, created)
    SELECT 'o-' || k, 'org-' || k, 'Org ' || k, '', 'organization', true, now() FROM generate_series(0, 19) k
    UNION ALL SELECT 'g-' || k, 'grp-' || k, 'Group ' || k, '', 'group', false, now() FROM generate_series(0, 19) k`.execute(db)
  await sql`INSERT INTO package (id, name, title, owner_org, private, state, type, metadata_created, metadata_modified, extras)
    SELECT 'd-' || n, 'ds-' || n, 'Dataset ' || n, 'o-' || (n % 20), n % 20 = 7, 'active', 'dataset', timestamp '2020-01-01', timestamp '2020-01-01', '[]'::jsonb
    FROM generate_series(0, 19999) n`.execute(db)
  await sql`INSERT INTO member (id, group_id, table_name, table_id, capacity, state)
    SELECT 'm-' || n, 'g-' || (n % 20), 'package', 'd-' || n, 'public', 'active' FROM generate_series(0, 19999, 2) n`.execute(db)
  // users 1990-1999 write seldom (every 5,000th activity): the quiet caller follows two of them
  await sql`INSERT INTO activity (id, timestamp, user_id, object_id, activity_type, data, permission_labels)
    SELECT 'a-' || n, timestamp '2024-01-01' + n * (interval '1 year' / ${total}),
      CASE WHEN n % 5000 = 0 THEN 'u-' || (1990 + (n / 5000) % 10) ELSE 'u-' || ((n * 7919) % 1990) END,
      'd-' || ((n * 104729) % 20000), 'changed package',
      json_build_object('package', json_build_object('id', 'd-' || ((n * 104729) % 20000), 'name', 'ds-' || ((n * 104729) % 20000), 'title', 'Dataset'), 'actor', 'someone'),
      CASE WHEN ((n * 104729) % 20000) % 20 = 7 THEN ARRAY['member-o-' || (((n * 104729) % 20000) % 20)] ELSE ARRAY['public'] END
    FROM generate_series(1::bigint, ${total}::bigint) n`.execute(db)
  const follows = (table: string, follower: string, objects: string) => sql`INSERT INTO ${sql.table(table)} (follower_id, object_id, datetime) SELECT ${follower}, x, now() FROM ${sql.raw(objects)}`.execute(db)
  await follows('user_following_user', 'u-0', `(SELECT 'u-' || k FROM generate_series(1, 50) k) s(x)`)
  await follows('user_following_dataset', 'u-0', `(SELECT 'd-' || (k * 97) FROM generate_series(1, 200) k) s(x)`)
  await follows('user_following_group', 'u-0', `(VALUES ('o-1'), ('o-2'), ('o-3'), ('g-1'), ('g-2'), ('g-3')) s(x)`)
  await follows('user_following_user', 'u-1', `(VALUES ('u-1991'), ('u-1992')) s(x)`)
  await sql`VACUUM ANALYZE`.execute(db)
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

async function main(): Promise<number> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'abierto-bench-dashboard-'))
  const external = env.DATABASE_URL ?? null
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', SITE_URL: 'http://bench.local', ...(external ? { DATABASE_URL: external } : {}) })
  console.log(`\nDashboard benchmark: ${fmt(activities)} activities; ${external ? 'external Postgres' : `embedded Postgres in ${dataDir}`}`)
  let failed = false
  const database = await openDatabase(config)
  try {
    const t0 = performance.now()
    await build(database.kysely, activities)
    console.log(`  built in ${fmt((performance.now() - t0) / 1000, 1)} s`)
    const app = await buildApp({ db: database.kysely, config, logger: false, pool: database.pool, jobWorker: false, indexWorker: false })
    try {
      for (const [label, userId] of [
        ['busy (50 users, 200 datasets, 3 orgs, 3 groups)', 'u-0'],
        ['quiet (2 seldom-writing users)', 'u-1'],
      ] as const) {
        const { token } = await issueToken(database.kysely, userId, 'bench')
        for (const [action, params] of [
          ['dashboard_activity_list', ''],
          ['dashboard_activity_list', '?offset=300'],
          ['dashboard_activity_list', `?before=${Date.parse('2024-07-01T00:00:00Z') / 1000}`],
          ['dashboard_activity_list', `?after=${Date.parse('2024-07-01T00:00:00Z') / 1000}`],
          ['dashboard_new_activities_count', ''],
        ] as const) {
          const call = async () => {
            const t = performance.now()
            const res = await app.inject({ method: 'GET', url: `/api/3/action/${action}${params}`, headers: { authorization: token } })
            if (res.statusCode !== 200) failed = true
            return { ms: performance.now() - t, result: (res.json() as { result: unknown }).result }
          }
          const first = await call()
          const times: number[] = []
          for (let i = 0; i < requests; i++) times.push((await call()).ms)
          times.sort((a, b) => a - b)
          const size = Array.isArray(first.result) ? `${first.result.length} activities` : `= ${String(first.result)}`
          console.log(`  ${label}: ${action}${params} (${size}): p50 ${fmt(percentile(times, 50), 1)} ms, p99 ${fmt(percentile(times, 99), 1)} ms`)
        }
      }
    } finally {
      await app.close()
    }
    return failed ? 1 : 0
  } finally {
    await database.shutdown()
    if (env.BENCH_KEEP === '1') console.log(`DATA_DIR kept: ${dataDir}`)
    else await fs.rm(dataDir, { recursive: true, force: true })
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`bench-dashboard: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
    process.exit(1)
  },
)
