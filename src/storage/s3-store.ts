import { randomUUID } from 'node:crypto'
import type { Readable } from 'node:stream'
import { Client, CopyDestinationOptions, CopySourceOptions } from 'minio'
import { checkKey, type BlobInfo, type BlobStore, type ByteRange } from './blob-store.js'
import { contentDisposition } from './filename.js'

export interface S3Options {
  endpoint: string
  accessKey: string
  secretKey: string
  bucket: string
  region: string
  /** Bytes per multipart part: an upload holds about two in memory (one in flight, one filling); more in flight bought little against s3rver and cost ~60 MB of peak RSS. */
  partSize?: number
  /** Largest object to expect: parts grow past partSize when it needs more than 10,000 of them. */
  maxObjectBytes?: number
}

const DEFAULT_PART = 8 * 1024 * 1024
const PARTS_IN_FLIGHT = 1
/** S3 allows at most this many parts per upload. */
const MAX_PARTS = 10_000
/** Largest single-request server-side copy S3 allows; bigger objects are copied in parts. */
const MAX_SINGLE_COPY = 5 * 1024 * 1024 * 1024

function isNotFound(err: unknown): boolean {
  const code = (err as { code?: string })?.code
  return code === 'NotFound' || code === 'NoSuchKey'
}

/**
 * Blobs as objects in one S3 bucket through the `minio` client (MinIO, AWS S3 or any
 * S3-compatible server). Uploads use S3 multipart with fixed-size parts so memory stays flat
 * whatever the file size; a failed upload is aborted so no parts linger.
 */
export class S3BlobStore implements BlobStore {
  readonly kind = 's3' as const
  private readonly partSize: number

  private constructor(
    private readonly client: Client,
    private readonly bucket: string,
    partSize: number,
  ) {
    this.partSize = partSize
  }

  /** Connects and creates the bucket when missing. */
  static async open(opts: S3Options): Promise<S3BlobStore> {
    const url = new URL(opts.endpoint)
    const useSSL = url.protocol === 'https:'
    const client = new Client({
      endPoint: url.hostname,
      port: url.port ? Number(url.port) : useSSL ? 443 : 80,
      useSSL,
      accessKey: opts.accessKey,
      secretKey: opts.secretKey,
      region: opts.region,
      pathStyle: true,
    })
    if (!(await client.bucketExists(opts.bucket))) {
      try {
        await client.makeBucket(opts.bucket, opts.region)
      } catch (err) {
        // another process may have created it in between
        const code = (err as { code?: string }).code
        if (code !== 'BucketAlreadyOwnedByYou' && code !== 'BucketAlreadyExists') throw err
      }
    }
    const minPart = Math.ceil((opts.maxObjectBytes ?? 0) / MAX_PARTS / (1024 * 1024)) * 1024 * 1024
    return new S3BlobStore(client, opts.bucket, Math.max(opts.partSize ?? DEFAULT_PART, minPart))
  }

  async stage(body: Readable, target?: string): Promise<string> {
    const key = target ? checkKey(target) : `staging/${randomUUID()}`
    let uploadId: string | null = null
    const etags: { part: number; etag: string }[] = []
    const inFlight: Promise<void>[] = []
    const sendPart = (part: number, data: Buffer): Promise<void> =>
      this.client.uploadPart({ bucketName: this.bucket, objectName: key, uploadID: uploadId!, partNumber: part, headers: { 'Content-Length': data.length } }, data).then((res) => void etags.push({ part, etag: res.etag }))
    try {
      let chunks: Buffer[] = []
      let buffered = 0
      let part = 0
      for await (const chunk of body as AsyncIterable<Buffer>) {
        chunks.push(chunk)
        buffered += chunk.length
        if (buffered < this.partSize) continue
        const data = Buffer.concat(chunks, buffered)
        chunks = []
        buffered = 0
        uploadId ??= await this.client.initiateNewMultipartUpload(this.bucket, key, {})
        // a few parts upload while the next one is read from the client; waiting for the oldest
        // keeps memory at (PARTS_IN_FLIGHT + 1) parts
        if (inFlight.length >= PARTS_IN_FLIGHT) await inFlight.shift()
        const sending = sendPart(++part, data)
        // a failure surfaces when awaited; until then it must not count as unhandled
        sending.catch(() => undefined)
        inFlight.push(sending)
      }
      while (inFlight.length > 0) await inFlight.shift()
      const rest = Buffer.concat(chunks, buffered)
      if (uploadId === null) {
        await this.client.putObject(this.bucket, key, rest, rest.length)
      } else {
        if (rest.length > 0) await sendPart(++part, rest)
        etags.sort((a, b) => a.part - b.part)
        await this.client.completeMultipartUpload(this.bucket, key, uploadId, etags)
      }
      return key
    } catch (err) {
      await Promise.allSettled(inFlight)
      if (uploadId !== null) await this.client.abortMultipartUpload(this.bucket, key, uploadId).catch(() => undefined)
      await this.client.removeObject(this.bucket, key).catch(() => undefined)
      throw err
    }
  }

  async promote(stagingKey: string, key: string): Promise<void> {
    if (checkKey(key) === stagingKey) return
    const source = new CopySourceOptions({ Bucket: this.bucket, Object: checkKey(stagingKey) })
    const dest = new CopyDestinationOptions({ Bucket: this.bucket, Object: key })
    const info = await this.stat(stagingKey)
    if (info && info.size > MAX_SINGLE_COPY) await this.client.composeObject(dest, [source])
    else await this.client.copyObject(source, dest)
    await this.client.removeObject(this.bucket, stagingKey)
  }

  async remove(key: string): Promise<void> {
    try {
      await this.client.removeObject(this.bucket, checkKey(key))
    } catch (err) {
      if (!isNotFound(err)) throw err
    }
  }

  async stat(key: string): Promise<BlobInfo | null> {
    try {
      const st = await this.client.statObject(this.bucket, checkKey(key))
      return { size: st.size, etag: `"${st.etag}"`, lastModified: st.lastModified }
    } catch (err) {
      if (isNotFound(err)) return null
      throw err
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    checkKey(key)
    if (!range) return this.client.getObject(this.bucket, key)
    return this.client.getPartialObject(this.bucket, key, range.start, range.end - range.start + 1)
  }

  async downloadUrl(key: string, opts: { filename: string; contentType: string | null; expiresSeconds: number }): Promise<string | null> {
    return this.client.presignedGetObject(this.bucket, checkKey(key), opts.expiresSeconds, {
      'response-content-disposition': contentDisposition(opts.filename),
      ...(opts.contentType ? { 'response-content-type': opts.contentType } : {}),
    })
  }

  async keys(prefix: string): Promise<string[]> {
    const out: string[] = []
    for await (const obj of this.client.listObjectsV2(this.bucket, prefix, true) as AsyncIterable<{ name?: string }>) {
      if (obj.name) out.push(obj.name)
    }
    return out.sort()
  }

  async close(): Promise<void> {}
}
