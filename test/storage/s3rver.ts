import { createRequire } from 'node:module'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

interface S3rverInstance {
  run(): Promise<{ port: number; address: string }>
  close(): Promise<void>
}
// s3rver is CommonJS without type declarations
const S3rver = createRequire(import.meta.url)('s3rver') as new (opts: Record<string, unknown>) => S3rverInstance

export interface S3Server {
  endpoint: string
  env: Record<string, string>
  close(): Promise<void>
}

/** A real S3-protocol server (s3rver) on a random port, its objects in a fresh temp dir. */
export async function startS3(t: { teardown(fn: () => unknown): void }, bucket = 'abierto-test'): Promise<S3Server> {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'abierto-s3rver-'))
  const server = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true })
  const { port } = await server.run()
  const endpoint = `http://127.0.0.1:${port}`
  let closed = false
  const close = async () => {
    if (closed) return
    closed = true
    await server.close()
    rmSync(directory, { recursive: true, force: true })
  }
  t.teardown(close)
  return {
    endpoint,
    env: { STORAGE: 's3', S3_ENDPOINT: endpoint, S3_ACCESS_KEY: 'S3RVER', S3_SECRET_KEY: 'S3RVER', S3_BUCKET: bucket, S3_REGION: 'us-east-1' },
    close,
  }
}
