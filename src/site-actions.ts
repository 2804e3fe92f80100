import { ConfigError, SITE_USER_ID, type Config } from './config.js'
import type { OpenDatabase } from './db/open.js'
import type { UserRow } from './db/schema.js'
import { ActionError, NotAuthorized, NotFound, ValidationError } from './errors.js'
import { buildApp } from './app.js'
import { fieldMessages } from './bulk/line-errors.js'

/**
 * The command line acts as the site itself (CKAN's site user): a sysadmin that exists only for the
 * call, never stored, so the CLI needs no account. Actions still validate their input and apply
 * every rule a sysadmin's API call meets; nothing here writes rows directly.
 */
function siteUser(): UserRow {
  return {
    id: SITE_USER_ID,
    name: 'abierto-cli',
    fullname: null,
    email: null,
    password_hash: null,
    about: null,
    image_url: null,
    sysadmin: true,
    state: 'active',
    created: new Date().toISOString().replace('Z', ''),
    last_active: null,
    plugin_extras: null,
    activity_streams_email_notifications: false,
  }
}

/** Runs each [action, params] in turn through the same ActionRunner as the API; stops at the first error. */
export async function runSiteActions(config: Config, database: OpenDatabase, calls: Array<[string, Record<string, unknown>]>): Promise<unknown[]> {
  const app = await buildApp({ db: database.kysely, config, pool: database.pool, logger: false, jobWorker: false, indexWorker: false })
  const caller = { user: siteUser() }
  try {
    const results: unknown[] = []
    for (const [name, params] of calls) {
      try {
        results.push(await app.actions.run(name, params, caller, app.log))
      } catch (err) {
        if (err instanceof ActionError) throw new ConfigError(actionErrorText(err))
        throw err
      }
    }
    return results
  } finally {
    await app.close()
  }
}

/** One line for the terminal, from what the API would put in its error envelope (nested fields as `abierto load` reports them). */
function actionErrorText(err: ActionError): string {
  if (err instanceof ValidationError) return fieldMessages(err).join('; ')
  if (err instanceof NotFound) return `not found: ${err.detail ?? ''}`.trim()
  if (err instanceof NotAuthorized) return `not authorized: ${err.detail ?? ''}`.trim()
  return err.message
}
