import path from 'node:path'
import type { Config } from '../config.js'
import { connect, type Db } from './connect.js'
import { ensureDatabase, startEmbeddedPostgres, type EmbeddedPostgres } from './embedded.js'
import { migrateToLatest } from './migrate.js'
import { installJobQueue } from '../jobs/queue.js'

export interface OpenDatabase extends Db {
  embedded: EmbeddedPostgres | null
  /** Closes the pool, then stops the embedded cluster if we started one. */
  shutdown(): Promise<void>
}

/** External Postgres when DATABASE_URL is set, else the embedded cluster in DATA_DIR/postgres. */
export async function openDatabase(config: Config, opts: { migrate?: boolean; log?: (line: string) => void } = {}): Promise<OpenDatabase> {
  let embedded: EmbeddedPostgres | null = null
  let url = config.databaseUrl
  if (!url) {
    embedded = await startEmbeddedPostgres({ baseDir: path.join(config.dataDir, 'postgres'), onLog: opts.log })
    await ensureDatabase(embedded.connectionString('postgres'), 'abierto')
    url = embedded.connectionString('abierto')
  }
  const db = connect(url)
  try {
    if (opts.migrate !== false) {
      await migrateToLatest(db.kysely)
      await installJobQueue(db.pool)
    }
  } catch (e) {
    await db.close()
    await embedded?.stop()
    throw e
  }
  return {
    ...db,
    embedded,
    async shutdown() {
      await db.close()
      await embedded?.stop()
    },
  }
}
