/**
 * The in-process supervisor of the embedded cluster: a postmaster killed under it comes back on
 * the same socket; one that cannot be brought back makes it give up (the server then exits 1 so
 * that systemd or Docker restart the whole process).
 */
import { mkdtempSync, promises as fs, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import t from 'tap'
import { stopDetached } from '../../src/db/embedded.js'
import { superviseEmbeddedPostgres } from '../../src/db/embedded-supervisor.js'
import { poll } from '../helpers/poll.js'

const baseDir = mkdtempSync(path.join(os.tmpdir(), 'abierto-supervisor-'))
t.teardown(async () => {
  await stopDetached(baseDir)
  await fs.rm(baseDir, { recursive: true, force: true })
})

/** The running postmaster's pid; 0 between one and the next (its stale file is removed on restart). */
function postmasterPid(): number {
  try {
    return Number(readFileSync(path.join(baseDir, 'pgdata', 'postmaster.pid'), 'utf8').split('\n')[0])
  } catch {
    return 0
  }
}

async function query(url: string): Promise<number | undefined> {
  const c = new pg.Client({ connectionString: url })
  c.on('error', () => undefined)
  try {
    await c.connect()
    return (await c.query('SELECT 1 AS one')).rows[0].one
  } catch {
    return undefined
  } finally {
    await c.end().catch(() => undefined)
  }
}

t.test('restarts a killed postmaster, gives up when it cannot', async (t) => {
  const events: string[] = []
  let gaveUp: unknown = null
  const cluster = await superviseEmbeddedPostgres({ baseDir, maxRestarts: 2, onEvent: (m) => events.push(m), onGiveUp: (err) => (gaveUp = err) })
  t.teardown(() => cluster.stop())
  const url = cluster.connectionString('postgres')
  t.equal(await query(url), 1)

  const first = postmasterPid()
  process.kill(first, 'SIGKILL')
  await poll('a new postmaster answering', async () => (![0, first].includes(postmasterPid()) && (await query(url)) === 1 ? true : undefined))
  t.match(events.join('\n'), /exited unexpectedly \(SIGKILL\)[\s\S]*restarted/, 'logged')

  // now make every start fail: the socket directory is replaced by a file
  const second = postmasterPid()
  process.kill(second, 'SIGKILL')
  await fs.rm(path.join(baseDir, 'run'), { recursive: true, force: true })
  await fs.writeFile(path.join(baseDir, 'run'), 'not a directory')
  await poll('the supervisor to give up', async () => (gaveUp ? true : undefined))
  t.ok(gaveUp instanceof Error, 'onGiveUp got the last start error')
  t.equal(events.filter((e) => /restart attempt \d failed/.test(e)).length, 2, 'after maxRestarts attempts')
  await fs.rm(path.join(baseDir, 'run'), { force: true })
})
