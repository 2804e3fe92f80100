import { readdirSync, readFileSync } from 'node:fs'

/**
 * CPU time (ms) of a process and its descendants (a server and its embedded Postgres), by program
 * name; null off Linux. Each process counts its own time and that of its exited children (Postgres
 * backends come and go with the pool), so nothing is counted twice or lost.
 */
export function treeCpuMs(root: number): Map<string, number> | null {
  if (process.platform !== 'linux') return null
  const children = new Map<number, number[]>()
  const stats = new Map<number, { name: string; ticks: number }>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    let text: string
    try {
      text = readFileSync(`/proc/${entry}/stat`, 'utf8')
    } catch {
      // the process ended meanwhile
      continue
    }
    // fields after the command name (which may hold spaces): state ppid … utime(14) stime(15) cutime(16) cstime(17)
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
    const pid = Number(entry)
    const ppid = Number(fields[1])
    children.set(ppid, [...(children.get(ppid) ?? []), pid])
    stats.set(pid, { name: text.slice(text.indexOf('(') + 1, text.lastIndexOf(')')), ticks: Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]) })
  }
  const out = new Map<string, number>()
  const walk = (pid: number) => {
    const s = stats.get(pid)
    // clock ticks are 1/100 s on Linux
    if (s) out.set(s.name, (out.get(s.name) ?? 0) + s.ticks * 10)
    for (const c of children.get(pid) ?? []) walk(c)
  }
  walk(root)
  return out
}

/** treeCpuMs summed over the programs; null off Linux. */
export function treeCpuTotalMs(root: number): number | null {
  const byName = treeCpuMs(root)
  return byName && [...byName.values()].reduce((a, b) => a + b, 0)
}
