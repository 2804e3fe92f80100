/**
 * DataStore write benchmark (`node dist/scripts/bench-datastore-write.js`): what API clients that
 * push rows themselves (ckanapi, scripts, DataPusher-style loaders) get from a server started as
 * in production, over HTTP:
 *   - datastore_upsert method=insert of BENCH_DS_ROWS rows (default 200,000) of 10 columns in
 *     batches of BENCH_DS_BATCH (default 10,000): rows/s, and p50/p99 of a batch;
 *   - datastore_upsert (by primary key) of 10 batches of 1,000 records, half of them new: rows/s;
 *   - datastore_delete with a filter matching a tenth of the rows.
 * The server's RSS is read before and after: records are parsed JSON, so a batch's memory is the
 * client's choice (BODY_LIMIT_MB bounds it).
 * Environment: BENCH_DS_ROWS, BENCH_DS_BATCH, BENCH_KEEP=1 keeps the temporary directory.
 */
import { mkdtempSync, promises as fs, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { stopDetached } from '../src/db/embedded.js'
import { freePort, runCli, startServerProcess, type ServerProcess } from './lib/server-process.js'

const env = process.env
const totalRows = Number(env.BENCH_DS_ROWS ?? 200_000)
const batch = Number(env.BENCH_DS_BATCH ?? 10_000)

const fmt = (n: number, d = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d })
const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]

const PROVINCIAS = ['Azuay', 'Bolívar', 'Cañar', 'Carchi', 'Chimborazo', 'Cotopaxi', 'El Oro', 'Esmeraldas', 'Guayas', 'Imbabura', 'Loja', 'Los Ríos', 'Manabí', 'Pichincha']

function record(i: number): Record<string, unknown> {
  return {
    codigo: `C${i}`,
    provincia: PROVINCIAS[i % PROVINCIAS.length],
    canton: `Cantón ${i % 221}`,
    anio: 2000 + (i % 25),
    poblacion: (i * 7919) % 1_000_000,
    tasa: ((i % 1000) / 10).toFixed(1),
    fecha: `2024-${String((i % 12) + 1).padStart(2, '0')}-15`,
    area: (i % 5000) / 7,
    nota: i % 3 === 0 ? 'Niños y niñas en edad escolar' : '',
    activo: i % 2 === 0,
  }
}

async function rssMb(server: ServerProcess): Promise<number> {
  const status = readFileSync(`/proc/${server.child.pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'abierto-bench-dswrite-'))
  const cliEnv = { DATA_DIR: dir, LOG_LEVEL: 'warn' }
  let server: ServerProcess | undefined
  try {
    if ((await runCli(['migrate'], cliEnv, 120_000)).code !== 0) throw new Error('migrate failed')
    const cli = await runCli(['sysadmin', 'add', 'bench'], cliEnv)
    if (cli.code !== 0) throw new Error(`sysadmin add failed: ${cli.stderr}`)
    const token = cli.stdout.trim().split('\n')[1]
    server = await startServerProcess({ env: { ...cliEnv, PORT: String(await freePort()), WRITE_RATE_LIMIT_PER_MINUTE: '0', BODY_LIMIT_MB: '64' }, timeoutMs: 60_000 })
    const call = async (name: string, body: Record<string, unknown>): Promise<any> => {
      const res = await fetch(`${server!.url}/api/3/action/${name}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: token }, body: JSON.stringify(body) })
      const json = (await res.json()) as { success: boolean; result: unknown; error: unknown }
      if (!json.success) throw new Error(`${name}: ${res.status} ${JSON.stringify(json.error)}`)
      return json.result
    }

    await call('organization_create', { name: 'bench' })
    await call('package_create', { name: 'bench-ds', owner_org: 'bench' })
    const created = await call('datastore_create', {
      resource: { package_id: 'bench-ds', name: 'tabla' },
      primary_key: 'codigo',
      fields: [
        { id: 'codigo', type: 'text' },
        { id: 'provincia', type: 'text' },
        { id: 'canton', type: 'text' },
        { id: 'anio', type: 'int' },
        { id: 'poblacion', type: 'int8' },
        { id: 'tasa', type: 'numeric' },
        { id: 'fecha', type: 'date' },
        { id: 'area', type: 'float8' },
        { id: 'nota', type: 'text' },
        { id: 'activo', type: 'bool' },
      ],
    })
    const rid = created.resource_id as string
    const rssBefore = await rssMb(server)

    const times: number[] = []
    const started = performance.now()
    for (let from = 0; from < totalRows; from += batch) {
      const records = Array.from({ length: Math.min(batch, totalRows - from) }, (_, k) => record(from + k))
      const t0 = performance.now()
      await call('datastore_upsert', { resource_id: rid, method: 'insert', records })
      times.push(performance.now() - t0)
    }
    const insertS = (performance.now() - started) / 1000
    times.sort((a, b) => a - b)
    const rssAfter = await rssMb(server)
    console.log(`datastore_upsert insert: ${fmt(totalRows)} rows × 10 columns in ${fmt(insertS, 1)} s = ${fmt(totalRows / insertS)} rows/s (batches of ${fmt(batch)}: p50 ${fmt(pct(times, 50))} ms, p99 ${fmt(pct(times, 99))} ms)`)
    console.log(`server RSS: ${fmt(rssBefore)} MB before, ${fmt(rssAfter)} MB after`)

    const upStarted = performance.now()
    for (let b = 0; b < 10; b++) {
      const records = Array.from({ length: 1000 }, (_, k) => ({ ...record(totalRows - 500 + b * 1000 + k), nota: `actualizado ${b}` }))
      await call('datastore_upsert', { resource_id: rid, method: 'upsert', records })
    }
    const upS = (performance.now() - upStarted) / 1000
    console.log(`datastore_upsert upsert by key: 10,000 records in ${fmt(upS, 2)} s = ${fmt(10_000 / upS)} records/s`)

    const delStarted = performance.now()
    await call('datastore_delete', { resource_id: rid, filters: { anio: [2000, 2001, 2002] } })
    console.log(`datastore_delete with filters (~12 % of the rows): ${fmt(performance.now() - delStarted)} ms`)
  } finally {
    await server?.stop()
    await stopDetached(path.join(dir, 'postgres')).catch(() => undefined)
    if (env.BENCH_KEEP !== '1') await fs.rm(dir, { recursive: true, force: true })
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
