import cliProgress from 'cli-progress'

export interface Progress {
  update(value: number, total: number, payload?: Record<string, string | number>): void
  stop(): void
}

/**
 * A progress bar on stderr when it is a terminal, else a plain line every two seconds (and at the
 * end), as `abierto search reindex` does. `format` names the payload keys the bar shows.
 */
export function progress(label: string, format: string, plain: (value: number, total: number, payload: Record<string, string | number>) => string): Progress {
  const tty = process.stderr.isTTY
  const bar = new cliProgress.SingleBar({ format: `${label} [{bar}] ${format}`, stream: process.stderr, noTTYOutput: false }, cliProgress.Presets.shades_classic)
  let lastLine = 0
  return {
    update(value, total, payload = {}) {
      if (tty) {
        if (!bar.isActive) bar.start(total, 0, payload)
        bar.setTotal(total)
        bar.update(value, payload)
      } else if (performance.now() - lastLine > 2000 || value >= total) {
        lastLine = performance.now()
        process.stderr.write(`${label}: ${plain(value, total, payload)}\n`)
      }
    },
    stop() {
      if (bar.isActive) bar.stop()
    },
  }
}
