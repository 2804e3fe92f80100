import { startEmbeddedPostgres, type EmbeddedPostgres, type StartOptions } from './embedded.js'

export interface SupervisorOptions extends Omit<StartOptions, 'detached' | 'onUnexpectedExit'> {
  /** Restart attempts after an unexpected exit before giving up (default 8, backoff 0.25 s → 5 s). */
  maxRestarts?: number
  /** One line per event (exit, restart, give-up), for the operator. */
  onEvent?: (message: string) => void
  /** Called once when the cluster cannot be brought back: the process should exit non-zero. */
  onGiveUp?: (err: unknown) => void
}

/**
 * The embedded cluster, restarted in-process when it dies under us (killed, OOM): the pool's next
 * connection reaches the new postmaster on the same socket, so the server answers 503 for a few
 * seconds instead of needing a restart. After `maxRestarts` failed attempts in a row it gives up
 * (onGiveUp) so that a supervisor (systemd, Docker) can restart the whole process.
 */
export async function superviseEmbeddedPostgres(opts: SupervisorOptions): Promise<EmbeddedPostgres> {
  const maxRestarts = opts.maxRestarts ?? 8
  let stopped = false
  let restarting: Promise<void> | null = null
  const start = () => startEmbeddedPostgres({ ...opts, detached: false, onUnexpectedExit })
  function onUnexpectedExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (stopped) return
    opts.onEvent?.(`embedded Postgres exited unexpectedly (${signal ?? `code ${code}`}); restarting it`)
    restarting = restart().finally(() => (restarting = null))
  }
  async function restart(): Promise<void> {
    for (let attempt = 1; attempt <= maxRestarts; attempt++) {
      // the killed postmaster's backends take a moment to notice and release shared memory
      await new Promise((r) => setTimeout(r, Math.min(250 * 2 ** (attempt - 1), 5000)))
      if (stopped) return
      try {
        const next = await start()
        if (stopped) {
          await next.stop()
          return
        }
        current = next
        opts.onEvent?.(`embedded Postgres restarted (attempt ${attempt})`)
        return
      } catch (err) {
        opts.onEvent?.(`embedded Postgres restart attempt ${attempt} failed: ${err instanceof Error ? err.message : String(err)}`)
        if (attempt === maxRestarts) opts.onGiveUp?.(err)
      }
    }
  }
  let current = await start()
  return {
    pgdata: current.pgdata,
    connectionString: (database) => current.connectionString(database),
    async stop() {
      stopped = true
      await restarting
      await current.stop()
    },
  }
}
