import type { FastifyInstance } from 'fastify'
import { loadConfig, type Config } from './config.js'
import { openDatabase, type OpenDatabase } from './db/open.js'
import { buildApp } from './app.js'
import { bootstrapSysadmin } from './bootstrap.js'

export interface Server {
  app: FastifyInstance
  database: OpenDatabase
  url: string
  close(): Promise<void>
}

/** config → database (embedded if needed) → migrations → app → listen. */
export async function startServer(config: Config): Promise<Server> {
  const started = Date.now()
  const database = await openDatabase(config)
  let built: FastifyInstance | null = null
  try {
    built = await buildApp({ db: database.kysely, config, pool: database.pool })
    const tokenFile = await bootstrapSysadmin(database.kysely, config.dataDir)
    if (tokenFile) built.log.info({ tokenFile }, `created sysadmin "admin"; its API token is in ${tokenFile}`)
    await built.listen({ port: config.port, host: config.host })
  } catch (e) {
    // the job worker and search indexer started by buildApp would otherwise keep polling a closed
    // pool and the process alive: a supervisor must see a failed start (port in use) as an exit
    await built?.close().catch(() => undefined)
    await database.shutdown()
    throw e
  }
  const app = built
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`
  app.log.info({ ms: Date.now() - started, embedded: database.embedded !== null }, `Abierto ready on ${url}`)
  // request logs are buffered; start-up lines (token path, ready) must show at once
  ;(app.log as unknown as { flush?: () => void }).flush?.()
  let closing: Promise<void> | null = null
  return {
    app,
    database,
    url,
    close() {
      // Drain in-flight requests, then the pool, then the embedded cluster.
      closing ??= app.close().then(() => database.shutdown())
      return closing
    },
  }
}

export async function serve(): Promise<void> {
  const config = loadConfig()
  const server = await startServer(config)
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      server.app.log.info({ signal }, 'shutting down')
      server.close().then(
        () => process.exit(0),
        (err) => {
          server.app.log.error({ err }, 'shutdown failed')
          process.exit(1)
        },
      )
    })
  }
}
