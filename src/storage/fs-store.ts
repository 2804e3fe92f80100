import { createWriteStream, promises as fsp } from 'node:fs'
import path from 'node:path'
import { randomUUID } from 'node:crypto'
import { pipeline } from 'node:stream/promises'
import type { Readable } from 'node:stream'
import { checkKey, type BlobInfo, type BlobStore, type ByteRange } from './blob-store.js'

const CHUNK = 1 << 20

/**
 * Blobs as files under `root` (DATA_DIR/files). A staged file is fsynced before it counts, and
 * promotion is a rename followed by an fsync of the directory, so a crash leaves either the old
 * file or the new one, never a torn one.
 */
export class FsBlobStore implements BlobStore {
  readonly kind = 'fs' as const

  constructor(private readonly root: string) {}

  static async open(root: string): Promise<FsBlobStore> {
    await fsp.mkdir(path.join(root, 'staging'), { recursive: true })
    await fsp.mkdir(path.join(root, 'resources'), { recursive: true })
    await sweepStaging(path.join(root, 'staging'))
    return new FsBlobStore(root)
  }

  /** resources/{id} is sharded by the id's first two characters so no directory grows huge. */
  private file(key: string): string {
    const [kind, name] = checkKey(key).split('/')
    return kind === 'resources' ? path.join(this.root, kind, name.slice(0, 2), name) : path.join(this.root, kind, name)
  }

  async stage(body: Readable): Promise<string> {
    const key = `staging/${randomUUID()}`
    const file = this.file(key)
    try {
      await pipeline(body, createWriteStream(file, { flags: 'wx', mode: 0o600, highWaterMark: CHUNK }))
      // fsync through a second descriptor flushes the inode's data all the same, and the stream
      // keeps its own batching (writev) and closing
      const fh = await fsp.open(file, 'r')
      try {
        await fh.sync()
      } finally {
        await fh.close()
      }
    } catch (err) {
      await fsp.rm(file, { force: true })
      throw err
    }
    return key
  }

  async promote(stagingKey: string, key: string): Promise<void> {
    if (stagingKey === key) return
    const target = this.file(key)
    await fsp.mkdir(path.dirname(target), { recursive: true })
    await fsp.rename(this.file(stagingKey), target)
    const dir = await fsp.open(path.dirname(target), 'r')
    try {
      await dir.sync()
    } finally {
      await dir.close()
    }
  }

  async remove(key: string): Promise<void> {
    await fsp.rm(this.file(key), { force: true })
  }

  async stat(key: string): Promise<BlobInfo | null> {
    try {
      const st = await fsp.stat(this.file(key))
      if (!st.isFile()) return null
      return { size: st.size, etag: `"${st.ino.toString(16)}-${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`, lastModified: st.mtime }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
      throw err
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    const file = this.file(key)
    const fh = await fsp.open(file, 'r')
    return fh.createReadStream({ highWaterMark: CHUNK, ...(range ? { start: range.start, end: range.end } : {}) })
  }

  async downloadUrl(): Promise<string | null> {
    return null
  }

  async keys(prefix: string): Promise<string[]> {
    const kind = prefix.replace(/\/$/, '')
    const dir = path.join(this.root, kind)
    const out: string[] = []
    const walk = async (d: string): Promise<void> => {
      let entries
      try {
        entries = await fsp.readdir(d, { withFileTypes: true })
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
        throw err
      }
      for (const e of entries) {
        if (e.isDirectory()) await walk(path.join(d, e.name))
        else out.push(`${kind}/${e.name}`)
      }
    }
    await walk(dir)
    return out.sort()
  }

  async close(): Promise<void> {}
}

/** Staged files this old belong to a process that died mid-request (a crash, a kill -9). */
const STALE_STAGING_MS = 24 * 60 * 60 * 1000

async function sweepStaging(dir: string): Promise<void> {
  const cutoff = Date.now() - STALE_STAGING_MS
  for (const name of await fsp.readdir(dir)) {
    const file = path.join(dir, name)
    const st = await fsp.stat(file).catch(() => null)
    if (st && st.mtimeMs < cutoff) await fsp.rm(file, { force: true })
  }
}
