import type { FastifyRequest } from 'fastify'
// the request decorations (parts, isMultipart) the plugin registered in app.ts adds
import type {} from '@fastify/multipart'
import type { Readable } from 'node:stream'
import type { BlobStore } from './blob-store.js'
import { StagedUpload, stageUpload } from './upload.js'
import { ActionError, BadRequest, ValidationError } from '../errors.js'
import { addPair } from '../api/request-data.js'

export interface UploadOptions {
  store: BlobStore
  maxBytes: number
}

/**
 * Called with the fields read so far when the file part begins: throwing refuses the request
 * before a byte of the file is stored (the rest of the body is then read and dropped).
 */
export type BeforeFile = (fields: Record<string, unknown>) => Promise<void>

/** Form values a multipart field may carry alongside the file; CKAN's resource forms are small. */
const FIELD_BYTES = 1024 * 1024

/**
 * A multipart/form-data action request as CKAN reads it: every text field becomes a param
 * (repeated names become lists) and the file part named `upload` is streamed to a staging blob,
 * arriving as a StagedUpload in `upload`. Other file parts are read and dropped. The caller must
 * `discardUpload(data)` once the action is done, whatever happened.
 */
export async function multipartData(req: FastifyRequest, opts: UploadOptions, beforeFile?: BeforeFile): Promise<Record<string, unknown>> {
  const data: Record<string, unknown> = {}
  let upload: StagedUpload | null = null
  // Only the parser's and the client's failures are the client's fault (400); one of ours (the
  // store's disk full, the database in beforeFile) must stay a 500 without its text.
  let clientFault = true
  let fileFailed = false
  try {
    // throwFileSizeLimit is honoured per call though the plugin's types only list it for file()
    const partOptions = {
      limits: { fileSize: opts.maxBytes, fieldSize: FIELD_BYTES, fields: 1000, files: 20, parts: 1020 },
      // larger chunks through the parser, hash and store: fewer, bigger writes
      highWaterMark: 1024 * 1024,
      fileHwm: 1024 * 1024,
      throwFileSizeLimit: false,
    } as Parameters<FastifyRequest['parts']>[0]
    const parts = req.parts(partOptions)
    for await (const part of parts) {
      if (part.type === 'field') {
        addPair(data, part.fieldname, typeof part.value === 'string' ? part.value : String(part.value))
        continue
      }
      const file = part.file as Readable & { truncated?: boolean }
      if (part.fieldname !== 'upload' || upload) {
        file.resume()
        continue
      }
      clientFault = false
      file.once('error', () => (fileFailed = true))
      if (beforeFile) {
        try {
          await beforeFile(data)
        } catch (err) {
          // fields that arrive after the file cannot be checked yet: the action checks everything
          if (!(err instanceof ValidationError)) {
            file.resume()
            throw err
          }
        }
      }
      upload = await stageUpload(opts.store, file, { filename: part.filename, maxBytes: opts.maxBytes, truncated: () => file.truncated === true })
      data.upload = upload
      clientFault = true
    }
    return data
  } catch (err) {
    await upload?.discard().catch(() => undefined)
    if (err instanceof ActionError || err instanceof BadRequest) throw err
    // busboy / @fastify/multipart while reading the parts or the file: malformed body, limits, client gone
    if (clientFault || fileFailed) throw new BadRequest(`Bad request - ${(err as Error).message}`)
    throw err
  }
}

/** Removes the request's staged file unless the action promoted it. */
export async function discardUpload(data: Record<string, unknown> | undefined): Promise<void> {
  // a leftover staging file is garbage, not the request's failure
  if (data?.upload instanceof StagedUpload) await data.upload.discard().catch(() => undefined)
}

export function isMultipart(req: FastifyRequest): boolean {
  return req.method === 'POST' && typeof req.isMultipart === 'function' && req.isMultipart()
}
