#!/usr/bin/env node
import { randomBytes } from 'node:crypto'
import { notifyInvalidation } from './cache/listener.js'
import { loadConfig, ConfigError } from './config.js'
import { openDatabase } from './db/open.js'
import { ensureSysadmin, findUser, listSysadmins, removeSysadmin } from './auth/users.js'
import { issueToken, revokeToken, tokenIdFor } from './auth/tokens.js'
import { writeTokenFile } from './bootstrap.js'

const USAGE = `usage: abierto <command>

  serve                 start the API server (default)
  migrate               apply pending database migrations
  sysadmin add NAME     create user NAME as sysadmin (or promote it); prints an API token
  sysadmin remove NAME  take sysadmin rights away from user NAME
  sysadmin list         print the names of the sysadmins
  user add NAME --email EMAIL [--password PASSWORD] [--fullname TEXT]
                        create a user account (user_create; without --password a random one is set:
                        API clients use tokens)
  org member add ORG USER ROLE
                        give USER the ROLE admin, editor or member in organization ORG
                        (organization_member_create; changes an existing role)
  token create USER [NAME]
                        create an API token for USER (labelled NAME, default "cli") and print it
  token revoke TOKEN_OR_ID
                        revoke an API token, given the token itself or its id (api_token_list's id)
  search reindex [--clear]
                        rebuild the search index from the database (--clear empties it first)
  harvest run SOURCE    run one harvest job of SOURCE (id or name) now, in this process
  load FILE.jsonl       create or update the datasets of a ckanapi dump (one package dict per line;
                        - reads stdin), creating their organizations and groups; bad lines are
                        reported on stderr and skipped (exit 1 if any)
  dump FILE.jsonl [--include-private] [--include-drafts] [--include-deleted]
                        write the datasets as package_show dicts, one per line, by name (- = stdout)

Configuration comes from the environment (PORT, HOST, SITE_URL, DATA_DIR, DATABASE_URL, ...; see README.md).`

async function withDatabase<T>(fn: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>): Promise<T> {
  const config = loadConfig()
  const database = await openDatabase(config)
  try {
    const result = await fn(database)
    // CLI writes (sysadmin, tokens) bypass the actions: tell running servers to drop cached identities
    await notifyInvalidation(database.kysely)
    return result
  } finally {
    await database.shutdown()
  }
}

/** `--flag value` pairs among positional arguments; null when a flag is unknown or has no value. */
function parseFlags(args: string[], known: string[]): { positional: string[]; flags: Record<string, string> } | null {
  const positional: string[] = []
  const flags: Record<string, string> = {}
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    if (!a.startsWith('--')) positional.push(a)
    else if (known.includes(a.slice(2)) && i + 1 < args.length) flags[a.slice(2)] = args[++i]
    else return null
  }
  return { positional, flags }
}

/** Actions run as the site's sysadmin, through the same runner (validation, rules) as the API. */
async function siteActions(calls: Array<[string, Record<string, unknown>]>): Promise<unknown[]> {
  const { runSiteActions } = await import('./site-actions.js')
  const config = loadConfig()
  return withDatabase((db) => runSiteActions(config, db, calls))
}

async function main(argv: string[]): Promise<number> {
  const [command = 'serve', ...rest] = argv
  switch (command) {
    case 'serve': {
      // loaded only here: the server's modules take seconds to load, which no other command needs
      const { serve } = await import('./main.js')
      await serve()
      return -1
    }
    case 'migrate': {
      const config = loadConfig()
      const database = await openDatabase(config, { migrate: false })
      try {
        const { migrateToLatest } = await import('./db/migrate.js')
        const applied = await migrateToLatest(database.kysely)
        const { installJobQueue } = await import('./jobs/queue.js')
        await installJobQueue(database.pool)
        console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date')
      } finally {
        await database.shutdown()
      }
      return 0
    }
    case 'sysadmin': {
      const [sub, name] = rest
      if (sub === 'list' && !name) {
        const names = await withDatabase((db) => listSysadmins(db.kysely))
        if (names.length) console.log(names.join('\n'))
        return 0
      }
      if (sub === 'remove' && name) {
        await withDatabase(async (db) => {
          if (!(await removeSysadmin(db.kysely, name))) throw new ConfigError(`no user named ${name}`)
        })
        console.log(`${name} is no longer a sysadmin`)
        return 0
      }
      if (sub !== 'add' || !name) break
      const token = await withDatabase(async (db) => {
        const user = await ensureSysadmin(db.kysely, name)
        return (await issueToken(db.kysely, user.id, 'cli')).token
      })
      console.log(`${name} is a sysadmin; API token:\n${token}`)
      if (name === 'admin') console.log(`written to ${await writeTokenFile(loadConfig().dataDir, token)}`)
      return 0
    }
    case 'user': {
      const args = rest[0] === 'add' ? parseFlags(rest.slice(1), ['email', 'password', 'fullname']) : null
      if (!args || args.positional.length !== 1 || !args.flags.email) break
      const name = args.positional[0]
      const password = args.flags.password ?? randomBytes(24).toString('base64url')
      await siteActions([['user_create', { name, email: args.flags.email, password, ...(args.flags.fullname ? { fullname: args.flags.fullname } : {}) }]])
      console.log(`created user ${name}`)
      return 0
    }
    case 'org': {
      const [sub, verb, org, user, role, ...extra] = rest
      if (sub !== 'member' || verb !== 'add' || !org || !user || !role || extra.length) break
      await siteActions([['organization_member_create', { id: org, username: user, role }]])
      console.log(`${user} is ${role} of ${org}`)
      return 0
    }
    case 'token': {
      const [sub, userName] = rest
      if (sub === 'revoke' && userName && rest.length === 2) {
        await withDatabase(async (db) => {
          const id = (await tokenIdFor(db.kysely, userName)) ?? userName
          if (!(await revokeToken(db.kysely, id))) throw new ConfigError('no such token')
        })
        console.log('token revoked')
        return 0
      }
      if (sub !== 'create' || !userName) break
      const token = await withDatabase(async (db) => {
        const user = await findUser(db.kysely, userName)
        if (!user || user.state !== 'active') throw new ConfigError(`no active user named ${userName}`)
        return (await issueToken(db.kysely, user.id, rest[2] ?? 'cli')).token
      })
      console.log(token)
      return 0
    }
    case 'search': {
      if (rest[0] !== 'reindex' || rest.slice(1).some((a) => a !== '--clear')) break
      const config = loadConfig()
      const { reindexCommand } = await import('./search/reindex-cli.js')
      const { count, seconds } = await withDatabase((db) => reindexCommand(config, db.kysely, { clear: rest.includes('--clear') }))
      console.log(`indexed ${count} datasets in ${seconds.toFixed(1)} s (${Math.round(count / Math.max(seconds, 0.001))}/s)`)
      return 0
    }
    case 'harvest': {
      if (rest[0] !== 'run' || !rest[1] || rest.length !== 2) break
      const config = loadConfig()
      const { harvestRunCommand } = await import('./harvest/run-cli.js')
      const summary = await withDatabase((db) => harvestRunCommand(config, db, rest[1]!))
      const s = summary.stats
      console.log(`job ${summary.jobId}: ${s.added} added, ${s.updated} updated, ${s['not modified']} not modified, ${s.deleted} deleted, ${s.errored} errored in ${summary.seconds.toFixed(1)} s`)
      for (const m of summary.gatherErrors) console.log(`gather error: ${m}`)
      return s.errored > 0 ? 1 : 0
    }
    case 'load': {
      if (rest.length !== 1) break
      const config = loadConfig()
      const { loadCommand, loadSummaryLine } = await import('./bulk/commands.js')
      const summary = await withDatabase((db) => loadCommand(config, db.kysely, rest[0]))
      console.log(loadSummaryLine(summary))
      return summary.failed > 0 ? 1 : 0
    }
    case 'dump': {
      const flags = ['--include-private', '--include-drafts', '--include-deleted']
      const files = rest.filter((a) => !flags.includes(a))
      if (files.length !== 1 || files[0].startsWith('--')) break
      const config = loadConfig()
      const { dumpCommand } = await import('./bulk/commands.js')
      const { count, seconds } = await withDatabase((db) =>
        dumpCommand(config, db.kysely, files[0], {
          includePrivate: rest.includes('--include-private'),
          includeDrafts: rest.includes('--include-drafts'),
          includeDeleted: rest.includes('--include-deleted'),
        }),
      )
      // stdout may be the dump itself
      console.error(`dumped ${count} datasets in ${seconds.toFixed(1)} s (${Math.round(count / Math.max(seconds, 0.001))}/s)`)
      return 0
    }
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE)
      return 0
  }
  console.error(USAGE)
  return 2
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code)
  },
  (err: unknown) => {
    console.error(err instanceof ConfigError ? err.message : `abierto: ${err instanceof Error ? err.message : String(err)}`)
    process.exit(1)
  },
)
