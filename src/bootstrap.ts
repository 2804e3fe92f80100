import { promises as fs } from 'node:fs'
import path from 'node:path'
import type { Kysely } from 'kysely'
import type { Database } from './db/schema.js'
import { ensureSysadmin } from './auth/users.js'
import { issueToken } from './auth/tokens.js'

/**
 * On a database with no users, creates the sysadmin `admin` and writes an API token for it to
 * DATA_DIR/sysadmin.token (mode 0600). Returns the token file path when it did so.
 */
export async function bootstrapSysadmin(db: Kysely<Database>, dataDir: string): Promise<string | null> {
  const any = await db.selectFrom('user').select('id').limit(1).executeTakeFirst()
  if (any) return null
  const admin = await ensureSysadmin(db, 'admin')
  const { token } = await issueToken(db, admin.id, 'bootstrap')
  return writeTokenFile(dataDir, token)
}

export async function writeTokenFile(dataDir: string, token: string): Promise<string> {
  await fs.mkdir(dataDir, { recursive: true })
  const file = path.join(dataDir, 'sysadmin.token')
  await fs.writeFile(file, `${token}\n`, { mode: 0o600 })
  await fs.chmod(file, 0o600)
  return file
}
