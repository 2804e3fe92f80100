/**
 * Writes openapi/openapi.json (OpenAPI 3.1) from the action registry, through the same Fastify
 * app the server runs. `npm run openapi`; test/openapi/openapi.test.ts fails when the committed
 * file drifts from what this generates.
 */
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { connect } from '../src/db/connect.js'

/** Repository root: this file runs as dist/scripts/openapi.js. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
export const OPENAPI_FILE = path.join(REPO_ROOT, 'openapi', 'openapi.json')

/**
 * The app as the server builds it, with a fixed configuration (the document must not depend on
 * the environment) and a pool that never connects: building the app and generating the document
 * run no query.
 */
export async function docsApp(): Promise<{ app: FastifyInstance; close(): Promise<void> }> {
  const db = connect('postgresql://openapi@127.0.0.1:1/none', { max: 1 })
  const config = loadConfig({ LOG_LEVEL: 'silent', SITE_URL: 'http://localhost:5000' })
  const app = await buildApp({ db: db.kysely, config, logger: false })
  await app.ready()
  return {
    app,
    async close() {
      await app.close()
      await db.close()
    },
  }
}

/** The document exactly as written to openapi/openapi.json. */
export async function openApiText(): Promise<string> {
  const { app, close } = await docsApp()
  try {
    return `${JSON.stringify(app.swagger(), null, 2)}\n`
  } finally {
    await close()
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const text = await openApiText()
  await fs.mkdir(path.dirname(OPENAPI_FILE), { recursive: true })
  await fs.writeFile(OPENAPI_FILE, text)
  const doc = JSON.parse(text) as { paths: Record<string, unknown> }
  console.log(`wrote ${path.relative(process.cwd(), OPENAPI_FILE) || OPENAPI_FILE} (${Object.keys(doc.paths).length} paths)`)
}
