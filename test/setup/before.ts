/**
 * Runs once before the suite (tap's `before`): starts ONE Postgres for the whole run (embedded,
 * or the server named by DATABASE_URL) and builds a migrated template database that every test
 * file clones into its own database.
 */
import { promises as fs } from 'node:fs'
import pg from 'pg'
import { startEmbeddedPostgres, stopDetached } from '../../src/db/embedded.js'
import { connect } from '../../src/db/connect.js'
import { migrateToLatest } from '../../src/db/migrate.js'
import { installJobQueue } from '../../src/jobs/queue.js'
import { TEMPLATE_DB, TEST_PG_DIR, URL_FILE } from './postgres.js'

function withDatabase(url: string, db: string): string {
  const u = new URL(url)
  u.pathname = `/${db}`
  return u.toString()
}

await fs.mkdir(TEST_PG_DIR, { recursive: true })
let adminUrl: string
if (process.env.DATABASE_URL) {
  adminUrl = process.env.DATABASE_URL
  console.log('# tests use the external Postgres in DATABASE_URL')
} else {
  await stopDetached(TEST_PG_DIR)
  const started = Date.now()
  // a disposable cluster: no fsync (each file's CREATE DATABASE from the template and every commit
  // would otherwise wait for the disk the whole machine shares)
  const cluster = await startEmbeddedPostgres({ baseDir: TEST_PG_DIR, detached: true, settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' } })
  adminUrl = cluster.connectionString('postgres')
  console.log(`# embedded Postgres for the suite ready in ${Date.now() - started} ms`)
}
const admin = new pg.Client({ connectionString: adminUrl })
await admin.connect()
await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB}`)
await admin.query(`CREATE DATABASE ${TEMPLATE_DB}`)
await admin.end()
const db = connect(withDatabase(adminUrl, TEMPLATE_DB), { max: 1 })
await migrateToLatest(db.kysely)
await installJobQueue(db.pool)
await db.close()
await fs.writeFile(URL_FILE, adminUrl)
