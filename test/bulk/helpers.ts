import { mkdtempSync, promises as fs, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Db } from '../../src/db/connect.js'
import { runCli, type CliResult } from '../../scripts/lib/server-process.js'

type Dict = Record<string, any>

interface Teardown {
  teardown(fn: () => unknown): void
}

/** A scratch directory removed at teardown. */
export function scratch(t: Teardown): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'abierto-bulk-'))
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  return dir
}

/** Runs the BUILT `abierto` command against the test database `db` (as an operator would, with DATABASE_URL). */
export function cli(db: Db, dir: string, args: string[]): Promise<CliResult> {
  const url = (db.pool as unknown as { options: { connectionString: string } }).options.connectionString
  return runCli(args, { DATABASE_URL: url, DATA_DIR: dir, SITE_URL: 'http://test.local', LOG_LEVEL: 'warn' }, 120_000)
}

export function writeJsonl(file: string, lines: (Dict | string)[]): string {
  writeFileSync(file, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n')
  return file
}

export function readJsonl(file: string): Dict[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Dict)
}

/** The summary line of `abierto load`. */
export function summary(stdout: string): { created: number; updated: number; failed: number } {
  const m = /^created (\d+), updated (\d+), failed (\d+) in [\d.]+ s \(\d+ datasets\/s; search index: (rebuild|outbox) in [\d.]+ s\)$/m.exec(stdout)
  if (!m) throw new Error(`no summary line in ${JSON.stringify(stdout)}`)
  return { created: Number(m[1]), updated: Number(m[2]), failed: Number(m[3]) }
}
