/**
 * File benchmark (part of `npm run bench`; alone: `node dist/scripts/bench-files.js`): uploads
 * and downloads one large file over real HTTP to each storage adapter, compared with a plain `cp`
 * of the same file on the same disk, and reports the server's peak RSS (VmHWM).
 *
 * The server runs as its own process (`node dist/src/cli.js serve`), as users run it; the HTTP
 * client and, for STORAGE=s3, the S3 server (s3rver, in a temp dir) run in this process.
 *
 * Environment: BENCH_FILE_MB (file size, default 1024), DATABASE_URL (external Postgres; default
 * embedded in each temporary DATA_DIR), BENCH_KEEP=1 keeps the temporary directories.
 */
import { spawn, spawnSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream, mkdtempSync, promises as fs, readFileSync } from 'node:fs'
import http from 'node:http'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { pathToFileURL } from 'node:url'
import { freePort, runCli, startServerProcess, type ServerProcess } from './lib/server-process.js'

const env = process.env
const sizeMb = Number(env.BENCH_FILE_MB ?? 1024)
const external = env.DATABASE_URL ?? null

export const TARGET_RATIO = 0.5
export const TARGET_RSS_MB = 250

interface S3rverInstance {
  run(): Promise<{ port: number }>
  close(): Promise<void>
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
const mbps = (bytes: number, ms: number) => bytes / 1024 / 1024 / (ms / 1000)
const mark = (ok: boolean) => (ok ? 'ok' : 'MISSED')

/** Writes `mb` MiB of random bytes (incompressible, no page of zeros to shortcut). */
async function makeFile(file: string, mb: number): Promise<string> {
  const hash = createHash('sha256')
  const out = createWriteStream(file)
  const block = 8 * 1024 * 1024
  for (let written = 0; written < mb * 1024 * 1024; written += block) {
    const chunk = randomBytes(Math.min(block, mb * 1024 * 1024 - written))
    hash.update(chunk)
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()))
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())))
  return hash.digest('hex')
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** Peak resident set of a process (kernel high-water mark), in MiB; null when /proc is unavailable. */
function peakRssMb(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) / 1024 : null
  } catch {
    return null
  }
}

async function action(server: ServerProcess, token: string, name: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${server.url}/api/3/action/${name}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: token }, body: JSON.stringify(body) })
  const json = (await res.json()) as { success: boolean; result: Record<string, unknown> }
  if (!json.success) throw new Error(`${name} failed: ${JSON.stringify(json)}`)
  return json.result
}

/** resource_create with the file streamed from disk in ckanapi's multipart shape. */
async function upload(server: ServerProcess, token: string, packageId: string, file: string): Promise<Record<string, unknown>> {
  const boundary = randomBytes(12).toString('hex')
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="package_id"\r\n\r\n${packageId}\r\n` + `--${boundary}\r\nContent-Disposition: form-data; name="upload"; filename="${path.basename(file)}"\r\n\r\n`)
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`)
  const size = (await fs.stat(file)).size
  const url = new URL(`${server.url}/api/3/action/resource_create`)
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { authorization: token, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': head.length + size + tail.length } },
      (res) => {
        let text = ''
        res.on('data', (c: Buffer) => (text += c.toString()))
        res.on('end', () => {
          const json = JSON.parse(text) as { success: boolean; result: Record<string, unknown> }
          if (json.success) resolve(json.result)
          else reject(new Error(`upload failed (${res.statusCode}): ${text}`))
        })
      },
    )
    req.on('error', reject)
    req.write(head)
    const body = createReadStream(file, { highWaterMark: 1 << 20 })
    body.on('error', reject)
    body.on('end', () => req.end(tail))
    body.pipe(req, { end: false })
  })
}

/** GET the download URL into a file, following the S3 redirect as a browser would. */
function download(url: string, target: string, redirected = false): Promise<{ redirected: boolean }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        if (res.statusCode === 302 && res.headers.location && !redirected) {
          res.resume()
          return resolve(download(res.headers.location, target, true))
        }
        if (res.statusCode !== 200) return reject(new Error(`download failed: ${res.statusCode}`))
        pipeline(res, createWriteStream(target, { highWaterMark: 1 << 20 })).then(() => resolve({ redirected }), reject)
      })
      .on('error', reject)
  })
}

/**
 * curl when installed: a C client takes less of the shared CPU than a Node one, so the figures
 * describe the server rather than the load generator.
 */
const hasCurl = spawnSync('curl', ['--version']).status === 0

function curl(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('curl', ['-sS', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (c: Buffer) => (out += c.toString()))
    child.stderr.on('data', (c: Buffer) => (err += c.toString()))
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`curl ${code}: ${err}`))))
  })
}

async function curlUpload(server: ServerProcess, token: string, packageId: string, file: string): Promise<Record<string, unknown>> {
  const text = await curl(['-H', `Authorization: ${token}`, '-F', `package_id=${packageId}`, '-F', `upload=@${file}`, `${server.url}/api/3/action/resource_create`])
  const json = JSON.parse(text) as { success: boolean; result: Record<string, unknown> }
  if (!json.success) throw new Error(`upload failed: ${text}`)
  return json.result
}

async function curlDownload(url: string, target: string): Promise<{ redirected: boolean }> {
  const out = await curl(['-L', '-o', target, '-w', '%{http_code} %{num_redirects}', url])
  const [status, redirects] = out.trim().split(' ')
  if (status !== '200') throw new Error(`download failed: ${status}`)
  return { redirected: redirects !== '0' }
}

interface Result {
  adapter: string
  uploadMs: number
  downloadMs: number
  peakRssMb: number | null
  redirected: boolean
}

async function runAdapter(adapter: 'fs' | 's3', file: string, expectedHash: string, work: string): Promise<Result> {
  const dataDir = path.join(work, `data-${adapter}`)
  const serverEnv: Record<string, string> = {
    WRITE_RATE_LIMIT_PER_MINUTE: '0',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    MAX_RESOURCE_SIZE_MB: String(sizeMb + 16),
    ...(external ? { DATABASE_URL: external } : {}),
  }
  let s3: S3rverInstance | null = null
  if (adapter === 's3') {
    const S3rver = createRequire(import.meta.url)('s3rver') as new (opts: Record<string, unknown>) => S3rverInstance
    s3 = new S3rver({ address: '127.0.0.1', port: 0, directory: path.join(work, 's3rver'), silent: true })
    const { port } = await s3.run()
    Object.assign(serverEnv, { STORAGE: 's3', S3_ENDPOINT: `http://127.0.0.1:${port}`, S3_ACCESS_KEY: 'S3RVER', S3_SECRET_KEY: 'S3RVER', S3_BUCKET: 'abierto-bench' })
  }
  let server: ServerProcess | null = null
  try {
    const cli = await runCli(['sysadmin', 'add', 'bench'], serverEnv, 120_000)
    if (cli.code !== 0) throw new Error(`abierto sysadmin add bench failed: ${cli.stderr}`)
    const token = cli.stdout.trim().split('\n')[1]
    server = await startServerProcess({ env: { ...serverEnv, PORT: String(await freePort()) }, logFile: path.join(work, `server-${adapter}.log`), timeoutMs: 60_000 })
    await action(server, token, 'organization_create', { name: 'bench-org' })
    const ds = await action(server, token, 'package_create', { name: 'bench-files', owner_org: 'bench-org' })

    let started = performance.now()
    const resource = await (hasCurl ? curlUpload : upload)(server, token, String(ds.id), file)
    const uploadMs = performance.now() - started
    if (resource.hash !== expectedHash || resource.size !== sizeMb * 1024 * 1024) throw new Error(`upload recorded size ${String(resource.size)} hash ${String(resource.hash)}`)

    const target = path.join(work, `download-${adapter}.bin`)
    started = performance.now()
    const { redirected } = await (hasCurl ? curlDownload : download)(String(resource.url), target)
    const downloadMs = performance.now() - started
    if ((await sha256File(target)) !== expectedHash) throw new Error('downloaded file differs from the upload')
    await fs.rm(target, { force: true })
    return { adapter, uploadMs, downloadMs, peakRssMb: peakRssMb(server.child.pid!), redirected }
  } finally {
    await server?.stop().catch(() => undefined)
    await s3?.close().catch(() => undefined)
  }
}

export async function main(): Promise<number> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'abierto-bench-files-'))
  const bytes = sizeMb * 1024 * 1024
  console.log(`\nfiles: ${fmt(sizeMb)} MiB over HTTP (client: ${hasCurl ? 'curl' : 'node:http'}) to each storage adapter vs cp (work dir ${work})`)
  try {
    const file = path.join(work, 'datos.bin')
    const hash = await makeFile(file, sizeMb)
    // a warm page cache for cp and the uploads alike
    await sha256File(file)
    const copy = path.join(work, 'copy.bin')
    const cpStarted = performance.now()
    const cp = spawnSync('cp', [file, copy])
    const cpMs = performance.now() - cpStarted
    if (cp.status !== 0) throw new Error(`cp failed: ${cp.stderr.toString()}`)
    await fs.rm(copy)
    // uploads are fsynced before they count: the same copy made durable is the fair comparison
    const syncStarted = performance.now()
    const cpSync = spawnSync('sh', ['-c', 'cp "$1" "$2" && sync "$2"', 'sh', file, copy])
    const cpSyncMs = performance.now() - syncStarted
    if (cpSync.status !== 0) throw new Error(`cp + sync failed: ${cpSync.stderr.toString()}`)
    await fs.rm(copy)
    const cpRate = mbps(bytes, cpMs)
    const cpSyncRate = mbps(bytes, cpSyncMs)

    const results: Result[] = []
    for (const adapter of ['fs', 's3'] as const) {
      results.push(await runAdapter(adapter, file, hash, work))
      await fs.rm(path.join(work, `data-${adapter}`, 'files'), { recursive: true, force: true })
      await fs.rm(path.join(work, 's3rver'), { recursive: true, force: true })
    }

    console.log(`${'run'.padEnd(24)}${'MiB/s'.padStart(8)}${'% of cp'.padStart(10)}${'% cp+sync'.padStart(11)}  target (vs cp)`)
    console.log(`${'cp'.padEnd(24)}${fmt(cpRate).padStart(8)}${'100 %'.padStart(10)}`)
    console.log(`${'cp + sync'.padEnd(24)}${fmt(cpSyncRate).padStart(8)}${`${fmt((100 * cpSyncRate) / cpRate)} %`.padStart(10)}${'100 %'.padStart(11)}`)
    let failed = false
    for (const r of results) {
      for (const [label, ms] of [
        ['upload', r.uploadMs],
        [`download${r.redirected ? ' (presigned)' : ''}`, r.downloadMs],
      ] as const) {
        const rate = mbps(bytes, ms)
        const ok = rate / cpRate >= TARGET_RATIO
        failed ||= !ok
        console.log(`${`${r.adapter} ${label}`.padEnd(24)}${fmt(rate).padStart(8)}${`${fmt((100 * rate) / cpRate)} %`.padStart(10)}${`${fmt((100 * rate) / cpSyncRate)} %`.padStart(11)}  ≥ ${TARGET_RATIO * 100} %: ${mark(ok)}`)
      }
      const rssOk = r.peakRssMb !== null && r.peakRssMb < TARGET_RSS_MB
      failed ||= !rssOk
      console.log(`${`${r.adapter} server peak RSS`.padEnd(24)}${(r.peakRssMb === null ? '?' : `${fmt(r.peakRssMb)} MiB`).padStart(18)}  < ${TARGET_RSS_MB} MiB: ${mark(rssOk)}`)
    }
    return failed ? 1 : 0
  } finally {
    if (env.BENCH_KEEP === '1') console.log(`work dir kept: ${work}`)
    else await fs.rm(work, { recursive: true, force: true })
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`bench-files: ${err instanceof Error ? err.message : String(err)}`)
      process.exit(1)
    },
  )
}
