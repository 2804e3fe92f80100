import path from 'node:path'
import type { Config } from '../config.js'
import type { BlobStore } from './blob-store.js'
import { FsBlobStore } from './fs-store.js'

/** The BlobStore STORAGE selects: DATA_DIR/files, or the S3 bucket (created when missing). */
export async function openBlobStore(config: Config): Promise<BlobStore> {
  if (config.storage === 'fs') return FsBlobStore.open(path.join(config.dataDir, 'files'))
  const { endpoint, accessKey, secretKey, bucket, region } = config.s3
  if (!endpoint) throw new Error('invalid configuration: STORAGE=s3 needs S3_ENDPOINT')
  // loaded here only: the S3 client takes most of a second to import and STORAGE=fs never needs it
  const { S3BlobStore } = await import('./s3-store.js')
  try {
    return await S3BlobStore.open({ endpoint, accessKey, secretKey, bucket, region, maxObjectBytes: config.maxResourceSizeMb * 1024 * 1024 })
  } catch (err) {
    throw new Error(`S3 storage at ${endpoint} (bucket ${bucket}) is not usable: ${(err as Error).message}`, { cause: err })
  }
}
