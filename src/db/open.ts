import path from 'node:path'
import type { Config } from '../config.js'
import { connect, type Db } from './connect.js'
import { ensureDatabase, type EmbeddedPostgres } from './embedded.js'
import { superviseEmbeddedPostgres } from './embedded-supervisor.js'
import { migrateToLatest } from './migrate.js'
import { installJobQueue } from '../jobs/queue.js'

export interface OpenDatabase extends Db {
  embedded: EmbeddedPostgres | null
  /** Closes the pool, then stops the embedded cluster if we started one. */
  shutdown(): Promise<void>
}

/** External Postgres when DATABASE_URL is set, else the embedded cluster in DATA_DIR/postgres (restarted if it dies). */
export async function openDatabase(config: Config, opts: { migrate?: boolean; log?: (line: string) => void } = {}): Promise<OpenDatabase> {
  let embedded: EmbeddedPostgres | null = null
  let url = config.databaseUrl
  if (!url) {
    embedded = await superviseEmbeddedPostgres({
      baseDir: path.join(config.dataDir, 'postgres'),
      onLog: opts.log,
      onEvent: (message) => console.error(`abierto: ${message}`),
      onGiveUp: () => {
        // the cluster cannot be brought back here: exit non-zero so systemd/Docker restart us
        console.error('abierto: giving up on the embedded Postgres; exiting')
        process.exit(1)
      },
    })
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
