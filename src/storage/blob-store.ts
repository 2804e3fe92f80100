import type { Readable } from 'node:stream'

/**
 * The file storage port. Keys are chosen by Abierto (`resources/{resource id}`,
 * `staging/{uuid}`), never taken from user file names; adapters refuse any other shape.
 */
export interface BlobStore {
  readonly kind: 'fs' | 's3'
  /**
   * Writes `body` under a fresh staging key and resolves with it once the bytes are durable.
   * When the stream fails (client gone, size limit), it rejects and leaves nothing behind.
   * `target`: the key the blob will most likely be promoted to, still unused; an adapter whose
   * promotion is a full copy (S3) writes there directly, and promoting to it costs nothing.
   */
  stage(body: Readable, target?: string): Promise<string>
  /** Moves a staged blob to its final key, replacing what was there. */
  promote(stagingKey: string, key: string): Promise<void>
  /** Removes a blob; a missing one is not an error. */
  remove(key: string): Promise<void>
  /** Size and validators of a blob, or null when there is none. */
  stat(key: string): Promise<BlobInfo | null>
  /** The blob's bytes, or the inclusive byte range [start, end]. */
  read(key: string, range?: ByteRange): Promise<Readable>
  /**
   * A short-lived URL from which the client may fetch the blob directly (S3 presigned GET),
   * or null when the blob must be streamed through Abierto.
   */
  downloadUrl(key: string, opts: { filename: string; contentType: string | null; expiresSeconds: number }): Promise<string | null>
  /** Keys under a prefix ("resources/", "staging/"): for tests and maintenance. */
  keys(prefix: string): Promise<string[]>
  close(): Promise<void>
}

export interface BlobInfo {
  size: number
  /** Strong validator for ETag / If-None-Match. */
  etag: string
  lastModified: Date
}

export interface ByteRange {
  start: number
  end: number
}

const KEY = /^(resources|staging)\/[A-Za-z0-9_-]{1,100}$/

/** Rejects anything but the two key shapes Abierto writes: no separators, dots or traversal. */
export function checkKey(key: string): string {
  if (!KEY.test(key)) throw new Error(`invalid blob key: ${JSON.stringify(key)}`)
  return key
}

/** Where a resource's uploaded file lives: derived from its id alone. */
export function resourceKey(resourceId: string): string {
  return checkKey(`resources/${resourceId}`)
}
