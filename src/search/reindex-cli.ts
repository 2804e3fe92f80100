import cliProgress from 'cli-progress'
import pino from 'pino'
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema.js'
import type { Config } from '../config.js'
import { openSearchIndex } from './open.js'
import { SearchIndexer } from './indexer.js'

/**
 * `abierto search reindex [--clear]`: rebuilds the search index from Postgres with a progress bar
 * (on a terminal; plain lines otherwise). Safe while servers run: batches take the same
 * per-dataset locks as the live indexer.
 */
export async function reindexCommand(config: Config, db: Kysely<Database>, opts: { clear: boolean }): Promise<{ count: number; seconds: number }> {
  const index = await openSearchIndex(config, db)
  const log = pino({ level: 'warn' })
  const indexer = new SearchIndexer(db, index, log)
  const tty = process.stderr.isTTY
  const bar = new cliProgress.SingleBar({ format: 'reindex [{bar}] {value}/{total} datasets  {percentage}%  {rate}/s  eta {eta}s', stream: process.stderr, noTTYOutput: false }, cliProgress.Presets.shades_classic)
  const started = performance.now()
  let lastLine = 0
  try {
    const count = await indexer.reindexAll({
      clear: opts.clear,
      onProgress: (done, total) => {
        const rate = Math.round(done / ((performance.now() - started) / 1000))
        if (tty) {
          if (!bar.isActive) bar.start(total, 0, { rate })
          bar.update(done, { rate })
        } else if (performance.now() - lastLine > 2000 || done >= total) {
          lastLine = performance.now()
          process.stderr.write(`reindex: ${done}/${total} datasets (${rate}/s)\n`)
        }
      },
    })
    return { count, seconds: (performance.now() - started) / 1000 }
  } finally {
    if (bar.isActive) bar.stop()
    await index.close()
  }
}
