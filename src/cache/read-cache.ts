/**
 * In-process cache of rendered read results (package_show dicts, package_list), so the hottest
 * reads skip Postgres and JSON serialisation. Correctness rests on two rules:
 * - every write clears it (locally after commit; other processes through NOTIFY, see listener.ts);
 * - a read stores its result only if no clear happened since it started (`generation`), so a
 *   read that raced a write can never put the old state back.
 * Bounded by bytes, least recently used first out.
 */
export interface CachedEntry<M> {
  raw: RawJson
  meta: M
}

export class ReadCache<M = unknown> {
  private readonly entries = new Map<string, CachedEntry<M>>()
  private bytes = 0
  private gen = 0
  private enabled = true
  /** lookups by key kind (the key's prefix before ':'), for the hit ratio in /metrics */
  private readonly lookups = new Map<string, { hits: number; misses: number }>()

  constructor(private readonly maxBytes: number) {}

  get generation(): number {
    return this.gen
  }

  /** False while invalidations may be missed (or for the uncached transaction view). */
  get isEnabled(): boolean {
    return this.enabled
  }

  get(key: string): CachedEntry<M> | undefined {
    const e = this.entries.get(key)
    this.count(key, e !== undefined)
    if (e) {
      // refresh recency
      this.entries.delete(key)
      this.entries.set(key, e)
    }
    return e
  }

  /** Stores under every key given, unless the cache was cleared since `generation` was read. */
  set(keys: string[], entry: CachedEntry<M>, generation: number): void {
    if (!this.enabled || generation !== this.gen || entry.raw.json.length * 2 > this.maxBytes / 4) return
    for (const key of keys) {
      const old = this.entries.get(key)
      if (old) {
        this.entries.delete(key)
        this.bytes -= old.raw.json.length * 2
      }
      this.entries.set(key, entry)
      this.bytes += entry.raw.json.length * 2
    }
    for (const [key, e] of this.entries) {
      if (this.bytes <= this.maxBytes) break
      this.entries.delete(key)
      this.bytes -= e.raw.json.length * 2
    }
  }

  clear(): void {
    this.gen++
    this.entries.clear()
    this.bytes = 0
  }

  /** While invalidations from other processes cannot be received, nothing is cached. */
  setEnabled(enabled: boolean): void {
    this.enabled = enabled
    this.clear()
  }

  get size(): number {
    return this.entries.size
  }

  /** Hits and misses since start, by key kind. */
  lookupCounts(): ReadonlyMap<string, { hits: number; misses: number }> {
    return this.lookups
  }

  private count(key: string, hit: boolean): void {
    const colon = key.indexOf(':')
    const kind = colon > 0 ? key.slice(0, colon) : key
    let c = this.lookups.get(kind)
    if (!c) this.lookups.set(kind, (c = { hits: 0, misses: 0 }))
    if (hit) c.hits++
    else c.misses++
  }
}

/** A result that is already serialised JSON: the HTTP layer splices it into the envelope as is. */
export class RawJson {
  private body: { help: string; bytes: Buffer } | null = null
  constructor(readonly json: string) {}
  value(): unknown {
    return JSON.parse(this.json)
  }
  /** The whole success envelope as bytes, built once per cached result (encoding big strings on every hit costs more than the rest of the request). */
  envelope(help: string): Buffer {
    if (this.body?.help !== help) this.body = { help, bytes: Buffer.from(`{"help":${JSON.stringify(help)},"success":true,"result":${this.json}}`) }
    return this.body.bytes
  }
}
